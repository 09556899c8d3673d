/**
 * Per-tenant cache of the resource graph: rebuilt only when the latest expected snapshots change,
 * because building a 100k-node graph on every dashboard poll would dominate the server's CPU.
 */
import type { Snapshot } from '../../model.ts'
import type { Store } from '../../store/store.ts'
import { buildResourceGraph, snapshotsSignature, type ResourceGraph } from './graph-model.ts'

/** Max tenants/pipelines whose graphs are kept. */
const MAX_ENTRIES = 64

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
    const graph = buildResourceGraph(snapshots)
    this.entries.delete(key)
    this.entries.set(key, { signature, graph })
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    return graph
  }
}
