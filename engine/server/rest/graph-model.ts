/**
 * The resource graph the REST API serves: one node per resource instance of the latest expected
 * snapshots, one edge per Terraform dependency (dependent → dependency). State `dependencies` name
 * resources, not instances, so a dependency edge goes to every instance of the named resource.
 * Graphs are cached per tenant and rebuilt only when the snapshots change.
 */
import type { ResourceInstance, Snapshot } from '../../model.ts'

export interface GraphNode {
  id: string
  label: string
  type: string
  provider: string
  mode: string
  module?: string
  resource_id?: string
  /** The snapshot source the resource came from. */
  source: string
  drift_severity?: string
  drift_count?: number
}

export interface GraphEdge {
  id: string
  source: string
  target: string
  kind: 'depends_on'
}

export interface ResourceGraph {
  nodes: GraphNode[]
  edges: GraphEdge[]
  byId: Map<string, GraphNode>
  /** Reverse adjacency: node id → ids of nodes that depend on it. */
  dependents: Map<string, string[]>
}

/** `module.a.aws_x.y` / `data.aws_x.y` — the resource address without the instance key. */
export function resourceAddress(r: Pick<ResourceInstance, 'module' | 'mode' | 'type' | 'name'>): string {
  const local = `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`
  return r.module ? `${r.module}.${local}` : local
}

/** Builds nodes and edges from snapshots; the first snapshot to name an address wins. */
export function buildResourceGraph(snapshots: Snapshot[]): ResourceGraph {
  const nodes: GraphNode[] = []
  const byId = new Map<string, GraphNode>()
  const instancesOf = new Map<string, string[]>()
  const withDeps: Array<[string, string[]]> = []
  for (const snapshot of snapshots) {
    for (const r of snapshot.resources) {
      if (!r.address || byId.has(r.address)) continue
      const node: GraphNode = {
        id: r.address, label: r.module ? `${r.type}.${r.name}${keySuffix(r)}` : r.address, type: r.type,
        provider: r.provider, mode: r.mode, source: snapshot.source,
        ...(r.module ? { module: r.module } : {}), ...(r.resource_id ? { resource_id: r.resource_id } : {}),
      }
      nodes.push(node)
      byId.set(node.id, node)
      const key = resourceAddress(r)
      const list = instancesOf.get(key)
      if (list) list.push(node.id)
      else instancesOf.set(key, [node.id])
      if (r.dependencies?.length) withDeps.push([node.id, r.dependencies])
    }
  }
  const edges: GraphEdge[] = []
  const dependents = new Map<string, string[]>()
  const seen = new Set<string>()
  for (const [from, deps] of withDeps) {
    for (const dep of deps) {
      const targets = instancesOf.get(dep) ?? (byId.has(dep) ? [dep] : [])
      for (const to of targets) {
        const id = `${from}->${to}`
        if (to === from || seen.has(id)) continue
        seen.add(id)
        edges.push({ id, source: from, target: to, kind: 'depends_on' })
        const list = dependents.get(to)
        if (list) list.push(from)
        else dependents.set(to, [from])
      }
    }
  }
  return { nodes, edges, byId, dependents }
}

function keySuffix(r: ResourceInstance): string {
  if (r.index_key === undefined) return ''
  return typeof r.index_key === 'number' ? `[${r.index_key}]` : `[${JSON.stringify(r.index_key)}]`
}

export interface ImpactEntry {
  address: string
  type: string
  provider: string
  /** Hops from the changed resource (1 = direct dependent). */
  depth: number
}

/** Every node that depends on `address`, directly or transitively, breadth-first (nearest first). */
export function impactOf(graph: ResourceGraph, address: string): ImpactEntry[] {
  const out: ImpactEntry[] = []
  const visited = new Set([address])
  let frontier = [address]
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: string[] = []
    for (const id of frontier) {
      for (const dependent of graph.dependents.get(id) ?? []) {
        if (visited.has(dependent)) continue
        visited.add(dependent)
        next.push(dependent)
        const node = graph.byId.get(dependent)!
        out.push({ address: dependent, type: node.type, provider: node.provider, depth })
      }
    }
    frontier = next
  }
  return out
}

/** Cytoscape.js elements JSON. */
export function toCytoscapeElements(graph: Pick<ResourceGraph, 'nodes' | 'edges'>): { nodes: Array<{ data: GraphNode }>; edges: Array<{ data: GraphEdge }> } {
  return { nodes: graph.nodes.map((data) => ({ data })), edges: graph.edges.map((data) => ({ data })) }
}

/** Snapshot identity for cache invalidation: source, time, serial and size of each. */
export function snapshotsSignature(snapshots: Snapshot[]): string {
  return snapshots.map((s) => `${s.source}|${s.taken_at}|${s.serial ?? ''}|${s.resources.length}`).join('\n')
}
