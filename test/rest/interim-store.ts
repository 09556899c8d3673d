/**
 * INTERIM: a minimal Store over arrays, used only until H3's memory store lands; replaced then.
 */
import { SEVERITIES, type ChangeEvent, type Drift, type RemediationPlan, type Snapshot } from '../../engine/model.ts'
import type { DriftStatusChange, Page, Store } from '../../engine/store/store.ts'

function page<T>(items: T[], p = 1, l = 50): Page<T> {
  return { items: items.slice((p - 1) * l, p * l), total: items.length, page: p, limit: l }
}

export function interimStore(): Store {
  const snaps: Array<{ tenant: string; pipeline: string; s: Snapshot }> = []
  const events: Array<{ tenant: string; e: ChangeEvent }> = []
  const drifts = new Map<string, { tenant: string; d: Drift }>()
  const history: Array<{ tenant: string; c: DriftStatusChange }> = []
  const plans = new Map<string, { tenant: string; p: RemediationPlan }>()
  const latest = (tenant: string, pipeline?: string, kind?: Snapshot['kind']) => {
    const byKey = new Map<string, Snapshot>()
    for (const x of snaps) if (x.tenant === tenant && (!pipeline || x.pipeline === pipeline) && (!kind || x.s.kind === kind)) byKey.set(`${x.pipeline}|${x.s.kind}|${x.s.source}`, x.s)
    return [...byKey.values()]
  }
  return {
    async saveSnapshot(tenant, pipeline, s) { snaps.push({ tenant, pipeline, s }) },
    async latestSnapshots(tenant, pipeline, kind) { return latest(tenant, pipeline, kind) },
    async listResources(tenant, q) {
      const all = latest(tenant, q.pipeline, 'expected').flatMap((s) => s.resources).filter((r) => (!q.type || r.type === q.type) && (!q.provider || r.provider === q.provider))
      return page(all, q.page, q.limit)
    },
    async getResource(tenant, address) { return latest(tenant, undefined, 'expected').flatMap((s) => s.resources).find((r) => r.address === address) },
    async saveChangeEvents(tenant, es) { for (const e of es) events.push({ tenant, e }) },
    async listChangeEvents(tenant, q) {
      return page(events.filter((x) => x.tenant === tenant && (!q.resource_id || x.e.resource_id === q.resource_id) && (!q.event_name || x.e.event_name === q.event_name)).map((x) => x.e), q.page, q.limit)
    },
    async getChangeEvent(tenant, id) { return events.find((x) => x.tenant === tenant && x.e.id === id)?.e },
    async saveDrifts(tenant, ds) { for (const d of ds) drifts.set(`${tenant}|${d.id}`, { tenant, d }) },
    async listDrifts(tenant, q) {
      const min = q.severity_min ? SEVERITIES.indexOf(q.severity_min) : 99
      return page([...drifts.values()].filter((x) => x.tenant === tenant).map((x) => x.d).filter((d) =>
        (!q.severity || d.severity === q.severity) && (!q.severity_min || SEVERITIES.indexOf(d.severity) <= min) && (!q.kind || d.kind === q.kind) &&
        (!q.resource_type || d.type === q.resource_type) && (!q.provider || d.provider === q.provider) && (!q.status || d.status === q.status) && (!q.address || d.address === q.address)), q.page, q.limit)
    },
    async getDrift(tenant, id) { return drifts.get(`${tenant}|${id}`)?.d },
    async setDriftStatus(tenant, c) {
      const x = drifts.get(`${tenant}|${c.drift_id}`)
      if (!x) return undefined
      x.d = { ...x.d, status: c.status }
      history.push({ tenant, c })
      return x.d
    },
    async driftHistory(tenant, id) { return history.filter((h) => h.tenant === tenant && h.c.drift_id === id).map((h) => h.c) },
    async saveRemediations(tenant, ps) { for (const p of ps) plans.set(`${tenant}|${p.id}`, { tenant, p }) },
    async listRemediations(tenant, q) { return page([...plans.values()].filter((x) => x.tenant === tenant && (!q.status || x.p.status === q.status)).map((x) => x.p), q.page, q.limit) },
    async getRemediation(tenant, id) { return plans.get(`${tenant}|${id}`)?.p },
    async decideRemediation(tenant, id, status, by) {
      const x = plans.get(`${tenant}|${id}`)
      if (!x) return undefined
      x.p = { ...x.p, status, decided_by: by, decided_at: new Date().toISOString() }
      return x.p
    },
    async flush() {},
    async close() {},
  }
}
