import type { PageRequest } from './store.ts'
import type { Severity } from '../model.ts'
import { SEVERITIES } from '../model.ts'

export const DEFAULT_PAGE_LIMIT = 50
export const MAX_PAGE_LIMIT = 1000

/** 1-based page and a limit clamped to [1, 1000]; garbage falls back to the defaults. */
export function normalisePage(request: PageRequest): { page: number; limit: number; offset: number } {
  const page = Number.isFinite(request.page) && (request.page as number) >= 1 ? Math.floor(request.page as number) : 1
  const rawLimit = Number.isFinite(request.limit) ? Math.floor(request.limit as number) : DEFAULT_PAGE_LIMIT
  const limit = Math.max(1, Math.min(MAX_PAGE_LIMIT, rawLimit))
  return { page, limit, offset: (page - 1) * limit }
}

/** 0 = critical … 4 = info; unknown severities rank last. */
export function severityRank(severity: Severity | string | undefined): number {
  const index = SEVERITIES.indexOf(severity as Severity)
  return index === -1 ? SEVERITIES.length : index
}

/** Position of a drift in list order (newest `detected_at` first, then id descending). */
export interface DriftKey { detected_at: string; id: string }

/** Encodes a keyset position as an opaque, URL-safe cursor. */
export function encodeCursor(key: DriftKey): string {
  return Buffer.from(JSON.stringify([key.detected_at, key.id])).toString('base64url')
}

/** Decodes a cursor; undefined for anything that is not one (callers treat it as "from the start"). */
export function decodeCursor(cursor: string | undefined): DriftKey | undefined {
  if (!cursor) return undefined
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { detected_at: value[0], id: value[1] }
  } catch { /* not a cursor */ }
  return undefined
}

/** True when `a` comes after `b` in list order (older, or same time and smaller id). */
export function isAfter(a: DriftKey, b: DriftKey): boolean {
  return a.detected_at < b.detected_at || (a.detected_at === b.detected_at && a.id < b.id)
}
