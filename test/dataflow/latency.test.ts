/**
 * The sampled latency histogram behind `metrics.pipeline`: percentiles within the bucket resolution,
 * a stride that keeps a busy node's timed items near the target, and exclusive time for nested operators.
 */
import { describe, expect, it } from 'vitest'
import { LatencyHistogram, TARGET_SAMPLES, timedNext } from '../../engine/dataflow/latency.ts'

/** Busy-waits `ms` (timers are too coarse for sub-millisecond work). */
function spin(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* spin */ }
}

describe('LatencyHistogram', () => {
  it('reports p50/p95/p99 within a quarter octave, then starts a new window', () => {
    const h = new LatencyHistogram()
    // 1..1000 µs, uniformly: p50 ≈ 500 µs, p95 ≈ 950 µs, p99 ≈ 990 µs.
    for (let i = 1; i <= 1000; i++) h.record(i / 1000)
    const s = h.take()
    expect(s.samples).toBe(1000)
    for (const [got, want] of [[s.p50, 500], [s.p95, 950], [s.p99, 990]] as const) {
      expect(got! / want).toBeGreaterThan(2 ** -0.25)
      expect(got! / want).toBeLessThan(2 ** 0.25)
    }
    expect(h.take()).toEqual({ samples: 0, p50: null, p95: null, p99: null })
  })

  it('times every item of a quiet node, widens the stride once a window has enough, and adapts it to the rate', () => {
    const h = new LatencyHistogram()
    let timed = 0
    for (let i = 0; i < 10; i++) if (h.due()) { timed++; h.record(0.001) }
    expect(timed).toBe(10)
    for (let i = 0; i < 100_000; i++) if (h.due()) { timed++; h.record(0.001) }
    // Stride 1 up to TARGET_SAMPLES, then one in 1024 until the first window closes.
    expect(timed).toBeLessThan(TARGET_SAMPLES + 100_000 / 1024 + 2)
    h.take()
    h.adapt(1_000_000)
    let next = 0
    for (let i = 0; i < 1_000_000; i++) if (h.due()) next++
    expect(next).toBeGreaterThanOrEqual(TARGET_SAMPLES - 1)
    expect(next).toBeLessThanOrEqual(TARGET_SAMPLES + 1)
    h.adapt(3)
    expect(h.stride).toBe(1)
  })

  it('moves samples between histograms (one tenant, several publishers)', () => {
    const a = new LatencyHistogram()
    const b = new LatencyHistogram()
    a.record(1)
    b.record(1)
    a.moveTo(b)
    expect(a.count).toBe(0)
    expect(b.take(1e6)).toMatchObject({ samples: 2 })
  })

  it('subtracts the time of nested timed deliveries from the outer one', () => {
    const outer = new LatencyHistogram()
    const inner = new LatencyHistogram()
    const downstream = { next: () => spin(5) }
    const upstream = { next: () => { spin(1); timedNext(inner, downstream, 0) } }
    // The fastest of a few runs, so a preemption on a loaded machine does not decide the result.
    let own = Infinity
    for (let i = 0; i < 5; i++) {
      timedNext(outer, upstream, 0)
      own = Math.min(own, outer.take(1e6).p50!)
    }
    expect(inner.take(1e6)).toMatchObject({ samples: 5, p50: expect.any(Number) })
    // About 1 ms of its own; counted inclusively it would be 6 ms or more (buckets are within ~9%).
    expect(own).toBeGreaterThan(0.8)
    expect(own).toBeLessThan(3)
  })
})
