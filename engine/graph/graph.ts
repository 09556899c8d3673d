/**
 * The resource graph: one node per resource instance, keyed by full address and findable by
 * `(type, id)` and ARN; edges point from a dependent to what it depends on, taken from state
 * `dependencies` (resolved to module instances: dependencies.ts) and from references inferred in
 * attribute values (references.ts). Several snapshots (state files) make one graph, so references
 * across states (a VPC in the network state, instances in the app state) become edges too.
 */
import type { ResourceInstance, Snapshot } from '../model.ts'
import { formatIndexKey, type ModuleStep } from '../terraform/address.ts'
import { DependencyIndex } from './dependencies.ts'
import { forEachCandidate } from './references.ts'

/** One resource instance in the graph (Cytoscape node data). */
export interface GraphNode {
  /** The instance address; `<address>@<source>` when another state already holds that address; `<type>:<id>` for unmanaged live objects. */
  id: string
  label: string
  address: string
  type: string
  name: string
  provider: string
  mode: 'managed' | 'data'
  module?: string
  index_key?: string | number
  resource_id?: string
  arn?: string
  /** The snapshot source the resource came from. */
  source: string
  status?: 'tainted'
}

/** `depends_on`: recorded in state; `reference`: inferred from an attribute value. */
export type EdgeKind = 'depends_on' | 'reference'

/** A dependent → dependency edge (Cytoscape edge data). */
export interface GraphEdge {
  id: string
  /** The dependent node. */
  source: string
  /** The node it depends on. */
  target: string
  /** `depends_on` when state records the dependency (whether or not a value also references it). */
  kind: EdgeKind
  /** Attribute paths whose values reference the target (`vpc_id`, `subnet_ids.0`). */
  via?: string[]
}

/** One resource affected when another changes. */
export interface ImpactEntry {
  id: string
  address: string
  type: string
  provider: string
  /** Hops from the resource asked about (1 = direct dependent). */
  depth: number
}

/** Options of buildGraph. */
export interface BuildGraphOptions {
  /** Infer edges from attribute values (default true). */
  inferReferences?: boolean
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** A built graph with lookups, impact queries and Cytoscape export. */
export class ResourceGraph {
  readonly nodes: GraphNode[] = []
  readonly edges: GraphEdge[] = []
  readonly byId = new Map<string, GraphNode>()
  /** node id → ids of nodes that depend on it. */
  readonly dependents = new Map<string, string[]>()
  /** node id → ids of nodes it depends on. */
  readonly dependencies = new Map<string, string[]>()
  private readonly byTypeId = new Map<string, GraphNode[]>()
  private readonly byResourceId = new Map<string, GraphNode[]>()
  private readonly byArn = new Map<string, GraphNode>()
  /** Edge lookup by `from * 2^22 + to` over node positions: numeric keys avoid hashing two long addresses per edge. */
  private readonly edgeIndex = new Map<number, GraphEdge>()
  private readonly position = new Map<string, number>()

  /** @internal used by buildGraph */
  addNode(node: GraphNode): void {
    this.position.set(node.id, this.nodes.length)
    this.nodes.push(node)
    this.byId.set(node.id, node)
    if (node.resource_id) {
      push(this.byTypeId, `${node.type}\u0000${node.resource_id}`, node)
      push(this.byResourceId, node.resource_id, node)
    }
    if (node.arn && !this.byArn.has(node.arn)) this.byArn.set(node.arn, node)
  }

  /** @internal adds or upgrades the edge `from → to`. */
  addEdge(from: string, to: string, kind: EdgeKind, via?: string): void {
    if (from === to) return
    const key = this.position.get(from)! * 4_194_304 + this.position.get(to)!
    let edge = this.edgeIndex.get(key)
    if (!edge) {
      edge = { id: `${from}->${to}`, source: from, target: to, kind }
      this.edgeIndex.set(key, edge)
      this.edges.push(edge)
      push(this.dependents, to, from)
      push(this.dependencies, from, to)
    } else if (kind === 'depends_on') edge.kind = 'depends_on'
    if (via) {
      edge.via ??= []
      if (!edge.via.includes(via)) edge.via.push(via)
    }
  }

  /** The node with this id (full address), if any. */
  node(id: string): GraphNode | undefined {
    return this.byId.get(id)
  }

  /** Nodes of `type` whose cloud id is `id` (several when states overlap). */
  findByTypeId(type: string, id: string): GraphNode[] {
    return this.byTypeId.get(`${type}\u0000${id}`) ?? []
  }

