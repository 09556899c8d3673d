/**
 * The `graph.delta` event data (schemas/events/graph.delta.schema.json): how a tenant's resource graph
 * changed, for clients that load the graph once and then follow the `graph` topic. Every list is a set
 * operation by id (upsert, remove), so applying a delta twice changes nothing.
 */
import type { Severity } from '../model.ts'
import type { GraphEdge } from './graph.ts'
import type { MarkedNode } from './drift-marks.ts'

/** A node whose worst open drift or open drift count changed. */
export interface NodeDriftChange {
  id: string
  /** The worst open drift's severity now; null when no drift is open on the node any more. */
  drift_severity: Severity | null
  drift_count: number
}

/** One `graph.delta` event's data. */
export interface GraphDelta {
  /** Nodes to add, or to replace whole by id (an id the client already has: its data changed), with `drift_severity`/`drift_count` as the REST nodes carry them. */
  nodes_added: MarkedNode[]
  /** Ids of nodes to remove (their edges are listed in `edges_removed` too). */
  nodes_removed: string[]
  /** Edges to add, or to replace whole by id. */
  edges_added: GraphEdge[]
  /** Ids of edges to remove. */
  edges_removed: string[]
  /** Nodes whose drift annotation changed (their structure did not). */
  nodes_changed: NodeDriftChange[]
}

/** Items one event carries at most, so an envelope stays a few MB however large the change. */
export const MAX_DELTA_ITEMS = 5000

/** An empty delta to fill. */
export function emptyDelta(): GraphDelta {
  return { nodes_added: [], nodes_removed: [], edges_added: [], edges_removed: [], nodes_changed: [] }
}

/** Items of a delta, all lists together. */
export function deltaSize(d: GraphDelta): number {
  return d.nodes_added.length + d.nodes_removed.length + d.edges_added.length + d.edges_removed.length + d.nodes_changed.length
}

/**
 * Splits a delta into parts of at most `max` items, in an order where every prefix of the parts is a
 * graph a client can draw: edges go before the nodes they hang from are removed, and come after the
 * nodes they join are added. An empty delta gives no part.
 */
export function splitDelta(delta: GraphDelta, max = MAX_DELTA_ITEMS): GraphDelta[] {
  if (deltaSize(delta) <= max) return deltaSize(delta) === 0 ? [] : [delta]
  const order = ['edges_removed', 'nodes_removed', 'nodes_added', 'nodes_changed', 'edges_added'] as const
  const parts: GraphDelta[] = []
  let part = emptyDelta()
  let room = max
  for (const list of order) {
    const items = delta[list] as unknown[]
    for (let i = 0; i < items.length;) {
      if (room === 0) { parts.push(part); part = emptyDelta(); room = max }
      const take = items.slice(i, i + room)
      ;(part[list] as unknown[]).push(...take)
      i += take.length
      room -= take.length
    }
  }
  if (deltaSize(part) > 0) parts.push(part)
  return parts
}
