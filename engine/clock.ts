import type { Clock } from './plugin-api.ts'

let isoAt = Number.NaN
let iso = ''

/** The real wall clock. `isoNow` formats once per millisecond: ingest asks it per event, thousands of times per ms. */
export const systemClock: Clock = {
  now: () => Date.now(),
  isoNow: () => {
    const ms = Date.now()
    if (ms !== isoAt) { isoAt = ms; iso = new Date(ms).toISOString() }
    return iso
  },
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
