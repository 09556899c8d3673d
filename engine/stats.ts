/**
 * A tenant's drift statistics — drift counts by kind, severity and status, coverage, totals — computed
 * from the store and its state view. One code path for `GET /api/v1/stats` and the live `stats` topic.
 */
import { SEVERITIES, type Coverage, type DriftKind, type DriftStatus, type RemediationStatus, type Severity } from './model.ts'
import type { Store } from './store/store.ts'
import type { GraphCache } from './graph/view-cache.ts'

export const KINDS: DriftKind[] = ['missing', 'unmanaged', 'modified']
export const STATUSES: DriftStatus[] = ['open', 'acknowledged', 'snoozed', 'remediated', 'resolved']
export const PLAN_STATUSES: RemediationStatus[] = ['proposed', 'approved', 'rejected', 'applied', 'failed', 'obsolete']
/** Statuses that still count against coverage: the drift exists and nobody fixed it yet. */
const ACTIVE: DriftStatus[] = ['open', 'acknowledged', 'snoozed']

/** A tenant's drift statistics: what `GET /api/v1/stats` serves (less `runtime`) and `stats.summary` publishes. */
export interface StatsSummary {
  drifts: { total: number; by_kind: Record<DriftKind, number>; by_severity: Record<Severity, number>; by_status: Record<DriftStatus, number> }
  coverage: Coverage
  resources: number
  events: number
  remediations: { total: number; by_status: Record<RemediationStatus, number> }
}

/** Computes a tenant's statistics from the store and its state view (one code path for REST and the live `stats` topic). */
export async function computeStats(store: Store, graphs: GraphCache, tenant: string): Promise<StatsSummary> {
  // Counting through `total` with limit 1 keeps this O(queries), never O(drifts) in memory.
  const count = async (q: Parameters<typeof store.listDrifts>[1]) => (await store.listDrifts(tenant, { ...q, page: 1, limit: 1 })).total
  const [total, byKind, bySeverity, byStatus, active, view, events, plans, planStatus] = await Promise.all([
    count({}),
    Promise.all(KINDS.map((kind) => count({ kind }))),
    Promise.all(SEVERITIES.map((severity) => count({ severity }))),
    Promise.all(STATUSES.map((status) => count({ status }))),
    Promise.all(KINDS.map(async (kind) => (await Promise.all(ACTIVE.map((status) => count({ kind, status })))).reduce((a, b) => a + b, 0))),
    graphs.view(tenant),
    store.listChangeEvents(tenant, { page: 1, limit: 1 }),
    store.listRemediations(tenant, { page: 1, limit: 1 }),
    Promise.all(PLAN_STATUSES.map(async (status) => (await store.listRemediations(tenant, { status, page: 1, limit: 1 })).total)),
  ])
  const inState = view.managed_count
  return {
    drifts: { total, by_kind: zip(KINDS, byKind), by_severity: zip(SEVERITIES, bySeverity), by_status: zip(STATUSES, byStatus) },
    coverage: computeCoverage(inState, { missing: active[0]!, unmanaged: active[1]!, modified: active[2]! }),
    resources: inState,
    events: events.total,
    remediations: { total: plans.total, by_status: zip(PLAN_STATUSES, planStatus) },
  }
}

/**
 * Coverage as driftctl defines it. `managed` counts resources in state that were found live
 * (state resources minus missing ones); with nothing to compare, coverage is 100%.
 */
export function computeCoverage(inState: number, drifts: { missing: number; unmanaged: number; modified: number }): Coverage {
  const managed = Math.max(0, inState - drifts.missing)
  const denominator = managed + drifts.unmanaged + drifts.missing
  const percent = denominator === 0 ? 100 : Math.round((managed / denominator) * 10000) / 100
  return { managed, unmanaged: drifts.unmanaged, missing: drifts.missing, modified: drifts.modified, percent }
}

function zip<K extends string>(keys: readonly K[], values: number[]): Record<K, number> {
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? 0])) as Record<K, number>
}
