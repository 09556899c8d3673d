/**
 * The dashboard's graph model: every node and edge the canvas draws, kept as typed arrays indexed by
 * slot so the renderer can copy positions and colours into GPU buffers without walking objects, and
 * so 100k nodes cost a few MB. Slots of removed nodes are reused; ids map to slots.
 *
 * Writers (the data loader, the live stream, the layout, filters and selection) change the model
 * and bump a version; the renderer compares versions once per frame and uploads only what changed.
 */
import { SEVERITIES, type ClusterCircle, type EdgeData, type NodeData, type Severity } from './types.ts'

export * from './types.ts'

/** Bits of `GraphModel.flags`. */
export const NodeFlag = {
  Alive: 1,
  /** Hidden by a filter. */
  Hidden: 2,
  Selected: 4,
  /** Part of the selection's impact (a dependency or dependent). */
  Highlighted: 8,
  /** Matched by the search. */
  Matched: 16,
} as const

/** What a change touched; the renderer re-uploads only that. */
export interface ModelVersions {
  /** Nodes or edges added or removed. */
  structure: number
  /** Positions or cluster circles changed. */
  position: number
  /** Severity, flags (filter, selection, highlight) changed. */
  style: number
}

/**
 * Called after every change. `slots` comes with a style change that touched only those node slots
 * (severity changes from the live stream): a listener may then restyle just them. Without it, any
 * slot may have changed.
 */
export type ModelListener = (what: keyof ModelVersions, slots?: readonly number[]) => void

const INITIAL_CAPACITY = 1024

function grow<T extends Float32Array | Uint8Array | Uint16Array | Uint32Array | Int32Array>(array: T, capacity: number): T {
  if (array.length >= capacity) return array
  const next = new (array.constructor as new (n: number) => T)(Math.max(capacity, array.length * 2))
  next.set(array)
  return next
}

export class GraphModel {
  /** Slots in use, alive or freed (iterate `0 … nodeSlots` and test `Alive`). */
  nodeSlots = 0
  nodeCount = 0
  x = new Float32Array(INITIAL_CAPACITY)
  y = new Float32Array(INITIAL_CAPACITY)
  /** Index into SEVERITIES (0 = none). */
  severity = new Uint8Array(INITIAL_CAPACITY)
  /** Index into `types`. */
  typeIndex = new Uint16Array(INITIAL_CAPACITY)
  flags = new Uint8Array(INITIAL_CAPACITY)
  /** Leaf cluster of each node (index into `clusters`), -1 when none. */
  clusterOf = new Int32Array(INITIAL_CAPACITY).fill(-1)
  readonly data: Array<NodeData | undefined> = []
  readonly slotOf = new Map<string, number>()
  /** Terraform types seen, in order of first appearance (the icon atlas is keyed by them). */
  readonly types: string[] = []
  private readonly typeIndexOf = new Map<string, number>()
  private readonly freeNodes: number[] = []

  edgeSlots = 0
  edgeCount = 0
  edgeSource = new Uint32Array(INITIAL_CAPACITY)
  edgeTarget = new Uint32Array(INITIAL_CAPACITY)
  /** 0 = free slot, 1 = containment/depends_on, 2 = reference, 3 = other. */
  edgeKind = new Uint8Array(INITIAL_CAPACITY)
  /** The edge's own kind string, as an index into `edgeKinds`. */
  edgeKindName = new Uint16Array(INITIAL_CAPACITY)
  /** Edge kind strings seen (`contains`, `reference`, …). */
  readonly edgeKinds: string[] = []
  /** Edge id per slot (no EdgeData objects are kept: `edge(slot)` rebuilds one for a reader). */
  readonly edgeIds: Array<string | undefined> = []
  readonly edgeSlotOf = new Map<string, number>()
  private readonly freeEdges: number[] = []
  /**
   * Adjacency in CSR form (both directions), for impact and a node's edges: `outEdges[outStart[s] …
   * outStart[s + 1]]` are the edge slots leaving node slot `s`. Rebuilt lazily (O(nodes + edges)) on
   * the first query after edges were added; removed edges stay listed until then and are skipped
   * (their `edgeKind` is 0), so removals never force a rebuild.
   */
  private adjacencyStale = true
  private outStart = new Int32Array(1)
  private outEdges = new Int32Array(0)
  private inStart = new Int32Array(1)
  private inEdges = new Int32Array(0)

