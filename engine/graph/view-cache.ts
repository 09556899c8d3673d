/**
 * Per-tenant cache of what the graph, state and stats views (REST, the live `stats` topic) derive from the latest snapshots: the
 * resource graph (`buildGraph` of engine/graph) and snapshot summaries. Loading 50k resources from the store
 * takes about a second, so within `ttl_ms` a cached view is served without touching the store; past
 * it the snapshots are reloaded, and the graph is rebuilt only when their identity changed. Loads of one
 * view never overlap and each new tenant-wide graph is shown to watchers (the live `graph` stream), so
 * every graph the API serves is one the stream published a delta to.
 */
import type { Snapshot } from '../model.ts'
import type { Store } from '../store/store.ts'
import { buildGraph, type ResourceGraph } from './index.ts'
import { DriftMarksReader } from './drift-marks.ts'

/** Max tenants/pipelines whose views are kept. */
const MAX_ENTRIES = 64

/** Snapshot metadata without its resources. */
export interface SnapshotMeta {
  kind: Snapshot['kind']
  source: string
  taken_at: string
  serial?: number
  lineage?: string
  terraform_version?: string
  covered_types?: string[]
  resource_count: number
}

/** What one tenant's latest snapshots amount to. */
export interface StateView {
  graph: ResourceGraph
  snapshots: SnapshotMeta[]
  /** Resources of the expected snapshots. */
  resource_count: number
  /** Managed resources of the expected snapshots (the coverage base). */
  managed_count: number
  by_type: Record<string, number>
  by_provider: Record<string, number>
  /** Sensitive marks by address, from expected and observed snapshots alike: a mark on either side masks both. */
  sensitive_paths: Map<string, Array<Array<string | number>>>
}

/** Snapshot identity for invalidation: source, time, serial, lineage and size of each. */
export function snapshotsSignature(snapshots: Snapshot[]): string {
  return snapshots.map((s) => `${s.source}|${s.taken_at}|${s.serial ?? ''}|${s.lineage ?? ''}|${s.resources.length}`).join('\n')
}

interface Entry { view: StateView; expectedSignature: string; checked: number }
interface Loading { promise: Promise<StateView>; stale: boolean }

/** Told each tenant-wide graph the cache builds (a new graph object means the expected snapshots changed). */
export type GraphWatcher = (tenant: string, graph: ResourceGraph) => void

/** State views by tenant (and optional pipeline). */
export class GraphCache {
  private readonly entries = new Map<string, Entry>()
  private readonly loading = new Map<string, Loading>()
  private readonly watchers = new Set<GraphWatcher>()
  /** Drift marks (worst open drift per address), read through the same object so REST and the live graph share one reader. */
  readonly marks: DriftMarksReader

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {
    this.marks = new DriftMarksReader(store)
  }

  /** The tenant's view (of one pipeline, or all). */
  async view(tenant: string, pipeline?: string): Promise<StateView> {
    const key = `${tenant}\u0000${pipeline ?? ''}`
    const entry = this.entries.get(key)
    if (entry && Date.now() - entry.checked < this.ttlMs) return entry.view
    const inflight = this.loading.get(key)
    if (inflight && !inflight.stale) return inflight.promise
    // Loads of one key never overlap, so views (and watchers) follow the store's order; a load asked for
    // after `expire` starts after the one in flight, which may have read the snapshots before the change.
    const start = inflight ? inflight.promise.then(noop, noop) : Promise.resolve()
    const promise = start.then(() => this.load(tenant, pipeline)).finally(() => {
      if (this.loading.get(key)?.promise === promise) this.loading.delete(key)
    })
    this.loading.set(key, { promise, stale: false })
    return promise
  }

  /** The resource graph of the tenant's latest expected snapshots. */
  async get(tenant: string, pipeline?: string): Promise<ResourceGraph> {
    return (await this.view(tenant, pipeline)).graph
  }

  /** Makes the tenant's next read reload its snapshots (they were just written), whatever the TTL says. */
  expire(tenant: string): void {
    const prefix = `${tenant}\u0000`
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) entry.checked = 0
    for (const [key, loading] of this.loading) if (key.startsWith(prefix)) loading.stale = true
  }

  /** Calls `watcher` with each newly built graph of a tenant's whole view (no pipeline filter); returns the unwatch function. */
  watch(watcher: GraphWatcher): () => void {
    this.watchers.add(watcher)
    return () => { this.watchers.delete(watcher) }
  }

  private async load(tenant: string, pipeline: string | undefined): Promise<StateView> {
    const [expected, observed] = await Promise.all([
      this.store.latestSnapshots(tenant, pipeline, 'expected'),
      this.store.latestSnapshots(tenant, pipeline, 'observed'),
    ])
    const expectedSignature = snapshotsSignature(expected)
    const key = `${tenant}\u0000${pipeline ?? ''}`
    const previous = this.entries.get(key)
    // Summaries are one cheap pass; the graph (reference inference) is the cost worth keeping.
    const graph = previous?.expectedSignature === expectedSignature ? previous.view.graph : buildGraph(expected)
    const view = summarise(graph, expected, observed)
    this.entries.delete(key)
    this.entries.set(key, { view, expectedSignature, checked: Date.now() })
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    if (pipeline === undefined && graph !== previous?.view.graph) for (const watcher of this.watchers) watcher(tenant, graph)
    return view
  }
}

function noop(): void {}

function summarise(graph: ResourceGraph, expected: Snapshot[], observed: Snapshot[]): StateView {
  const byType: Record<string, number> = {}
  const byProvider: Record<string, number> = {}
  let count = 0
  let managed = 0
  for (const s of expected) {
    for (const r of s.resources) {
      count++
      if (r.mode === 'managed') managed++
      byType[r.type] = (byType[r.type] ?? 0) + 1
      byProvider[r.provider] = (byProvider[r.provider] ?? 0) + 1
    }
  }
  const sensitive = new Map<string, Array<Array<string | number>>>()
  for (const s of [...expected, ...observed]) {
    for (const r of s.resources) {
      if (!r.sensitive_paths?.length) continue
      const marks = sensitive.get(r.address)
      if (marks) marks.push(...r.sensitive_paths)
      else sensitive.set(r.address, [...r.sensitive_paths])
    }
  }
  const snapshots = [...expected, ...observed].map((s): SnapshotMeta => ({
    kind: s.kind, source: s.source, taken_at: s.taken_at, resource_count: s.resources.length,
    ...(s.serial !== undefined ? { serial: s.serial } : {}), ...(s.lineage ? { lineage: s.lineage } : {}),
    ...(s.terraform_version ? { terraform_version: s.terraform_version } : {}), ...(s.covered_types ? { covered_types: s.covered_types } : {}),
  }))
  return { graph, snapshots, resource_count: count, managed_count: managed, by_type: byType, by_provider: byProvider, sensitive_paths: sensitive }
}
