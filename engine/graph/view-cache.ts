/**
 * Per-tenant cache of what the graph, state and stats views (REST, the live `stats` topic) derive from the latest snapshots: the
 * resource graph (`buildGraph` of engine/graph) and snapshot summaries. Loading 50k resources from the store
 * takes about a second, so within `ttl_ms` a cached view is served without touching the store; past
 * it the snapshots are reloaded, and the graph is rebuilt only when their identity changed.
 */
import type { Snapshot } from '../model.ts'
import type { Store } from '../store/store.ts'
import { buildGraph, type ResourceGraph } from './index.ts'

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

interface Entry { view: StateView; expectedSignature: string; checked: number; loading?: Promise<StateView> }

/** State views by tenant (and optional pipeline). */
export class GraphCache {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  /** The tenant's view (of one pipeline, or all). */
  async view(tenant: string, pipeline?: string): Promise<StateView> {
    const key = `${tenant}\u0000${pipeline ?? ''}`
    const entry = this.entries.get(key)
    if (entry && Date.now() - entry.checked < this.ttlMs) return entry.view
    if (entry?.loading) return entry.loading
    const loading = this.load(tenant, pipeline, entry)
    if (entry) entry.loading = loading
    try {
      return await loading
    } finally {
      if (entry) entry.loading = undefined
    }
  }

  /** The resource graph of the tenant's latest expected snapshots. */
  async get(tenant: string, pipeline?: string): Promise<ResourceGraph> {
    return (await this.view(tenant, pipeline)).graph
  }

  private async load(tenant: string, pipeline: string | undefined, previous: Entry | undefined): Promise<StateView> {
    const [expected, observed] = await Promise.all([
      this.store.latestSnapshots(tenant, pipeline, 'expected'),
      this.store.latestSnapshots(tenant, pipeline, 'observed'),
    ])
    const expectedSignature = snapshotsSignature(expected)
    const key = `${tenant}\u0000${pipeline ?? ''}`
    // Summaries are one cheap pass; the graph (reference inference) is the cost worth keeping.
    const graph = previous?.expectedSignature === expectedSignature ? previous.view.graph : buildGraph(expected)
    const view = summarise(graph, expected, observed)
    this.entries.delete(key)
    this.entries.set(key, { view, expectedSignature, checked: Date.now() })
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    return view
  }
}

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
