/**
 * Spatial indexes (flatbush) over node points and edge boxes, for viewport culling and hit-testing.
 * Rebuilt when positions change; nodes added since the last build sit in a short `extra` list that
 * every query also scans, until there are enough of them to make a rebuild worth it.
 */
import Flatbush from 'flatbush'
import { NodeFlag, type GraphModel } from '../model/graph-model.ts'
import type { Bounds } from './camera.ts'

/** Rebuild once the extra list exceeds this share of the indexed nodes. */
const EXTRA_SHARE = 0.02

export class SpatialIndex {
  private nodes: Flatbush | undefined
  private nodeSlot = new Uint32Array(0)
  private edges: Flatbush | undefined
  private edgeSlot = new Uint32Array(0)
  /** Slots laid out after the last build (linear scan). */
  extra: number[] = []
  private indexedSlots = 0
  private indexedEdges = 0

  /** Indexes every positioned node and every edge. */
  build(model: GraphModel): void {
    const slots: number[] = []
    for (let s = 0; s < model.nodeSlots; s++) if (model.flags[s]! & NodeFlag.Alive && !Number.isNaN(model.x[s]!)) slots.push(s)
    this.nodes = undefined
    this.nodeSlot = Uint32Array.from(slots)
    if (slots.length) {
      const fb = new Flatbush(slots.length, 16, Float32Array)
      for (const s of slots) fb.add(model.x[s]!, model.y[s]!, model.x[s]!, model.y[s]!)
      fb.finish()
      this.nodes = fb
    }
    const edges: number[] = []
    for (let e = 0; e < model.edgeSlots; e++) if (model.edgeKind[e]) edges.push(e)
    this.edges = undefined
    this.edgeSlot = Uint32Array.from(edges)
    if (edges.length) {
      const fb = new Flatbush(edges.length, 16, Float32Array)
      for (const e of edges) {
        const a = model.edgeSource[e]!, b = model.edgeTarget[e]!
        const ax = model.x[a]!, ay = model.y[a]!, bx = model.x[b]!, by = model.y[b]!
        // An edge with an unplaced end gets an empty box far away rather than NaN (which breaks the tree).
        if (Number.isNaN(ax + ay + bx + by)) fb.add(1e30, 1e30, 1e30, 1e30)
        else fb.add(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by))
      }
      fb.finish()
      this.edges = fb
    }
    this.extra = []
    this.indexedSlots = model.nodeSlots
    this.indexedEdges = model.edgeSlots
  }

  /**
   * Takes in slots and edges added since the build (structure change without a position change);
   * returns false when a rebuild is due instead.
   */
  addNew(model: GraphModel): boolean {
    for (let s = this.indexedSlots; s < model.nodeSlots; s++) this.extra.push(s)
    this.indexedSlots = model.nodeSlots
    const edgesAdded = model.edgeSlots - this.indexedEdges
    return this.extra.length <= Math.max(64, this.nodeSlot.length * EXTRA_SHARE) && edgesAdded <= 0
  }

  /** Node slots inside `b` (indexed ones plus the extra list). */
  searchNodes(b: Bounds, model: GraphModel): number[] {
    const out: number[] = []
    if (this.nodes) for (const i of this.nodes.search(b.minX, b.minY, b.maxX, b.maxY)) out.push(this.nodeSlot[i]!)
    for (const s of this.extra) {
      const x = model.x[s]!, y = model.y[s]!
      if (x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY) out.push(s)
    }
    return out
  }

  /** Edge slots whose box meets `b`. */
  searchEdges(b: Bounds): number[] {
    if (!this.edges) return []
    const ids = this.edges.search(b.minX, b.minY, b.maxX, b.maxY)
    for (let k = 0; k < ids.length; k++) ids[k] = this.edgeSlot[ids[k]!]!
    return ids
  }

  /** Nearest node slot within `maxDist` of (x, y) that `accept` takes, or -1. */
  nearest(x: number, y: number, maxDist: number, model: GraphModel, accept: (slot: number) => boolean): number {
    let best = -1, bestD = maxDist * maxDist
    if (this.nodes) {
      const hit = this.nodes.neighbors(x, y, 1, maxDist, (i) => accept(this.nodeSlot[i]!))
      if (hit.length) {
        best = this.nodeSlot[hit[0]!]!
        bestD = (model.x[best]! - x) ** 2 + (model.y[best]! - y) ** 2
      }
    }
    for (const s of this.extra) {
      const d = (model.x[s]! - x) ** 2 + (model.y[s]! - y) ** 2
      if (d <= bestD && accept(s)) { best = s; bestD = d }
    }
    return best
  }
}
