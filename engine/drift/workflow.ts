/**
 * The drift workflow: which status changes people may make, and how a status set by hand meets the
 * pipeline's own view of the drift. Both stores merge through `mergeFromPipeline`, so the rule holds
 * wherever drifts are kept, whatever order the tracker's events and the REST calls arrive in.
 */
import type { Drift, DriftStatus } from '../model.ts'
import type { DriftStatusChange } from '../store/store.ts'

export type DriftAction = 'acknowledge' | 'snooze' | 'reopen' | 'resolve'

/** The status each action leads to, and the statuses it may start from. */
export const TRANSITIONS: Record<DriftAction, { to: DriftStatus; from: readonly DriftStatus[] }> = {
  acknowledge: { to: 'acknowledged', from: ['open', 'snoozed'] },
  snooze: { to: 'snoozed', from: ['open', 'acknowledged'] },
  reopen: { to: 'open', from: ['acknowledged', 'snoozed', 'remediated', 'resolved'] },
  resolve: { to: 'resolved', from: ['open', 'acknowledged', 'snoozed', 'remediated'] },
}

/** Who a status change is attributed to when nobody made it by hand. */
export const SNOOZE_EXPIRED = 'tfdrift:snooze-expired'
export const DRIFT_CHANGED = 'tfdrift:drift-changed'

/** The drift with a status set by hand: who/when/why travel with it so the stream and REST show them. */
export function withStatus(drift: Drift, change: DriftStatusChange): Drift {
  const { snoozed_until: _until, status_by: _by, status_at: _at, status_note: _note, ...rest } = drift
  return {
    ...rest,
    status: change.status,
    ...(change.by !== undefined ? { status_by: change.by } : {}),
    status_at: change.changed_at,
    ...(change.note !== undefined ? { status_note: change.note } : {}),
    ...(change.status === 'snoozed' && change.until !== undefined ? { snoozed_until: change.until } : {}),
  }
}

/** What makes a drift "another drift" for a snooze: not the actor becoming known, which the tracker also re-emits. */
function substance(d: Drift): string {
  return JSON.stringify([d.kind, d.severity, d.changes ?? null])
}

/**
 * Merges the pipeline's version of a known drift with the stored one. The tracker knows nothing of
 * people's decisions and re-emits `open`: an acknowledgement survives that; a snooze survives it unless
 * the drift itself changed (then it reopens); a manual resolve survives a replay of the same drift.
 * The pipeline's `resolved` / `remediated` always win — the drift is gone or fixed, whatever was decided.
 * Returns the drift to store and the history entry the save adds, if any.
 */
export function mergeFromPipeline(prev: Drift, next: Drift, now: string): { drift: Drift; entry?: Omit<DriftStatusChange, 'drift_id'> } {
  const changed = substance(prev) !== substance(next)
  const held = prev.status_by !== undefined && next.status === 'open' && (
    prev.status === 'acknowledged' ||
    ((prev.status === 'snoozed' || prev.status === 'resolved') && !changed))
  if (held) {
    const { status_by, status_at, status_note, snoozed_until } = prev
    const drift: Drift = { ...next, status: prev.status, status_by, status_at, ...(status_note !== undefined ? { status_note } : {}), ...(snoozed_until !== undefined ? { snoozed_until } : {}) }
    return { drift, ...(changed || JSON.stringify(prev.actor) !== JSON.stringify(next.actor) ? { entry: updated(drift, now) } : {}) }
  }
  if (next.status === prev.status) {
    return { drift: next, ...(changed || JSON.stringify(prev.actor) !== JSON.stringify(next.actor) ? { entry: updated(next, now) } : {}) }
  }
  const by = prev.status === 'snoozed' && next.status === 'open' ? DRIFT_CHANGED : undefined
  return { drift: next, entry: { action: 'status', status: next.status, changed_at: now, ...(by ? { by } : {}), note: by ? 'the drift changed while snoozed' : 'updated by the pipeline' } }
}

function updated(d: Drift, now: string): Omit<DriftStatusChange, 'drift_id'> {
  return { action: 'updated', status: d.status, changed_at: now, ...(d.actor ? { actor: d.actor } : {}) }
}

/** The history entry of a first detection. */
export function detected(d: Drift): DriftStatusChange {
  return { drift_id: d.id, action: 'detected', status: d.status, changed_at: d.detected_at, ...(d.actor ? { actor: d.actor } : {}) }
}
