/**
 * The layout's message protocol and the handler that serves it, shared by the Web Worker and the
 * in-thread fallback so both run the same code. Nodes travel as columns (ids, model slots, an index
 * into a deduplicated table of group paths), results as typed arrays keyed by slot, so 100k nodes
 * cross the worker boundary as a few transferable buffers rather than 100k objects.
 */
import type { ClusterCircle } from '../model/types.ts'
import { HierarchyLayout, type LayoutInput, type LayoutOptions } from './hierarchy-layout.ts'

/** Main thread → layout. */
export interface LayoutRequest {
  /** Forget everything first (a relayout). */
  reset: boolean
  /** Ids to forget (removed from the model, or regrouped and sent again in `ids`). */
  removed: string[]
  /** Nodes to place: id, model slot, index into `paths`, and the slot of a placed neighbour (-1: none). */
  ids: string[]
  slots: Int32Array
  pathOf: Int32Array
  paths: string[][]
  near: Int32Array
}

/** Layout → main thread. */
export interface LayoutResponse {
  /** Per request node, in order. */
  x: Float32Array
  y: Float32Array
  cluster: Int32Array
  /** Earlier nodes a repack shifted (by slot) and their new positions. */
  movedSlots: Int32Array
  movedX: Float32Array
  movedY: Float32Array
  clusters: ClusterCircle[]
  /** Parent cluster index of each cluster (-1: outermost). */
  parents: Int32Array
}

/** Buffers to transfer with a message instead of copying them. */
export function transferables(message: LayoutRequest | LayoutResponse): ArrayBuffer[] {
  const arrays = 'ids' in message
    ? [message.slots, message.pathOf, message.near]
    : [message.x, message.y, message.cluster, message.movedSlots, message.movedX, message.movedY, message.parents]
  return arrays.map((a) => a.buffer as ArrayBuffer)
}

/** A layout behind the protocol: keeps the engine and the id ↔ slot mapping. */
export function createLayoutHandler(options?: LayoutOptions): (request: LayoutRequest) => LayoutResponse {
  const layout = new HierarchyLayout(options)
  const slotOf = new Map<string, number>()
  const idOfSlot: Array<string | undefined> = []
  return (request) => {
    if (request.reset) {
      layout.reset()
      slotOf.clear()
      idOfSlot.length = 0
    }
    layout.remove(request.removed)
    for (const id of request.removed) {
      const slot = slotOf.get(id)
      if (slot === undefined) continue
      slotOf.delete(id)
      if (idOfSlot[slot] === id) idOfSlot[slot] = undefined
    }
    const n = request.ids.length
    const nodes: LayoutInput[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const near = request.near[i]!
      const nearId = near >= 0 ? idOfSlot[near] : undefined
      nodes[i] = nearId === undefined
        ? { id: request.ids[i]!, group: request.paths[request.pathOf[i]!]! }
        : { id: request.ids[i]!, group: request.paths[request.pathOf[i]!]!, near: nearId }
      const slot = request.slots[i]!
      slotOf.set(request.ids[i]!, slot)
      idOfSlot[slot] = request.ids[i]
    }
    const delta = layout.add(nodes)
    const movedSlots = new Int32Array(delta.moved.length)
    for (let i = 0; i < delta.moved.length; i++) movedSlots[i] = slotOf.get(delta.moved[i]!) ?? -1
    return {
      x: Float32Array.from(delta.x),
      y: Float32Array.from(delta.y),
      cluster: delta.cluster,
      movedSlots,
      movedX: Float32Array.from(delta.movedX),
      movedY: Float32Array.from(delta.movedY),
      clusters: layout.clusters(),
      parents: layout.clusterParents(),
    }
  }
}
