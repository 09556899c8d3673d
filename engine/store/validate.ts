import type { ChangeEvent, Drift, RemediationPlan, Snapshot } from '../model.ts'
import { TfdriftError } from '../errors.ts'

type Check<T> = Array<[keyof T & string, 'string' | 'array']>

const DRIFT: Check<Drift> = [['id', 'string'], ['kind', 'string'], ['type', 'string'], ['provider', 'string'], ['severity', 'string'], ['detected_at', 'string'], ['status', 'string']]
const EVENT: Check<ChangeEvent> = [['id', 'string'], ['time', 'string'], ['event_name', 'string'], ['source', 'string']]
const PLAN: Check<RemediationPlan> = [['id', 'string'], ['drift_id', 'string'], ['status', 'string'], ['created_at', 'string']]
const SNAPSHOT: Check<Snapshot> = [['kind', 'string'], ['source', 'string'], ['taken_at', 'string'], ['resources', 'array']]

function check<T>(what: string, records: readonly T[], fields: Check<T>): void {
  if (!Array.isArray(records)) throw new TfdriftError('TFD_ERR_STORE_RECORD', `Expected a list of ${what}s.`)
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Record<string, unknown> | null
    for (const [field, kind] of fields) {
      const value = record?.[field]
      const ok = kind === 'array' ? Array.isArray(value) : typeof value === 'string' && value.length > 0
      if (!ok) throw new TfdriftError('TFD_ERR_STORE_RECORD', `${what} #${i} has no valid \`${field}\`; nothing of this call was saved.`)
    }
  }
}

/** Throws TFD_ERR_STORE_RECORD when a tenant is empty or a record lacks a field the store indexes. */
export function checkTenant(tenant: string): void {
  if (typeof tenant !== 'string' || tenant.length === 0) throw new TfdriftError('TFD_ERR_STORE_RECORD', 'The tenant must be a non-empty string.')
}
export function checkDrifts(drifts: readonly Drift[]): void {
  check('drift', drifts, DRIFT)
  drifts.forEach((d, i) => {
    if (Number.isNaN(Date.parse(d.detected_at))) throw new TfdriftError('TFD_ERR_STORE_RECORD', `drift #${i} has a detected_at that is not an ISO-8601 time; nothing of this call was saved.`)
  })
}
export const checkEvents = (events: readonly ChangeEvent[]) => check('change event', events, EVENT)
export const checkPlans = (plans: readonly RemediationPlan[]) => check('remediation plan', plans, PLAN)
export const checkSnapshot = (snapshot: Snapshot) => check('snapshot', [snapshot], SNAPSHOT)

/** Throws TFD_ERR_STORE_RECORD when a plugin-state scope or key is not a non-empty string. */
export function checkStateKeys(scope: string, entries: ReadonlyArray<readonly [string, unknown]>): void {
  if (typeof scope !== 'string' || scope.length === 0) throw new TfdriftError('TFD_ERR_STORE_RECORD', 'A plugin state scope must be a non-empty string.')
  if (!Array.isArray(entries)) throw new TfdriftError('TFD_ERR_STORE_RECORD', 'Expected a list of [key, value] plugin state entries.')
  for (const entry of entries) {
    if (typeof entry?.[0] !== 'string' || entry[0].length === 0) throw new TfdriftError('TFD_ERR_STORE_RECORD', 'A plugin state key must be a non-empty string; nothing of this call was saved.')
  }
}
