/** Waiting helpers of the delivery loop: an abortable sleep and a per-node pacer. */

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Spaces `deliver()` calls of one node at least `intervalMs` apart over all its streams (Slack allows
 * one message per second per channel; a node posts to one channel). Calls run one at a time and the
 * interval counts from the end of the previous one: a receiver counts requests as they arrive, and the
 * time a request spends on the way varies, so spacing only the starts could put two within a second.
 */
export class Pacer {
  private tail: Promise<void> = Promise.resolve()
  private lastEnd = -Infinity
  constructor(private readonly intervalMs: number) {}
  /** Waits for this node's turn; call the returned function when the call has ended. */
  async turn(signal: AbortSignal): Promise<() => void> {
    if (this.intervalMs <= 0) return () => {}
    let release!: () => void
    const previous = this.tail
    this.tail = new Promise<void>((resolve) => { release = () => { this.lastEnd = performance.now(); resolve() } })
    await previous
    await sleep(this.lastEnd + this.intervalMs - performance.now(), signal)
    return release
  }
}

/** A one-shot wake-up that can be re-armed: the loop waits on it, new events and finished batches fire it. */
export class Wakeup {
  private pending = false
  private waiter: (() => void) | undefined
  fire(): void {
    this.pending = true
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }
  /** Clears a pending wake-up; call before looking for work, then `wait()` if there was none. */
  clear(): void { this.pending = false }
  wait(signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => { signal.removeEventListener('abort', done); this.waiter = undefined; resolve() }
      this.waiter = done
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
