/**
 * The `falco` format of the stdout transport: one line per envelope shaped like Falco's JSON output
 * (`json_output: true`), so the tools that already read Falco alerts (Falcosidekick, log pipelines with
 * Falco parsers) take tfdrift events without a new parser. Drift values are masked as everywhere else.
 */
import { type Envelope, type Drift, type Severity, maskDrift, summarizeEnvelope } from 'tfdrift'

/** Falco priorities for tfdrift severities (Falco: Emergency … Debug). */
const PRIORITY: Record<Severity, string> = { critical: 'Critical', high: 'Error', medium: 'Warning', low: 'Notice', info: 'Informational' }

const RULES: Record<string, string> = {
  'drift.detected': 'Terraform drift detected',
  'drift.updated': 'Terraform drift changed',
  'drift.resolved': 'Terraform drift resolved',
}

/** A Falco-compatible alert for `env` (time, rule, priority, output, output_fields, source, tags, hostname). */
export function falcoAlert(env: Envelope, hostname: string): Record<string, unknown> {
  const isDrift = env.topic === 'drifts' && typeof (env.data as Drift | null)?.severity === 'string'
  const drift = isDrift ? maskDrift(env.data as Drift) : undefined
  const fields: Record<string, unknown> = { 'tfdrift.id': env.id, 'tfdrift.offset': env.offset, 'tfdrift.topic': env.topic, 'tfdrift.type': env.type, 'tfdrift.tenant': env.tenant }
  if (drift) {
    Object.assign(fields, {
      'drift.id': drift.id, 'drift.kind': drift.kind, 'drift.address': drift.address ?? null, 'drift.resource_type': drift.type, 'drift.provider': drift.provider,
      'drift.resource_id': drift.resource_id ?? null, 'drift.severity': drift.severity, 'drift.paths': (drift.changes ?? []).map((c) => c.path),
      'user.name': drift.actor?.user ?? null, 'evt.name': drift.actor?.event_name ?? null,
    })
  }
  return {
    time: env.time,
    rule: RULES[env.type] ?? `tfdrift ${env.type}`,
    priority: drift ? PRIORITY[drift.severity] : env.topic === 'system' ? 'Warning' : 'Informational',
    output: summarizeEnvelope(drift ? { ...env, data: drift } : env),
    output_fields: fields,
    source: 'tfdrift',
    tags: ['tfdrift', env.topic, ...(drift ? [drift.kind, drift.provider] : [])],
    hostname,
  }
}
