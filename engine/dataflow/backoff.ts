/** Restart backoff: capped exponential, reset once an instance has run healthy for a while. */
export interface BackoffOptions {
  /** First delay, ms (default 100). */
  initial_ms: number
  /** Cap, ms (default 30000). */
  max_ms: number
  /** An instance that ran this long without failing starts again from `initial_ms` (default 60000). */
  reset_after_ms: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initial_ms: 100, max_ms: 30_000, reset_after_ms: 60_000 }

/** Delay before restart number `attempt` (0-based). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  return Math.min(opts.max_ms, opts.initial_ms * 2 ** Math.min(attempt, 30))
}
