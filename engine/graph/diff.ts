/**
 * What changed between two resource graphs, by node id and edge id. A node or edge whose id stays but
 * whose data changed (a resource tainted, an edge upgraded from `reference` to `depends_on`) is
 * reported as added again: a client adds or replaces items by id, so one list serves "new" and "changed" alike and
 * applying the same diff twice is harmless.
 */
import type { GraphEdge, GraphNode } from './graph.ts'

/** The nodes and edges of a graph (a ResourceGraph, or any plain shape in tests). */
export interface GraphShape {
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
}

/** Structural changes from one graph to the next. */
export interface GraphDiff {
  /** Nodes new in `next`, or whose data differs from `prev`'s node of the same id (to add or replace). */
  nodes_added: GraphNode[]
  /** Ids of nodes of `prev` that `next` lacks. */
  nodes_removed: string[]
  /** Edges new in `next`, or whose kind/via differ. */
  edges_added: GraphEdge[]
  /** Ids of edges of `prev` that `next` lacks. */
  edges_removed: string[]
}

/** Diffs `prev` → `next` in one pass over each side; `prev` undefined means empty (everything is new). */
export function diffGraphs(prev: GraphShape | undefined, next: GraphShape): GraphDiff {
  const out: GraphDiff = { nodes_added: [], nodes_removed: [], edges_added: [], edges_removed: [] }
  if (prev === next) return out
  const prevNodes = new Map((prev?.nodes ?? []).map((n) => [n.id, n]))
  for (const node of next.nodes) {
    const before = prevNodes.get(node.id)
    if (!before || !sameRecord(before, node)) out.nodes_added.push(node)
    prevNodes.delete(node.id)
  }
  out.nodes_removed = [...prevNodes.keys()]
  const prevEdges = new Map((prev?.edges ?? []).map((e) => [e.id, e]))
  for (const edge of next.edges) {
    const before = prevEdges.get(edge.id)
    if (!before || !sameEdge(before, edge)) out.edges_added.push(edge)
    prevEdges.delete(edge.id)
  }
  out.edges_removed = [...prevEdges.keys()]
  return out
}

/** True when the diff holds no change. */
export function isEmptyDiff(diff: GraphDiff): boolean {
  return diff.nodes_added.length + diff.nodes_removed.length + diff.edges_added.length + diff.edges_removed.length === 0
}

// Graph nodes hold only primitive values, so a shallow comparison is exact.
function sameRecord(a: object, b: object): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false
  return true
}

function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  if (a.source !== b.source || a.target !== b.target || a.kind !== b.kind) return false
  const va = a.via ?? [], vb = b.via ?? []
  return va.length === vb.length && va.every((v, i) => v === vb[i])
}
