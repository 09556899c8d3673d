/**
 * Per-tenant cache of the resource graph (H4's `buildGraph`): rebuilt only when the latest expected
 * snapshots change, because building a 100k-node graph on every dashboard poll would dominate the
 * server's CPU.
 */
import type { Snapshot } from '../../model.ts'
import type { Store } from '../../store/store.ts'
import { buildGraph, type ResourceGraph } from '../../graph/index.ts'

/** Max tenants/pipelines whose graphs are kept. */
const MAX_ENTRIES = 64

/** Snapshot identity for cache invalidation: source, time, serial and size of each. */
export function snapshotsSignature(snapshots: Snapshot[]): string {
  return snapshots.map((s) => `${s.source}|${s.taken_at}|${s.serial ?? ''}|${s.lineage ?? ''}|${s.resources.length}`).join('\n')
}

/** Graphs by tenant (and optional pipeline), invalidated by snapshot identity. */
export class GraphCache {
  private readonly entries = new Map<string, { signature: string; graph: ResourceGraph }>()

  constructor(private readonly store: Store) {}

  /** The graph of the tenant's latest expected snapshots (of one pipeline, or all). */
  async get(tenant: string, pipeline?: string): Promise<ResourceGraph> {
    const snapshots: Snapshot[] = await this.store.latestSnapshots(tenant, pipeline, 'expected')
    const key = `${tenant}\u0000${pipeline ?? ''}`
    const signature = snapshotsSignature(snapshots)
    const hit = this.entries.get(key)
    if (hit && hit.signature === signature) return hit.graph
    const graph = buildGraph(snapshots)
    this.entries.delete(key)
    this.entries.set(key, { signature, graph })
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    return graph
  }
}
