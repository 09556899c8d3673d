/**
 * Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff
 * and Jitter"): delay = random(0, min(cap, base · 2^attempt)). Full jitter spreads a crowd of clients
 * reconnecting after a server restart instead of having them all return in the same instant.
 */

export interface BackoffOptions {
  /** First ceiling, ms (default 1000). */
  base_ms?: number
  /** Largest ceiling, ms (default 30000). */
  cap_ms?: number
  /** Random source in [0, 1) (tests pass their own). */
  random?: () => number
}

/** Stateful backoff: `next()` gives the next delay, `reset()` after a stable connection. */
export class Backoff {
  private attempt = 0
  private readonly base: number
  private readonly cap: number
  private readonly random: () => number

  constructor(options: BackoffOptions = {}) {
    this.base = options.base_ms ?? 1000
    this.cap = options.cap_ms ?? 30_000
    this.random = options.random ?? Math.random
  }

  /** The ceiling of the next delay (before jitter). */
  ceiling(): number {
    // 2^attempt overflows to Infinity long after it passed the cap; min() keeps it finite.
    return Math.min(this.cap, this.base * 2 ** Math.min(this.attempt, 52))
  }

  /** The next delay in ms, uniformly in [0, ceiling]; each call doubles the ceiling up to the cap. */
  next(): number {
    const delay = Math.floor(this.random() * (this.ceiling() + 1))
    this.attempt++
    return Math.min(delay, this.cap)
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt
  }

  reset(): void {
    this.attempt = 0
  }
}
