/** How flat a memory curve (RSS, JS heap) is once warm: a least-squares slope and the last/first ratio. */

export interface Sample { minutes: number; bytes: number }

/**
 * Judged from `warmMinutes` on (the relay's history fills up first, which is growth by design), or
 * from the second half of the run when that leaves fewer than three samples, which the line says.
 */
export function flatness(samples: Sample[], warmMinutes: number): { slopeMiBPerMin: number; ratio: number; line: string } {
  const valid = samples.filter((s) => Number.isFinite(s.bytes))
  if (valid.length < 2) return { slopeMiBPerMin: NaN, ratio: NaN, line: 'not measured (no /proc here)' }
  const end = valid[valid.length - 1]!.minutes
  let window = valid.filter((s) => s.minutes >= warmMinutes)
  const warm = window.length >= 3
  if (!warm) window = valid.filter((s) => s.minutes >= end / 2)
  const n = window.length
  const mx = window.reduce((a, s) => a + s.minutes, 0) / n
  const my = window.reduce((a, s) => a + s.bytes, 0) / n
  const sxx = window.reduce((a, s) => a + (s.minutes - mx) ** 2, 0)
  const slope = sxx > 0 ? window.reduce((a, s) => a + (s.minutes - mx) * (s.bytes - my), 0) / sxx / 2 ** 20 : 0
  const first = window[0]!
  const last = window[n - 1]!
  const ratio = last.bytes / first.bytes
  const mib = (b: number) => (b / 2 ** 20).toFixed(1)
  const from = warm ? `after warm-up (${warmMinutes.toFixed(1)} min, history full)` : 'over the second half (run shorter than warm-up: not a verdict on flatness)'
  return {
    slopeMiBPerMin: slope, ratio,
    line: `${mib(first.bytes)} → ${mib(last.bytes)} MiB ${from}: slope ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MiB/min, last/first ${ratio.toFixed(3)}; peak ${mib(Math.max(...valid.map((s) => s.bytes)))} MiB`,
  }
}
