/**
 * `webhook` transport: POSTs events as JSON to an HTTP endpoint. The engine feeds it from the durable
 * bus after its checkpoint (see engine/delivery), so it only sends a batch and says what happened:
 * 2xx delivered; 408/425/429/5xx, timeouts and network errors back off (honouring Retry-After); a
 * payload the receiver refuses (400/413/415/422) is given up and dead-lettered. Every request carries
 * the envelope id(s) in the body and in `X-Tfdrift-Event-Id`, so a receiver can drop the duplicates
 * that at-least-once delivery allows after a crash.
 *
 * Body: with `batch_size` 1 (the default) the envelope itself; otherwise a JSON array of envelopes.
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type DeliveringTransportInstance, type PluginContext } from '../../../engine/plugin-api.ts'
import { deliverySpec, withDeliveryOptions, type DeliveryOptions } from '../../../engine/delivery/options.ts'
import { ID_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './sign.ts'
import { outcomeOf, post } from './http.ts'

/** Options of the `webhook` transport (see options.schema.json and the shared delivery options). */
export interface WebhookOptions extends DeliveryOptions {
  url: string
  secret?: string
  headers?: Record<string, string>
  timeout_ms?: number
}

const optionsSchema = withDeliveryOptions(createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>)

/** The transport; `now` is injectable so tests can sign at a fixed time. */
export function createWebhookTransport(ctx: PluginContext, options: WebhookOptions, now: () => number = Date.now): DeliveringTransportInstance {
  const single = (options.batch_size ?? 1) === 1
  const timeout = options.timeout_ms ?? 10_000
  // Lower-cased so a custom header can never shadow ours whatever its case.
  const custom = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  return {
    delivery: deliverySpec({ batch_size: 1, ...options }),
    async deliver(batch) {
      const envelopes = batch.envelopes
      const body = JSON.stringify(single ? envelopes[0] : envelopes)
      const timestamp = Math.floor(now() / 1000)
      const headers: Record<string, string> = {
        ...custom,
        'content-type': 'application/json',
        'user-agent': 'tfdrift-webhook/1',
        [ID_HEADER]: envelopes.map((e) => e.id).join(','),
        [TIMESTAMP_HEADER]: String(timestamp),
        ...(options.secret ? { [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body) } : {}),
      }
      const result = await post(options.url, body, headers, timeout, batch.signal)
      return outcomeOf(result, envelopes[0]!.offset, envelopes[envelopes.length - 1]!.offset, 'The webhook receiver')
    },
    close() {
      ctx.logger.debug({ url: redactUrl(options.url) }, 'Webhook transport closed.')
    },
  }
}

/** The URL without credentials or query (tokens often live there), for logs. */
export function redactUrl(url: string): string {
  try { const u = new URL(url); return `${u.protocol}//${u.host}${u.pathname}` } catch { return '(invalid url)' }
}

export default definePlugin<'transport', WebhookOptions>({
  name: 'webhook',
  kind: 'transport',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'POSTs events as signed JSON to an HTTP endpoint, at least once, resuming from a stored checkpoint.',
  optionsSchema,
  create(ctx, options) {
    return createWebhookTransport(ctx, options)
  },
})

export { signWebhook, verifyWebhookSignature } from './sign.ts'

/** Config helper: `webhook({ url: 'https://…', secret: process.env.WEBHOOK_SECRET, route: { min_severity: 'high' } })`. */
export const webhook = nodeHelper<WebhookOptions>('webhook')
