import type { Clock } from './plugin-api.ts'

/** The real wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  isoNow: () => new Date().toISOString(),
}

/** A clock tests move by hand. */
export function manualClock(startMs = Date.parse('2026-01-01T00:00:00.000Z')): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = startMs
  return {
    now: () => current,
    isoNow: () => new Date(current).toISOString(),
    advance(ms) { current += ms },
    set(ms) { current = ms },
  }
}