  /** Nodes whose cloud id is `id`, any type. */
  findById(id: string): GraphNode[] {
    return this.byResourceId.get(id) ?? []
  }

  /** The node with this ARN. */
  findByArn(arn: string): GraphNode | undefined {
    return this.byArn.get(arn)
  }

  /** Everything that depends on `id`, directly or transitively, nearest first. Unknown id → []. */
  impact(id: string): ImpactEntry[] {
    const out: ImpactEntry[] = []
    const visited = new Set([id])
    let frontier = [id]
    for (let depth = 1; frontier.length > 0; depth++) {
      const next: string[] = []
      for (const current of frontier) {
        for (const dependent of this.dependents.get(current) ?? []) {
          if (visited.has(dependent)) continue
          visited.add(dependent)
          next.push(dependent)
          const n = this.byId.get(dependent)!
          out.push({ id: n.id, address: n.address, type: n.type, provider: n.provider, depth })
        }
      }
      frontier = next
    }
    return out
  }

  /** Cytoscape.js JSON (`cy.json()` shape): `{ elements: { nodes: [{ data }], edges: [{ data }] } }`. */
  toCytoscape(): { elements: { nodes: Array<{ data: GraphNode }>; edges: Array<{ data: GraphEdge }> } } {
    return { elements: { nodes: this.nodes.map((data) => ({ data })), edges: this.edges.map((data) => ({ data })) } }
  }
}

/** Builds the graph of the snapshots' resource instances (deposed objects are left out: they are leftovers, not part of the design). */
export function buildGraph(snapshots: Snapshot[], opts: BuildGraphOptions = {}): ResourceGraph {
  const graph = new ResourceGraph()
  const entries: Array<{ node: GraphNode; r: ResourceInstance; modules?: ModuleStep[] }> = []
  // Per source: state dependencies name resources of their own state.
  const resourcesBySource = new Map<string, DependencyIndex>()
  for (const snapshot of snapshots) {
    let local = resourcesBySource.get(snapshot.source)
    if (!local) resourcesBySource.set(snapshot.source, (local = new DependencyIndex()))
    for (const r of snapshot.resources) {
      if (r.deposed) continue
      let id = r.address || `${r.type}:${r.resource_id ?? r.arn ?? entries.length}`
      if (graph.byId.has(id)) id = `${id}@${snapshot.source}`
      if (graph.byId.has(id)) continue
      const node: GraphNode = {
        id,
        label: r.address ? `${r.type}.${r.name}${formatIndexKey(r.index_key)}` : `${r.type} ${r.resource_id ?? r.arn ?? ''}`.trim(),
        address: r.address,
        type: r.type,
        name: r.name,
        provider: r.provider,
        mode: r.mode,
        source: snapshot.source,
        ...(r.module ? { module: r.module } : {}),
        ...(r.index_key !== undefined ? { index_key: r.index_key } : {}),
        ...(r.resource_id ? { resource_id: r.resource_id } : {}),
        ...(r.arn ? { arn: r.arn } : {}),
        ...(r.status ? { status: r.status } : {}),
      }
      graph.addNode(node)
      entries.push({ node, r, ...(r.address ? { modules: local.add(r, id) } : {}) })
    }
  }
  for (const { node, r, modules } of entries) {
    const local = resourcesBySource.get(node.source)!
    for (const dep of r.dependencies ?? []) {
      const found = local.resolve(dep, modules ?? [])
      const targets = found.length > 0 ? found : graph.byId.has(dep) ? [dep] : []
      for (const to of targets) graph.addEdge(node.id, to, 'depends_on')
    }
  }
  if (opts.inferReferences !== false) {
    for (const { node, r } of entries) {
      forEachCandidate(r.attributes, (value, path) => {
        const targets = resolveReference(graph, value, node)
        if (targets.length === 0) return
        const via = path()
        for (const target of targets) graph.addEdge(node.id, target.id, 'reference', via)
      })
    }
  }
  return graph
}

/** Managed nodes a value names: by ARN first, else by cloud id (ambiguous ids name at most 4 nodes). */
function resolveReference(graph: ResourceGraph, value: string, from: GraphNode): GraphNode[] {
  const byArn = graph.findByArn(value)
  if (byArn) return byArn.mode === 'managed' && byArn !== from ? [byArn] : []
  const byId = graph.findById(value)
  if (byId.length === 0) return byId
  const matches = byId.filter((n) => n.mode === 'managed' && n !== from && n.resource_id !== from.resource_id)
  return matches.length <= 4 ? matches : []
}
