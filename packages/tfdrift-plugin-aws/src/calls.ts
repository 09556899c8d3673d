/**
 * Every AWS call of a scan goes through one `Calls`: at most `concurrency` in flight (over all accounts,
 * regions and services), the SDK's adaptive retry inside each, and past the SDK's attempts our own bound —
 * capped exponential backoff with full jitter on throttling, until `max_retry_ms` has passed on that call.
 */
import { isThrottled } from './errors.ts'

export interface CallStats {
  /** HTTP requests sent (every attempt, counted by client middleware). */
  requests: number
  /** Calls that the SDK gave up on as throttled and we retried ourselves. */
  retried: number
}

export class Calls {
  readonly stats: CallStats = { requests: 0, retried: 0 }
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly concurrency: number, private readonly maxRetryMs: number, private readonly signal?: AbortSignal) {}

  /** Runs `fn` under the concurrency bound, retrying throttling the SDK gave up on. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      const started = Date.now()
      for (let attempt = 0; ; attempt++) {
        this.signal?.throwIfAborted()
        try {
          return await fn()
        } catch (error) {
          if (!isThrottled(error) || Date.now() - started >= this.maxRetryMs) throw error
          this.stats.retried++
          const ceiling = Math.min(20_000, 250 * 2 ** Math.min(attempt, 10))
          await sleep(Math.min(Math.random() * ceiling, this.maxRetryMs - (Date.now() - started)), this.signal)
        }
      }
    } finally {
      this.release()
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) { this.active++; return Promise.resolve() }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve() }))
  }

  private release(): void {
    this.active--
    this.waiting.shift()?.()
  }
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, Math.max(0, ms))
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Maps `items` through `fn` with results in order; the bound on calls lives in `Calls`, not here. */
export async function mapAll<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map(fn))
}
