/** One-line human summaries of envelopes (the `summary` format of the stdout transport). */
import type { Envelope } from './envelope.ts'
import type { ChangeEvent, Drift, RemediationPlan } from './model.ts'

const clock = (iso: string) => iso.slice(11, 19)

/** `10:00:01 drifts drift.detected high modified aws_instance.web[0] instance_type by alice`. */
export function summarize(env: Envelope): string {
  const head = `${clock(env.time)} ${env.topic} ${env.type}`
  const d = env.data as Record<string, unknown> | null
  if (!d || typeof d !== 'object') return head
  if (env.topic === 'drifts') {
    const drift = d as unknown as Drift
    const where = drift.address || `${drift.type} ${drift.resource_id ?? ''}`.trim()
    const paths = (drift.changes ?? []).map((c) => c.path)
    const what = paths.length ? ` ${paths.slice(0, 3).join(',')}${paths.length > 3 ? `,+${paths.length - 3}` : ''}` : ''
    const by = drift.actor?.user ? ` by ${drift.actor.user}` : ''
    return `${head} ${drift.severity} ${drift.kind} ${where}${what}${by}`
  }
  if (env.topic === 'events') {
    const e = d as unknown as ChangeEvent
    const by = e.actor?.user ? ` by ${e.actor.user}${e.actor.source_ip ? ` (${e.actor.source_ip})` : ''}` : ''
    return `${head} ${e.event_name} ${e.resource_type ?? ''} ${e.resource_id ?? ''}`.replace(/\s+$/, '') + by
  }
  if (env.topic === 'remediations') {
    const p = d as unknown as RemediationPlan
    return `${head} ${p.status} ${p.strategy}: ${p.summary}`
  }
  const brief = JSON.stringify(d)
  return `${head} ${brief.length > 160 ? `${brief.slice(0, 157)}...` : brief}`
}
