/**
 * What the HTTP transports share (public from `tfdrift` as postHttp, httpOutcome, retryAfterMs): a POST with a timeout that the engine's stop can
 * abort, and the reading of an answer into the delivery vocabulary (which statuses are worth a retry,
 * and the receiver's Retry-After).
 */
import type { DeliveryOutcome } from '../plugin-api.ts'

export interface PostResult { status: number; headers: Headers; text: string }

/** POSTs `body`; rejects on network errors and on timeout (with a message that names neither headers nor secrets). */
export async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<PostResult> {
  const timeout = AbortSignal.timeout(timeoutMs)
  try {
    const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.any([signal, timeout]) })
    // Read to the end so the keep-alive connection is reused; receivers answer briefly.
    const text = await res.text()
    return { status: res.status, headers: res.headers, text }
  } catch (error) {
    if (timeout.aborted) throw new Error(`the receiver did not answer within ${timeoutMs} ms`)
    const cause = (error as { cause?: { code?: string } }).cause?.code
    throw new Error(`the request failed${cause ? ` (${cause})` : ''}: ${(error as Error).message}`)
  }
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Statuses after which the same request may succeed later (overload, outage, timeout). */
const TRANSIENT = new Set([408, 425, 429])
/** Statuses saying the payload itself is refused: retrying the same event cannot help. */
const REFUSED = new Set([400, 413, 415, 422])

/**
 * The outcome of an answer to a batch whose offsets end at `lastOffset`. Other 4xx (401, 403, 404, 410)
 * are configuration problems an operator can fix, so they back off (and dead-letter after max_attempts)
 * rather than give up at once.
 */
export function outcomeOf(result: PostResult, firstOffset: number, lastOffset: number, what: string): DeliveryOutcome {
  const { status } = result
  if (status >= 200 && status < 300) return { outcome: 'delivered', up_to: lastOffset }
  const retry = retryAfterMs(result.headers.get('retry-after'))
  if (REFUSED.has(status)) return { outcome: 'give_up', offset: firstOffset, reason: `${what} refused the event with HTTP ${status}: ${result.text.slice(0, 200)}` }
  const hint = status === 401 || status === 403 ? ' (check the credentials)' : status === 404 || status === 410 ? ' (check the URL)' : ''
  return {
    outcome: 'back_off',
    reason: `${what} answered HTTP ${status}${hint}`,
    ...(retry !== undefined && (TRANSIENT.has(status) || status >= 500) ? { retry_after_ms: retry } : {}),
  }
}
