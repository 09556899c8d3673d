/** Subscription filters shared by WS and SSE: validation, a canonical key, and matching against envelopes. */
import { SEVERITIES } from '../model.ts'
import type { Envelope } from '../envelope.ts'

import type { Filter } from '../realtime-protocol.ts'

export type { Filter }

const KEYS = ['severity_min', 'resource_type', 'provider'] as const

/** Validates a client-supplied filter; returns an error message for anything unexpected. */
export function parseFilter(value: unknown): { ok: true; filter: Filter | undefined } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, filter: undefined }
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'filter must be an object with severity_min, resource_type and/or provider.' }
  const out: Filter = {}
  for (const [k, v] of Object.entries(value)) {
    if (!(KEYS as readonly string[]).includes(k)) return { ok: false, message: `Unknown filter field "${k}"; allowed: ${KEYS.join(', ')}.` }
    if (v === undefined || v === null || v === '') continue
    if (typeof v !== 'string' || v.length > 200) return { ok: false, message: `filter.${k} must be a string (at most 200 characters).` }
    if (k === 'severity_min' && !(SEVERITIES as readonly string[]).includes(v)) return { ok: false, message: `filter.severity_min must be one of ${SEVERITIES.join(', ')}.` }
    ;(out as Record<string, string>)[k] = v
  }
  return { ok: true, filter: Object.keys(out).length ? out : undefined }
}

/** Canonical key: equal filters share one fan-out group (and one uWS topic). Empty for no filter. */
export function filterKey(filter: Filter | undefined): string {
  if (!filter) return ''
  return KEYS.map((k) => filter[k] ?? '').join('\u0001')
}

const RANK = new Map<string, number>(SEVERITIES.map((s, i) => [s, i]))

/**
 * Envelopes whose data lacks a filtered field do not match (a filter asks for that field). `graph`
 * deltas always match: a client applies them to the whole graph it loaded, and a part left out would
 * leave that graph wrong for good.
 */
export function matches(filter: Filter | undefined, envelope: Envelope): boolean {
  if (!filter || envelope.topic === 'graph') return true
  const data = envelope.data as Record<string, unknown> | null
  if (!data || typeof data !== 'object') return false
  if (filter.severity_min) {
    const rank = RANK.get(data.severity as string)
    if (rank === undefined || rank > RANK.get(filter.severity_min)!) return false
  }
  if (filter.resource_type && (data.type ?? data.resource_type) !== filter.resource_type) return false
  if (filter.provider && data.provider !== filter.provider) return false
  return true
}
