import type {
  Actor, ChangeEvent, Drift, DriftKind, DriftStatus, RemediationPlan, RemediationStatus, ResourceInstance, Severity, Snapshot,
} from '../model.ts'

/** A page of results; `total` counts every match, not just this page. */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  limit: number
  /** Opaque keyset cursor for the page after this one (listDrifts); absent when this page is the last. */
  next_cursor?: string
}

export interface PageRequest {
  /** 1-based. */
  page?: number
  /** Default 50, max 1000. */
  limit?: number
}

export interface DriftQuery extends PageRequest {
  severity?: Severity
  /** Only drifts at least this severe. */
  severity_min?: Severity
  kind?: DriftKind
  resource_type?: string
  provider?: string
  status?: DriftStatus
  address?: string
  /**
   * Keyset cursor from a previous page's `next_cursor`: continues after that page in the same order
   * (newest `detected_at` first) and ignores `page`, so deep pages cost the same as the first.
   */
  cursor?: string
}

/**
 * One entry of a drift's history: `detected` (first seen), `updated` (the pipeline saw it change) or
 * `status` (someone, or the pipeline, moved its status). `status` is the drift's status after the entry.
 */
export interface DriftStatusChange {
  drift_id: string
  /** Absent means `status` (what callers of `setDriftStatus` record). */
  action?: 'detected' | 'updated' | 'status'
  status: DriftStatus
  changed_at: string
  by?: string
  note?: string
  /** For `snoozed`: when it reopens by itself. */
  until?: string
  /** For `detected` / `updated`: who made the change, when the change event told. */
  actor?: Actor
}

/**
 * Where a delivering transport node stands on one (tenant, topic) stream: every envelope up to
 * `offset` of bus epoch `epoch` was delivered (or dead-lettered). See `engine/delivery/runner.ts`.
 */
export interface DeliveryCheckpoint {
  node: string
  tenant: string
  topic: string
  epoch: string
  offset: number
  /** Set by the store when saved. */
  updated_at?: string
}

/**
 * Persistent state: snapshots and their resources, change events, drifts with status history,
 * remediation plans. Everything is scoped by tenant. Implementations: SQLite (`sqlite-store.ts`,
 * the default) and memory (`memory-store.ts`, for tests); both pass `test/store/store-contract.test.ts`.
 * Writes may be batched; `flush()` makes everything written so far durable and visible.
 */
export interface Store {
  saveSnapshot(tenant: string, pipeline: string, snapshot: Snapshot): Promise<void>
  /** Latest snapshot of a kind per source of a pipeline. */
  latestSnapshots(tenant: string, pipeline?: string, kind?: Snapshot['kind']): Promise<Snapshot[]>
  /** Resources of the latest snapshots, ordered by address; `kind` defaults to `expected` (what Terraform manages). */
  listResources(tenant: string, query: PageRequest & { type?: string; provider?: string; pipeline?: string; kind?: Snapshot['kind'] }): Promise<Page<ResourceInstance>>
  /** A resource of the latest snapshots by address, the expected side first. */
  getResource(tenant: string, address: string): Promise<ResourceInstance | undefined>

  saveChangeEvents(tenant: string, events: ChangeEvent[]): Promise<void>
  listChangeEvents(tenant: string, query: PageRequest & { resource_id?: string; event_name?: string }): Promise<Page<ChangeEvent>>
  getChangeEvent(tenant: string, id: string): Promise<ChangeEvent | undefined>

  /** Insert or update by id, merged with a status set by hand; each detection, change and status move joins the history. */
  saveDrifts(tenant: string, drifts: Drift[]): Promise<void>
  listDrifts(tenant: string, query: DriftQuery): Promise<Page<Drift>>
  /** The address and severity of every open drift that has an address: what graph drift marks need, without reading whole drifts. */
  openDriftAddresses(tenant: string): Promise<Array<{ address: string; severity: Severity }>>
  getDrift(tenant: string, id: string): Promise<Drift | undefined>
  /**
   * Sets the status by hand: the drift keeps who/when/why (`status_by`, `status_at`, `status_note`, `snoozed_until`)
   * and a later `saveDrifts` from the pipeline keeps that status (see `engine/drift/workflow.ts` `mergeFromPipeline`).
   */
  setDriftStatus(tenant: string, change: DriftStatusChange): Promise<Drift | undefined>
  driftHistory(tenant: string, driftId: string): Promise<DriftStatusChange[]>

  saveRemediations(tenant: string, plans: RemediationPlan[]): Promise<void>
  listRemediations(tenant: string, query: PageRequest & { status?: RemediationStatus }): Promise<Page<RemediationPlan>>
  getRemediation(tenant: string, id: string): Promise<RemediationPlan | undefined>
  /** Records the decision, who made it and, for a rejection, why (`reason`). */
  decideRemediation(tenant: string, id: string, status: 'approved' | 'rejected', by: string, reason?: string): Promise<RemediationPlan | undefined>
  /**
   * Marks plans `obsolete` (`decided_by` = `by`, `decided_at` = now) unless someone decided them: a proposed
   * plan, or one not saved yet, becomes obsolete; any other status stays. Returns the plans this call changed.
   * (`saveRemediations` never turns a plan that is no longer proposed back into a proposal.)
   */
  obsoleteRemediations(tenant: string, plans: RemediationPlan[], by: string): Promise<RemediationPlan[]>
  /**
   * Records the outcome of approved plans (verification): each plan of `ids` that is `approved` now becomes
   * `status` (`reason` set when given; who approved it and when stay); any other status stays. Returns the
   * plans this call changed.
   */
  settleRemediations(tenant: string, ids: string[], status: 'applied' | 'failed', reason?: string): Promise<RemediationPlan[]>

  /** A plugin's own state, kept across restarts: JSON values by key within a scope the plugin names (e.g. its node). */
  loadPluginState(tenant: string, scope: string): Promise<Map<string, unknown>>
  /** Upserts entries of a plugin's state; an entry whose value is `undefined` deletes its key. Batched like every write. */
  savePluginState(tenant: string, scope: string, entries: ReadonlyArray<readonly [key: string, value: unknown]>): Promise<void>

  /** Every checkpoint of a delivering transport node. */
  loadCheckpoints(node: string): Promise<DeliveryCheckpoint[]>
  /**
   * Upserts a checkpoint by (node, tenant, topic). Not batched: it is durable when the promise resolves,
   * so a process killed right after still resumes from it (duplicates stay limited to the batch in flight).
   */
  saveCheckpoint(checkpoint: DeliveryCheckpoint): Promise<void>

  flush(): Promise<void>
  close(): Promise<void>
}
