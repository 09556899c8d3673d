/**
 * `slack` transport: Block Kit digests of drifts (see message.ts) through an incoming webhook or
 * `chat.postMessage`. The engine paces calls `min_interval_ms` apart and hands each call everything
 * that queued up meanwhile (up to `batch_size`), which is how a burst becomes a few digests within
 * Slack's one-message-per-second limit. A 429 backs off for Slack's Retry-After. Secrets (the webhook
 * URL, the bot token) are never logged: errors name the endpoint kind only.
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type DeliveringTransportInstance, type DeliveryOutcome, type PluginContext } from '../../../engine/plugin-api.ts'
import { deliverySpec, withDeliveryOptions, type DeliveryOptions } from '../../../engine/delivery/options.ts'
import { TfdriftError } from '../../../engine/errors.ts'
import { outcomeOf, post } from '../webhook/http.ts'
import { slackMessage } from './message.ts'

/** Options of the `slack` transport (see options.schema.json and the shared delivery options). */
export interface SlackOptions extends DeliveryOptions {
  webhook_url?: string
  token?: string
  channel?: string
  api_url?: string
  dashboard_url?: string
  max_items?: number
  min_interval_ms?: number
  timeout_ms?: number
}

const optionsSchema = withDeliveryOptions(createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>, { batch_size: 200, max_attempts: 20 })

/** chat.postMessage errors that no retry can cure for this message. */
const MESSAGE_REFUSED = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text', 'too_many_attachments', 'invalid_arguments'])

export function createSlackTransport(ctx: PluginContext, options: SlackOptions): DeliveringTransportInstance {
  const viaApi = options.token !== undefined
  if (viaApi === (options.webhook_url !== undefined) || (viaApi && !options.channel)) {
    throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', 'The slack transport needs either webhook_url, or token and channel (not both).', { hint: 'Set webhook_url to an incoming webhook, or token (xoxb-…) with channel for chat.postMessage.' })
  }
  const timeout = options.timeout_ms ?? 10_000
  const what = viaApi ? 'Slack chat.postMessage' : 'The Slack incoming webhook'
  const url = viaApi ? `${(options.api_url ?? 'https://slack.com/api').replace(/\/$/, '')}/chat.postMessage` : options.webhook_url!
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(viaApi ? { authorization: `Bearer ${options.token}` } : {}) }
  return {
    delivery: deliverySpec({ batch_size: 200, max_attempts: 20, ...options }, { min_interval_ms: options.min_interval_ms ?? 1000 }),
    async deliver(batch): Promise<DeliveryOutcome> {
      const envelopes = batch.envelopes
      const message = slackMessage(envelopes, { max_items: options.max_items ?? 10, dashboard_url: options.dashboard_url, tenant: batch.tenant })
      const body = JSON.stringify(viaApi ? { channel: options.channel, unfurl_links: false, ...message } : message)
      const result = await post(url, body, headers, timeout, batch.signal)
      const first = envelopes[0]!.offset
      const last = envelopes[envelopes.length - 1]!.offset
      if (!viaApi || result.status !== 200) return outcomeOf(result, first, last, what)
      // The Web API answers 200 with { ok: false, error } for most failures.
      let answer: { ok?: boolean; error?: string }
      try { answer = JSON.parse(result.text) as typeof answer } catch { answer = {} }
      if (answer.ok) return { outcome: 'delivered', up_to: last }
      const error = answer.error ?? 'unknown_error'
      if (MESSAGE_REFUSED.has(error)) return { outcome: 'give_up', offset: first, reason: `${what} refused the message: ${error}` }
      return { outcome: 'back_off', reason: `${what} failed: ${error}${/auth|token|channel|not_in/.test(error) ? ' (check the token, its chat:write scope and the channel)' : ''}` }
    },
    close() { ctx.logger.debug({ via: viaApi ? 'chat.postMessage' : 'incoming webhook' }, 'Slack transport closed.') },
  }
}

export default definePlugin<'transport', SlackOptions>({
  name: 'slack',
  kind: 'transport',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Posts drifts to Slack as Block Kit digests (incoming webhook or chat.postMessage), at least once, within the 1 message/s limit.',
  optionsSchema,
  create(ctx, options) {
    return createSlackTransport(ctx, options)
  },
})

/** Config helper: `slack({ webhook_url: process.env.SLACK_WEBHOOK_URL, route: { min_severity: 'high' } })`. */
export const slack = nodeHelper<SlackOptions>('slack')