  /** Group circles from the layout (outermost first); `clusterOf` points at leaves. */
  clusters: ClusterCircle[] = []
  /** Cluster keys the user collapsed: drawn as one bubble at every zoom, members hidden. */
  readonly collapsed = new Set<string>()

  readonly versions: ModelVersions = { structure: 0, position: 0, style: 0 }
  private readonly listeners = new Set<ModelListener>()

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: ModelListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Bumps a version and tells listeners (writers call this once per batch). A style change confined
   * to known slots passes them, so readers cost what changed rather than what exists.
   */
  touch(what: keyof ModelVersions, slots?: readonly number[]): void {
    this.versions[what]++
    for (const l of this.listeners) l(what, slots)
  }

  typeIndexFor(type: string): number {
    let i = this.typeIndexOf.get(type)
    if (i === undefined) {
      i = this.types.length
      this.types.push(type)
      this.typeIndexOf.set(type, i)
    }
    return i
  }

  /** Adds nodes (an existing id is updated in place); returns their slots. Positions default to NaN (not laid out). */
  addNodes(nodes: NodeData[], positions?: { x: ArrayLike<number>; y: ArrayLike<number> }): number[] {
    this.reserveNodes(this.nodeSlots + nodes.length)
    const slots: number[] = []
    nodes.forEach((node, i) => {
      let slot = this.slotOf.get(node.id)
      if (slot === undefined) {
        slot = this.freeNodes.pop() ?? this.nodeSlots++
        this.slotOf.set(node.id, slot)
        this.nodeCount++
        this.x[slot] = NaN
        this.y[slot] = NaN
        this.clusterOf[slot] = -1
        this.flags[slot] = NodeFlag.Alive
      }
      this.data[slot] = node
      this.severity[slot] = Math.max(0, SEVERITIES.indexOf(node.severity))
      this.typeIndex[slot] = this.typeIndexFor(node.type)
      if (positions) {
        this.x[slot] = positions.x[i]!
        this.y[slot] = positions.y[i]!
      }
      slots.push(slot)
    })
    this.touch('structure')
    return slots
  }

  /** Removes nodes and their edges. */
  removeNodes(ids: Iterable<string>): void {
    this.buildAdjacency()
    for (const id of ids) {
      const slot = this.slotOf.get(id)
      if (slot === undefined) continue
      this.forEdges(this.outStart, this.outEdges, slot, (e) => this.removeEdgeSlot(e))
      this.forEdges(this.inStart, this.inEdges, slot, (e) => this.removeEdgeSlot(e))
      this.slotOf.delete(id)
      this.data[slot] = undefined
      this.flags[slot] = 0
      this.x[slot] = NaN
      this.y[slot] = NaN
      this.freeNodes.push(slot)
      this.nodeCount--
    }
    this.touch('structure')
  }

  /** Adds edges whose both ends exist (others are returned, e.g. to retry once the page with their node arrives). */
  addEdges(edges: EdgeData[]): EdgeData[] {
    const pending: EdgeData[] = []
    this.reserveEdges(this.edgeSlots + edges.length)
    for (const edge of edges) {
      const s = this.slotOf.get(edge.source)
      const t = this.slotOf.get(edge.target)
      if (s === undefined || t === undefined) {
        pending.push(edge)
        continue
      }
      if (this.edgeSlotOf.has(edge.id)) continue
      const slot = this.freeEdges.pop() ?? this.edgeSlots++
      this.edgeSlotOf.set(edge.id, slot)
      this.edgeIds[slot] = edge.id
      this.edgeSource[slot] = s
      this.edgeTarget[slot] = t
      this.edgeKind[slot] = edge.kind === 'reference' ? 2 : edge.kind === 'depends_on' || edge.kind === 'contains' ? 1 : 3
      this.edgeKindName[slot] = this.edgeKindIndexFor(edge.kind)
      this.edgeCount++
      this.adjacencyStale = true
    }
    this.touch('structure')
    return pending
  }

