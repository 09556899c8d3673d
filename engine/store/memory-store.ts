import type { ChangeEvent, Drift, RemediationPlan, RemediationStatus, ResourceInstance, Severity, Snapshot } from '../model.ts'
import type { DeliveryCheckpoint, DriftQuery, DriftStatusChange, Page, PageRequest, Store } from './store.ts'
import type { Clock } from '../plugin-api.ts'
import { systemClock } from '../clock.ts'
import { TfdriftError } from '../errors.ts'
import { detected, mergeFromPipeline, withStatus } from '../drift/workflow.ts'
import { decodeCursor, encodeCursor, isAfter, normalisePage, severityRank } from './paging.ts'
import { checkDrifts, checkEvents, checkPlans, checkSnapshot, checkStateKeys, checkTenant } from './validate.ts'

interface TenantData {
  /** Latest snapshot per `pipeline \0 kind \0 source`. */
  snapshots: Map<string, { pipeline: string; snapshot: Snapshot }>
  events: Map<string, ChangeEvent>
  /** Drifts with their list-order key: detected_at in ms and the insertion sequence (ties: newest first). */
  drifts: Map<string, { drift: Drift; time: number; seq: number }>
  history: Map<string, DriftStatusChange[]>
  plans: Map<string, RemediationPlan>
  /** Plugin state: scope → key → value as JSON text, as the SQLite and Redis stores keep it (a value JSON cannot carry fails here too). */
  state: Map<string, Map<string, string>>
}

