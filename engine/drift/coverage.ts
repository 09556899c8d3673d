/** Drift coverage as driftctl defines it: managed / (managed + unmanaged + missing), in percent. */
import type { Coverage } from '../model.ts'

/** Builds the coverage figures; `managed` counts instances found on both sides (in sync or modified). */
export function coverageOf(counts: { managed: number; unmanaged: number; missing: number; modified: number }): Coverage {
  const total = counts.managed + counts.unmanaged + counts.missing
  const percent = total === 0 ? 100 : Math.round((counts.managed / total) * 10000) / 100
  return { ...counts, percent }
}
