/**
 * `falco` source: registers `POST /api/v1/falco/events` (option `path`) and turns the Falco alerts
 * posted there — single alerts, arrays, or NDJSON batches — into `change.received` events. Malformed
 * alerts get a 400 naming each one; the rest of the batch is kept.
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type IngressDeclaration, type PipelineItem } from '../../../engine/plugin-api.ts'
import { BoundedChannel } from '../cloudtrail/channel.ts'
import { ingestBatch } from '../cloudtrail/ingest.ts'
import { convertAlert, type ConvertOptions } from './convert.ts'

/** Options of the `falco` source (see options.schema.json). */
export interface FalcoOptions {
  path?: string
  failed?: 'skip' | 'flag'
  read_only?: 'skip' | 'keep'
  queue_size?: number
  body_limit?: number
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
  description: 'Falco alerts from the CloudTrail (and GCP audit) plugins, received over HTTP, as change events.',
  optionsSchema,
  ingress: (options) => [declaredRoute(options)],
  create(ctx, options) {
    const convert: ConvertOptions = { failed: options.failed ?? 'skip', read_only: options.read_only ?? 'skip' }
    const channel = new BoundedChannel<PipelineItem>(options.queue_size ?? 10_000, ctx.signal)
    const route = {
      ...declaredRoute(options),
      body_limit: options.body_limit ?? 1024 * 1024,
      handle: async (body: unknown) => {
        const now = ctx.clock.isoNow()
        const alerts = Array.isArray(body) ? body : [body]
        const results = alerts.map((a) => convertAlert(a, convert, now))
        for (const r of results) {
          if (r.kind === 'event') ctx.logger.debug({ event_name: r.event.event_name, resource_id: r.event.resource_id, actor: r.event.actor?.user }, 'Received a Falco alert.')
        }
        return ingestBatch(results, channel, ctx, 'Falco alert')
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

/** Config helper: `falco({ path: '/api/v1/falco/events' })`. */
export const falco = nodeHelper<FalcoOptions>('falco')
