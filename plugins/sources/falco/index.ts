/**
 * `falco` source: registers `POST /api/v1/falco/events` (option `path`) and turns the Falco alerts
 * posted there — single alerts, arrays, or NDJSON batches — into `change.received` events (cloud
 * alerts) and `security.alert` events (the others, unless `security_alerts: false`), both on the
 * `events` topic. Malformed alerts get a 400 naming each one; the rest of the batch is kept.
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type IngressDeclaration, type PipelineItem, type PluginContext } from '../../../engine/plugin-api.ts'
import { BoundedChannel } from '../cloudtrail/channel.ts'
import { ingestBatch, type ItemResult } from '../cloudtrail/ingest.ts'
import { convertAlert, type AlertResult, type ConvertOptions } from './convert.ts'

/** Options of the `falco` source (see options.schema.json). */
export interface FalcoOptions {
  path?: string
  failed?: 'skip' | 'flag'
  read_only?: 'skip' | 'keep'
  queue_size?: number
  body_limit?: number
  security_alerts?: boolean
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** The one route a node registers; declared too, so two nodes of a tenant on one path fail validation. */
function declaredRoute(options: FalcoOptions): IngressDeclaration {
  return { method: 'POST', path: options.path ?? '/api/v1/falco/events', scope: 'publish' }
}

export default definePlugin<'source', FalcoOptions>({
  name: 'falco',
  kind: 'source',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Falco alerts received over HTTP: CloudTrail and GCP-audit alerts as change events, the others as security alerts.',
  optionsSchema,
  ingress: (options) => [declaredRoute(options)],
  create(ctx, options) {
    const convert: ConvertOptions = { failed: options.failed ?? 'skip', read_only: options.read_only ?? 'skip', security_alerts: options.security_alerts ?? true }
    const channel = new BoundedChannel<PipelineItem>(options.queue_size ?? 10_000, ctx.signal)
    const route = {
      ...declaredRoute(options),
      body_limit: options.body_limit ?? 1024 * 1024,
      handle: async (body: unknown) => {
        const now = ctx.clock.isoNow()
        const alerts = Array.isArray(body) ? body : [body]
        const results = alerts.map((a) => convertAlert(a, convert, now))
        // Per-alert debug lines only when they are logged: building their fields costs as much as converting the alert.
        if (ctx.logger.isLevelEnabled?.('debug') ?? true) for (const r of results) {
          if (r.kind === 'event') ctx.logger.debug({ event_name: r.event.event_name, resource_id: r.event.resource_id, actor: r.event.actor?.user }, 'Received a Falco alert.')
          else if (r.kind === 'alert') ctx.logger.debug({ rule: r.alert.rule, priority: r.alert.priority, source: r.alert.source }, 'Received a Falco security alert.')
        }
        // With security_alerts off convertAlert yields no `alert` results: the answer is exactly the one from before the option.
        return convert.security_alerts ? ingestWithAlerts(results, channel, ctx) : ingestBatch(results as ItemResult[], channel, ctx, 'Falco alert')
      },
    }
    ctx.ingress.register(route)
    return {
      output: channel[Symbol.asyncIterator](),
      close() {
        channel.close()
        ;(ctx.ingress as { unregister?: (r: { method: string; path: string }) => void }).unregister?.(route)
      },
    }
  },
})

/** Stands in for a security alert in ingestBatch's results, so the item numbers of a 400 stay the batch's own. */
const COUNTED_APART = { kind: 'skipped', reason: 'security_alert' } as const

/**
 * ingestBatch's answer and queueing for the change events, with the batch's security alerts queued
 * beside them and counted as `alerts` (202 and 400 alike) instead of `skipped`.
 */
function ingestWithAlerts(results: AlertResult[], channel: BoundedChannel<PipelineItem>, ctx: Pick<PluginContext, 'logger'>): { status: number; data: unknown } {
  const alerts = results.flatMap((r) => (r.kind === 'alert' ? [{ type: 'security.alert', topic: 'events' as const, data: r.alert }] : []))
  const events = results.filter((r) => r.kind === 'event').length
  // All or nothing, as ingestBatch does for change events: Falco resends a batch answered 503, and a
  // batch queued in part would then arrive twice.
  if (alerts.length > 0 && alerts.length + events > channel.room) {
    ctx.logger.warn({ batch: alerts.length + events, queued: channel.size }, 'The Falco alert queue is full; asked the sender to retry.')
    return { status: 503, data: { code: 'queue_full', message: `tfdrift is busy (${channel.size} Falco alerts queued); retry the batch later.` } }
  }
  const answer = ingestBatch(results.map((r) => (r.kind === 'alert' ? COUNTED_APART : r)), channel, ctx, 'Falco alert')
  if (answer.status === 503) return answer
  channel.offer(alerts) // fits: the room was checked above and nothing ran in between
  const { [COUNTED_APART.reason]: _alerts, ...skipped } = (answer.data as { skipped: Record<string, number> }).skipped
  return { status: answer.status, data: { ...(answer.data as object), alerts: alerts.length, skipped } }
}

/** Config helper: `falco({ path: '/api/v1/falco/events' })`. */
export const falco = nodeHelper<FalcoOptions>('falco')
