/** Backoff: exponential ceilings 1 s → 30 s cap, full jitter within [0, ceiling], reset. */
import { describe, expect, it } from 'vitest'
import { Backoff } from '../../engine/client/backoff.ts'

describe('Backoff', () => {
  it('doubles the ceiling from 1 s up to the 30 s cap', () => {
    const b = new Backoff({ random: () => 0.999999 })
    const delays = Array.from({ length: 9 }, () => b.next())
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000])
  })

  it('full jitter: with random 0 the delay is 0, and every delay lies in [0, ceiling]', () => {
    expect(new Backoff({ random: () => 0 }).next()).toBe(0)
    const b = new Backoff()
    const seen = new Set<number>()
    for (let i = 0; i < 200; i++) {
      const ceiling = b.ceiling()
      const d = b.next()
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(ceiling)
      seen.add(d)
    }
    // Jitter really spreads delays (200 capped draws from [0, 30000] are not all equal).
    expect(seen.size).toBeGreaterThan(100)
  })

  it('reset starts again from the base; attempts counts calls', () => {
    const b = new Backoff({ base_ms: 100, cap_ms: 1000, random: () => 0.999999 })
    b.next(); b.next(); b.next()
    expect(b.attempts).toBe(3)
    expect(b.ceiling()).toBe(800)
    b.reset()
    expect(b.attempts).toBe(0)
    expect(b.next()).toBe(100)
  })

  it('never overflows after very many attempts', () => {
    const b = new Backoff({ random: () => 0.5 })
    for (let i = 0; i < 5000; i++) b.next()
    expect(b.next()).toBe(15000)
  })
})
