/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` (the timestamp binds the signature to one
 * moment, so a captured request cannot be replayed later), sent as `X-Tfdrift-Signature: sha256=<hex>`
 * beside `X-Tfdrift-Timestamp: <unix seconds>`. Receivers recompute it with `verifyWebhookSignature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-tfdrift-signature'
export const TIMESTAMP_HEADER = 'x-tfdrift-timestamp'
export const ID_HEADER = 'x-tfdrift-event-id'

/** `sha256=<hex>` of `<timestamp>.<body>` under `secret`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * True when `signature` is the one `secret` gives for this timestamp and body, and the timestamp is
 * within `toleranceSeconds` of `nowSeconds` (default 300). Compares in constant time.
 */
export function verifyWebhookSignature(secret: string, timestamp: string | undefined, body: string, signature: string | undefined, opts: { nowSeconds?: number; toleranceSeconds?: number } = {}): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
