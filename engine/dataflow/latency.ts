/**
 * Sampled latency histograms for the live metrics: log-scale buckets (four per octave, so a reported
 * percentile is within about 9% of the true value) in one preallocated array. Recording allocates
 * nothing, and only every `stride`-th item is timed: reading the clock costs ~50–100 ns, as much as
 * a node's whole hot path, so timing every item of a 1M/s pipeline would halve its throughput.
 */

/** Buckets per octave. */
const PER_OCTAVE = 4
/** 1 ns … 2^40 ns (about 18 minutes); slower items land in the last bucket. */
const BUCKETS = 40 * PER_OCTAVE
/** Samples per window that are enough for a p99; past them the stride widens (see `adapt`). */
export const TARGET_SAMPLES = 256
/** The stride a busy node switches to within its first window, before `adapt` has seen a rate. */
const BUSY_STRIDE = 1024
const MAX_STRIDE = 4096

/** Percentiles of one window, microseconds (or the unit `take` is asked for); null when nothing was sampled. */
export interface LatencySummary { samples: number; p50: number | null; p95: number | null; p99: number | null }

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(BUCKETS)
  /** Samples in the current window. */
  count = 0
  /** Calls of `due` left before the next timed one. */
  countdown = 0
  /** Time every `stride`-th item. Starts at 1 so a quiet node is fully measured from its first item. */
  stride = 1

  /** True when this item is to be timed (every `stride`-th call). */
  due(): boolean {
    if (--this.countdown > 0) return false
    this.countdown = this.stride
    return true
  }

  /** Adds one duration in milliseconds (what `performance.now()` differences are). */
  record(ms: number): void {
    const ns = ms * 1e6
    const i = ns <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(ns) * PER_OCTAVE))
    this.buckets[i]!++
    // A busy node must not stay at stride 1 for a whole first window (up to millions of timed items).
    if (++this.count === TARGET_SAMPLES && this.stride < BUSY_STRIDE) this.stride = BUSY_STRIDE
  }

  /** Moves this histogram's samples into `into` and clears it (merging the publishers of one tenant). */
  moveTo(into: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) into.buckets[i]! += this.buckets[i]!
    into.count += this.count
    this.clear()
  }

  /** The window's percentiles (bucket midpoints, in units of `unitNs` nanoseconds), then a new window. */
  take(unitNs = 1000): LatencySummary {
    const samples = this.count
    if (samples === 0) return { samples, p50: null, p95: null, p99: null }
    const out = { samples, p50: this.quantile(0.5, unitNs), p95: this.quantile(0.95, unitNs), p99: this.quantile(0.99, unitNs) }
    this.clear()
    return out
  }

  /** Sets the stride for the next window from the items the last one saw, aiming at `TARGET_SAMPLES`. */
  adapt(items: number): void {
    this.stride = Math.max(1, Math.min(MAX_STRIDE, Math.floor(items / TARGET_SAMPLES)))
    if (this.countdown > this.stride) this.countdown = this.stride
  }

  private quantile(q: number, unitNs: number): number {
    const rank = Math.ceil(q * this.count)
    let seen = 0
    let i = 0
    for (; i < BUCKETS - 1; i++) if ((seen += this.buckets[i]!) >= rank) break
    const mid = 2 ** ((i + 0.5) / PER_OCTAVE)
    return round3(i === 0 ? 1 / unitNs : mid / unitNs)
  }

  private clear(): void {
    this.buckets.fill(0)
    this.count = 0
  }
}

/** Three significant digits: the buckets are not finer than that. */
function round3(v: number): number {
  if (v === 0) return 0
  const d = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))))
  return Number(v.toFixed(Math.min(d, 9)))
}

/**
 * Exclusive timing across synchronous nesting: an operator's `next` runs downstream operators on the
 * same call stack, so the time they take is subtracted from the caller's sample. While any timed call
 * is open, nested deliveries are timed too (or their time could not be subtracted).
 */
const nesting = { depth: 0, inner: 0 }

/**
 * 0, or Infinity while a timed delivery is on the stack: an operator's hot path is one decrement and
 * one comparison, `--countdown > forceBelow`, which also sends every nested delivery to the timed path.
 */
export let forceBelow = 0

/** Calls `input.next(item)` and records its own time (less nested timed deliveries) into `histogram`. */
export function timedNext<T>(histogram: LatencyHistogram, input: { next(value: T): void }, item: T): void {
  const outer = nesting.inner
  nesting.inner = 0
  nesting.depth++
  forceBelow = Infinity
  const t0 = performance.now()
  try {
    input.next(item)
  } finally {
    const elapsed = performance.now() - t0
    if (--nesting.depth === 0) forceBelow = 0
    histogram.record(Math.max(0, elapsed - nesting.inner))
    nesting.inner = outer + elapsed
  }
}
