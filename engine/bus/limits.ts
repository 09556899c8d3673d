import type { BusHistoryLimits } from './bus.ts'

/** History retained per (tenant, topic) stream unless configured otherwise. */
export const DEFAULT_HISTORY_LIMITS: BusHistoryLimits = { max_events: 10_000, max_age_ms: 24 * 60 * 60 * 1000 }

/** Default page size of `history()` when the caller gives none, and its upper bound. */
export const DEFAULT_HISTORY_PAGE = 1000
export const MAX_HISTORY_PAGE = 10_000

/** Merges partial limits over the defaults; non-positive or non-finite values fall back to the default. */
export function resolveHistoryLimits(partial: Partial<BusHistoryLimits> | undefined): BusHistoryLimits {
  const pick = (value: number | undefined, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
  return {
    max_events: pick(partial?.max_events, DEFAULT_HISTORY_LIMITS.max_events),
    max_age_ms: pick(partial?.max_age_ms, DEFAULT_HISTORY_LIMITS.max_age_ms),
  }
}

/** Clamps a requested history page size to [1, MAX_HISTORY_PAGE]. */
export function historyPageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_HISTORY_PAGE
  return Math.max(1, Math.min(MAX_HISTORY_PAGE, Math.floor(limit)))
}