  removeEdges(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.edgeSlotOf.get(id)
      if (slot !== undefined) this.removeEdgeSlot(slot)
    }
    this.touch('structure')
  }

  /** The edge in slot `slot` (a fresh object; undefined for a free slot). */
  edge(slot: number): EdgeData | undefined {
    const id = this.edgeIds[slot]
    if (id === undefined || !this.edgeKind[slot]) return undefined
    return {
      id,
      source: this.data[this.edgeSource[slot]!]!.id,
      target: this.data[this.edgeTarget[slot]!]!.id,
      kind: this.edgeKinds[this.edgeKindName[slot]!]!,
    }
  }

  /** Edge slots leaving (`out`) or entering (`in`) node slot `slot`. */
  edgesOf(slot: number, direction: 'out' | 'in'): number[] {
    this.buildAdjacency()
    const out: number[] = []
    if (direction === 'out') this.forEdges(this.outStart, this.outEdges, slot, (e) => out.push(e))
    else this.forEdges(this.inStart, this.inEdges, slot, (e) => out.push(e))
    return out
  }

  /**
   * Sets a node's worst open drift; returns its slot when that changed, else -1. Call
   * `touch('style', slots)` after a batch with the slots returned.
   */
  setSeverity(id: string, severity: Severity, driftCount: number): number {
    const slot = this.slotOf.get(id)
    if (slot === undefined) return -1
    const rank = Math.max(0, SEVERITIES.indexOf(severity))
    const node = this.data[slot]!
    if (this.severity[slot] === rank && node.driftCount === driftCount) return -1
    this.severity[slot] = rank
    this.data[slot] = { ...node, severity, driftCount }
    return slot
  }

  /** Sets or clears a flag on the given slots (all slots when `slots` is omitted). Call `touch('style')` after. */
  setFlag(flag: number, on: boolean, slots?: Iterable<number>): void {
    if (!slots) {
      for (let i = 0; i < this.nodeSlots; i++) if (this.flags[i]! & NodeFlag.Alive) this.flags[i] = on ? this.flags[i]! | flag : this.flags[i]! & ~flag
      return
    }
    for (const i of slots) if (this.flags[i]! & NodeFlag.Alive) this.flags[i] = on ? this.flags[i]! | flag : this.flags[i]! & ~flag
  }

  /** Slots of the nodes this one depends on (edge targets) and of those depending on it (edge sources). */
  neighbours(slot: number): { dependencies: number[]; dependents: number[] } {
    this.buildAdjacency()
    const dependencies: number[] = [], dependents: number[] = []
    this.forEdges(this.outStart, this.outEdges, slot, (e) => dependencies.push(this.edgeTarget[e]!))
    this.forEdges(this.inStart, this.inEdges, slot, (e) => dependents.push(this.edgeSource[e]!))
    return { dependencies, dependents }
  }

  /** Transitive dependents (what breaks if this changes), nearest first, up to `limit`. */
  impact(slot: number, limit = 10_000): number[] {
    this.buildAdjacency()
    const seen = new Set([slot])
    const out: number[] = []
    const inStart = this.inStart, inEdges = this.inEdges, nodes = inStart.length - 1
    let frontier = [slot]
    while (frontier.length && out.length < limit) {
      const next: number[] = []
      for (const s of frontier) {
        if (s >= nodes) continue
        for (let k = inStart[s]!, end = inStart[s + 1]!; k < end; k++) {
          const e = inEdges[k]!
          if (!this.edgeKind[e]) continue
          const d = this.edgeSource[e]!
          if (!seen.has(d)) { seen.add(d); out.push(d); next.push(d) }
        }
      }
      frontier = next
    }
    return out.slice(0, limit)
  }

  /** Bounding box of laid-out alive nodes (NaN positions skipped). */
  bounds(): { minX: number; minY: number; maxX: number; maxY: number } {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
    for (let i = 0; i < this.nodeSlots; i++) {
      if (!(this.flags[i]! & NodeFlag.Alive)) continue
      const x = this.x[i]!, y = this.y[i]!
      if (Number.isNaN(x)) continue
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
    return minX === Infinity ? { minX: 0, minY: 0, maxX: 1, maxY: 1 } : { minX, minY, maxX, maxY }
  }

  private edgeKindIndexFor(kind: string): number {
    let i = this.edgeKinds.indexOf(kind)
    if (i < 0) {
      i = this.edgeKinds.length
      this.edgeKinds.push(kind)
    }
    return i
  }

  /** Calls `fn` with each live edge slot listed for node `slot` in one CSR direction. */
  private forEdges(start: Int32Array, list: Int32Array, slot: number, fn: (edge: number) => void): void {
    if (slot < 0 || slot >= start.length - 1) return
    for (let k = start[slot]!, end = start[slot + 1]!; k < end; k++) {
      const e = list[k]!
      if (this.edgeKind[e]) fn(e)
    }
  }

  /** Rebuilds the CSR adjacency when edges were added since the last build (counting sort by end). */
  private buildAdjacency(): void {
    if (!this.adjacencyStale) return
    this.adjacencyStale = false
    const n = this.nodeSlots, m = this.edgeSlots
    const outStart = new Int32Array(n + 1), inStart = new Int32Array(n + 1)
    for (let e = 0; e < m; e++) {
      if (!this.edgeKind[e]) continue
      outStart[this.edgeSource[e]! + 1]++
      inStart[this.edgeTarget[e]! + 1]++
    }
    for (let s = 0; s < n; s++) { outStart[s + 1] += outStart[s]!; inStart[s + 1] += inStart[s]! }
    const outEdges = new Int32Array(outStart[n]!), inEdges = new Int32Array(inStart[n]!)
    const outAt = outStart.slice(0, n), inAt = inStart.slice(0, n)
    for (let e = 0; e < m; e++) {
      if (!this.edgeKind[e]) continue
      outEdges[outAt[this.edgeSource[e]!]!++] = e
      inEdges[inAt[this.edgeTarget[e]!]!++] = e
    }
    this.outStart = outStart; this.outEdges = outEdges; this.inStart = inStart; this.inEdges = inEdges
  }

  private removeEdgeSlot(slot: number): void {
    const id = this.edgeIds[slot]
    if (id === undefined || !this.edgeKind[slot]) return
    this.edgeSlotOf.delete(id)
    this.edgeIds[slot] = undefined
    this.edgeKind[slot] = 0
    this.freeEdges.push(slot)
    this.edgeCount--
  }

  private reserveNodes(n: number): void {
    this.x = grow(this.x, n)
    this.y = grow(this.y, n)
    this.severity = grow(this.severity, n)
    this.typeIndex = grow(this.typeIndex, n)
    this.flags = grow(this.flags, n)
    const before = this.clusterOf.length
    this.clusterOf = grow(this.clusterOf, n)
    if (this.clusterOf.length > before) this.clusterOf.fill(-1, before)
  }

  private reserveEdges(n: number): void {
    this.edgeSource = grow(this.edgeSource, n)
    this.edgeTarget = grow(this.edgeTarget, n)
    this.edgeKind = grow(this.edgeKind, n)
    this.edgeKindName = grow(this.edgeKindName, n)
  }
}