/** Same contract as the SQLite store, kept in Maps (tests, and `store: { kind: 'memory' }`). Records are copied in and out. */
export class MemoryStore implements Store {
  private readonly tenants = new Map<string, TenantData>()
  private readonly clock: Clock
  private closed = false
  private seq = 0
  /** Delivery checkpoints by `node \0 tenant \0 topic`. */
  private readonly checkpoints = new Map<string, DeliveryCheckpoint>()

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock
  }

  async saveSnapshot(tenant: string, pipeline: string, snapshot: Snapshot): Promise<void> {
    checkTenant(tenant); checkSnapshot(snapshot)
    this.data(tenant).snapshots.set(`${pipeline}\0${snapshot.kind}\0${snapshot.source}`, { pipeline, snapshot: clone(snapshot) })
  }

  async latestSnapshots(tenant: string, pipeline?: string, kind?: Snapshot['kind']): Promise<Snapshot[]> {
    return [...this.data(tenant).snapshots.entries()]
      .filter(([, v]) => (pipeline === undefined || v.pipeline === pipeline) && (kind === undefined || v.snapshot.kind === kind))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => clone(v.snapshot))
  }

  async listResources(tenant: string, query: PageRequest & { type?: string; provider?: string; pipeline?: string; kind?: Snapshot['kind'] }): Promise<Page<ResourceInstance>> {
    const kind = query.kind ?? 'expected'
    const rows: Array<{ key: string; resource: ResourceInstance }> = []
    for (const { pipeline, snapshot } of this.data(tenant).snapshots.values()) {
      if (snapshot.kind !== kind || (query.pipeline !== undefined && pipeline !== query.pipeline)) continue
      snapshot.resources.forEach((resource, seq) => {
        if (query.type !== undefined && resource.type !== query.type) return
        if (query.provider !== undefined && resource.provider !== query.provider) return
        rows.push({ key: `${resource.address ?? ''}\0${pipeline}\0${snapshot.source}\0${String(seq).padStart(10, '0')}`, resource })
      })
    }
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return paginate(rows.map((r) => r.resource), query)
  }

  async getResource(tenant: string, address: string): Promise<ResourceInstance | undefined> {
    for (const kind of ['expected', 'observed'] as const) {
      for (const { snapshot } of this.data(tenant).snapshots.values()) {
        if (snapshot.kind !== kind) continue
        const found = snapshot.resources.find((r) => r.address === address)
        if (found) return clone(found)
      }
    }
    return undefined
  }

  async saveChangeEvents(tenant: string, events: ChangeEvent[]): Promise<void> {
    checkTenant(tenant); checkEvents(events)
    const map = this.data(tenant).events
    for (const event of events) map.set(event.id, clone(event))
  }

  async listChangeEvents(tenant: string, query: PageRequest & { resource_id?: string; event_name?: string }): Promise<Page<ChangeEvent>> {
    const rows = [...this.data(tenant).events.values()]
      .filter((e) => (query.resource_id === undefined || e.resource_id === query.resource_id) && (query.event_name === undefined || e.event_name === query.event_name))
      .sort((a, b) => newestFirst(a.time, a.id, b.time, b.id))
    return paginate(rows, query)
  }

  async getChangeEvent(tenant: string, id: string): Promise<ChangeEvent | undefined> {
    return clone(this.data(tenant).events.get(id))
  }

  async saveDrifts(tenant: string, drifts: Drift[]): Promise<void> {
    checkTenant(tenant); checkDrifts(drifts)
    const data = this.data(tenant)
    for (const incoming of drifts) {
      const previous = data.drifts.get(incoming.id)
      if (!previous) {
        data.drifts.set(incoming.id, { drift: clone(incoming), time: Date.parse(incoming.detected_at), seq: ++this.seq })
        pushHistory(data, clone(detected(incoming)))
        continue
      }
      const { drift, entry } = mergeFromPipeline(previous.drift, incoming, this.clock.isoNow())
      data.drifts.set(drift.id, { drift: clone(drift), time: Date.parse(drift.detected_at), seq: previous.seq })
      if (entry) pushHistory(data, clone({ drift_id: drift.id, ...entry }))
    }
  }

  async openDriftAddresses(tenant: string): Promise<Array<{ address: string; severity: Severity }>> {
    checkTenant(tenant)
    const out: Array<{ address: string; severity: Severity }> = []
    for (const { drift } of this.data(tenant).drifts.values()) if (drift.status === 'open' && drift.address) out.push({ address: drift.address, severity: drift.severity })
    return out
  }

  async listDrifts(tenant: string, query: DriftQuery): Promise<Page<Drift>> {
    const min = query.severity_min !== undefined ? severityRank(query.severity_min) : undefined
    const matches = [...this.data(tenant).drifts.values()].filter(({ drift: d }) =>
      (query.severity === undefined || d.severity === query.severity) &&
      (min === undefined || severityRank(d.severity) <= min) &&
      (query.kind === undefined || d.kind === query.kind) &&
      (query.resource_type === undefined || d.type === query.resource_type) &&
      (query.provider === undefined || d.provider === query.provider) &&
      (query.status === undefined || d.status === query.status) &&
      (query.address === undefined || d.address === query.address))
    matches.sort((a, b) => (isAfter(a, b) ? 1 : isAfter(b, a) ? -1 : 0))
    const { page, limit, offset } = normalisePage(query)
    const cursor = decodeCursor(query.cursor)
    const from = cursor ? matches.findIndex((entry) => isAfter(entry, cursor)) : offset
    const start = from === -1 ? matches.length : from
    const slice = matches.slice(start, start + limit)
    const last = slice.at(-1)
    const more = start + limit < matches.length
    return { items: slice.map((entry) => clone(entry.drift)), total: matches.length, page, limit, ...(more && last ? { next_cursor: encodeCursor(last) } : {}) }
  }

  async getDrift(tenant: string, id: string): Promise<Drift | undefined> {
    return clone(this.data(tenant).drifts.get(id)?.drift)
  }

  async setDriftStatus(tenant: string, change: DriftStatusChange): Promise<Drift | undefined> {
    const data = this.data(tenant)
    const entry = data.drifts.get(change.drift_id)
    if (!entry) return undefined
    entry.drift = withStatus(entry.drift, change)
    pushHistory(data, clone({ ...change, action: change.action ?? 'status' }))
    return clone(entry.drift)
  }

  async driftHistory(tenant: string, driftId: string): Promise<DriftStatusChange[]> {
    return clone(this.data(tenant).history.get(driftId) ?? [])
  }

  async saveRemediations(tenant: string, plans: RemediationPlan[]): Promise<void> {
    checkTenant(tenant); checkPlans(plans)
    const map = this.data(tenant).plans
    for (const plan of plans) {
      // A decision (or obsolescence) outlives a replayed proposal.
      if (plan.status === 'proposed' && (map.get(plan.id)?.status ?? 'proposed') !== 'proposed') continue
      map.set(plan.id, clone(plan))
    }
  }

  async listRemediations(tenant: string, query: PageRequest & { status?: RemediationStatus }): Promise<Page<RemediationPlan>> {
    const rows = [...this.data(tenant).plans.values()]
      .filter((p) => query.status === undefined || p.status === query.status)
      .sort((a, b) => newestFirst(a.created_at, a.id, b.created_at, b.id))
    return paginate(rows, query)
  }

  async getRemediation(tenant: string, id: string): Promise<RemediationPlan | undefined> {
    return clone(this.data(tenant).plans.get(id))
  }

  async decideRemediation(tenant: string, id: string, status: 'approved' | 'rejected', by: string, reason?: string): Promise<RemediationPlan | undefined> {
    const plans = this.data(tenant).plans
    const plan = plans.get(id)
    if (!plan) return undefined
    const decided: RemediationPlan = { ...plan, status, decided_by: by, decided_at: this.clock.isoNow(), ...(reason !== undefined ? { reason } : {}) }
    plans.set(id, decided)
    return clone(decided)
  }

  async obsoleteRemediations(tenant: string, plans: RemediationPlan[], by: string): Promise<RemediationPlan[]> {
    checkTenant(tenant); checkPlans(plans)
    const map = this.data(tenant).plans
    const changed: RemediationPlan[] = []
    for (const plan of plans) {
      const current = map.get(plan.id) ?? plan
      if (current.status !== 'proposed') continue
      const obsolete: RemediationPlan = { ...current, status: 'obsolete', decided_by: by, decided_at: this.clock.isoNow() }
      map.set(plan.id, clone(obsolete))
      changed.push(obsolete)
    }
    return clone(changed)
  }

  async settleRemediations(tenant: string, ids: string[], status: 'applied' | 'failed', reason?: string): Promise<RemediationPlan[]> {
    checkTenant(tenant)
    const map = this.data(tenant).plans
    const changed: RemediationPlan[] = []
    for (const id of ids) {
      const current = map.get(id)
      if (current?.status !== 'approved') continue
      const settled: RemediationPlan = { ...current, status, ...(reason !== undefined ? { reason } : {}) }
      map.set(id, settled)
      changed.push(settled)
    }
    return clone(changed)
  }

  async loadPluginState(tenant: string, scope: string): Promise<Map<string, unknown>> {
    return new Map([...(this.data(tenant).state.get(scope) ?? [])].map(([key, json]) => [key, JSON.parse(json) as unknown]))
  }

  async savePluginState(tenant: string, scope: string, entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    checkTenant(tenant); checkStateKeys(scope, entries)
    const all = this.data(tenant).state
    let state = all.get(scope)
    if (!state) all.set(scope, (state = new Map()))
    for (const [key, value] of entries) {
      if (value === undefined) state.delete(key)
      else state.set(key, JSON.stringify(value))
    }
  }

  async loadCheckpoints(node: string): Promise<DeliveryCheckpoint[]> {
    this.data('')
    return [...this.checkpoints.values()].filter((c) => c.node === node).sort((a, b) => (a.tenant + a.topic).localeCompare(b.tenant + b.topic)).map(clone)
  }

  async saveCheckpoint(checkpoint: DeliveryCheckpoint): Promise<void> {
    checkTenant(checkpoint.tenant)
    this.data('')
    const { node, tenant, topic, epoch, offset } = checkpoint
    this.checkpoints.set(`${node}\0${tenant}\0${topic}`, { node, tenant, topic, epoch, offset, updated_at: this.clock.isoNow() })
  }

  async flush(): Promise<void> {
    this.data('')
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private data(tenant: string): TenantData {
    if (this.closed) throw new TfdriftError('TFD_ERR_STORE_CLOSED', 'The store is closed; it cannot be used after shutdown started.')
    let data = this.tenants.get(tenant)
    if (!data) {
      data = { snapshots: new Map(), events: new Map(), drifts: new Map(), history: new Map(), plans: new Map(), state: new Map() }
      if (tenant !== '') this.tenants.set(tenant, data)
    }
    return data
  }
}

function pushHistory(data: TenantData, change: DriftStatusChange): void {
  const list = data.history.get(change.drift_id)
  if (list) list.push(change)
  else data.history.set(change.drift_id, [change])
}

/** Newest first by time, then id descending — the order every list of the store uses. */
function newestFirst(timeA: string, idA: string, timeB: string, idB: string): number {
  if (timeA !== timeB) return timeA < timeB ? 1 : -1
  return idA === idB ? 0 : idA < idB ? 1 : -1
}

function paginate<T>(rows: T[], request: PageRequest): Page<T> {
  const { page, limit, offset } = normalisePage(request)
  return { items: rows.slice(offset, offset + limit).map(clone), total: rows.length, page, limit }
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value)
}
