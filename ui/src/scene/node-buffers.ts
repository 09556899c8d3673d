/**
 * CPU side of the node and edge meshes (pure, no Pixi). Drawing is plain indexed quads — six indices
 * per node or edge slot, one non-instanced draw each — but vertices carry no attributes: the shaders
 * pull per-slot data from small data textures by `gl_VertexID` (slot = id >> 2, corner = id & 3), so a
 * node costs 12 bytes of data (position 8, style 4) instead of four copies of it, and an edge 8 bytes
 * (its two end slots), reading the ends' positions from the node texture — a layout pass or a flag
 * change never touches the edges. A camera move uploads nothing; a severity or flag change re-packs
 * only the slots whose style changed and reports them (a range, or the slots of a live batch).
 */
import { NodeFlag, type GraphModel } from '../model/graph-model.ts'
import { familyOf } from './families.ts'
import type { Palette } from './palette.ts'

/** Node radius in world units (neighbours sit about one unit apart). */
export const NODE_RADIUS = 0.42

/** Bits of a node's style byte 3, above the 3-bit icon family (the shaders read them). */
export const StyleBit = { Selected: 1, Highlighted: 2, Matched: 4, Hidden: 8, Drifted: 16 } as const

/** Width in texels of the data textures (slot s sits at (s % width, s / width)). */
export const DATA_TEXTURE_WIDTH = 1024

/** Rows a data texture needs for `slots` slots. */
export function textureRows(slots: number): number {
  return Math.max(1, Math.ceil(slots / DATA_TEXTURE_WIDTH))
}

/** A [from, to) range of slots whose data changed, or undefined when nothing did. */
export type DirtyRange = { from: number; to: number } | undefined

function widen(range: DirtyRange, slot: number): DirtyRange {
  if (!range) return { from: slot, to: slot + 1 }
  if (slot < range.from) range.from = slot
  if (slot + 1 > range.to) range.to = slot + 1
  return range
}

/**
 * `[from, to)` texel runs covering sorted `slots`, neighbours closer than `gap` merged; past `maxRuns`
 * runs, the one run from the first to the last (a few large uploads beat many tiny ones).
 */
export function texelRuns(slots: readonly number[], gap = DATA_TEXTURE_WIDTH, maxRuns = 16): Array<[number, number]> {
  const runs: Array<[number, number]> = []
  for (const s of slots) {
    const last = runs[runs.length - 1]
    if (last && s < last[1] + gap) last[1] = Math.max(last[1], s + 1)
    else runs.push([s, s + 1])
  }
  return runs.length > maxRuns ? [[runs[0]![0], runs[runs.length - 1]![1]]] : runs
}

/** Writes the two triangles of quad `quad` (vertices 4q…4q+3) at `index[at…at+5]`. */
export function writeQuad(index: Uint32Array, at: number, quad: number): void {
  const v = quad * 4
  index[at] = v
  index[at + 1] = v + 1
  index[at + 2] = v + 2
  index[at + 3] = v + 1
  index[at + 4] = v + 3
  index[at + 5] = v + 2
}

/** Quad index pattern for quads 0…count-1; returns the index count. */
export function writeAllQuads(index: Uint32Array, count: number): number {
  for (let q = 0; q < count; q++) writeQuad(index, q * 6, q)
  return count * 6
}

/** Hidden-by-collapse per cluster index: the cluster or one of its ancestors is collapsed. */
export function collapsedClusters(model: GraphModel): Uint8Array {
  const out = new Uint8Array(model.clusters.length)
  if (model.collapsed.size === 0) return out
  model.clusters.forEach((c, i) => {
    const parts = c.key.split('/')
    for (let n = 1; n <= parts.length; n++) if (model.collapsed.has(parts.slice(0, n).join('/'))) { out[i] = 1; break }
  })
  return out
}

export class NodeArrays {
  capacity = 0
  /** Node slots covered (model.nodeSlots at the last fill). */
  count = 0
  /** Per slot (rg32float texel): world x, y. */
  position = new Float32Array(0)
  /** Per slot (rgba8unorm texel): fill r, g, b, then family | style bits << 3. */
  style = new Uint8Array(0)
  index = new Uint32Array(0)
  /** Per slot: what the style was packed from, to find changed slots without a version per slot. */
  private signature = new Uint32Array(0)
  /** Whether the last fillStyle changed a slot's hidden/selected/highlighted bits. */
  visibilityChanged = false

  /** Grows the arrays to hold `slots` nodes (whole texture rows); returns whether they were reallocated. */
  reserve(slots: number): boolean {
    if (slots <= this.capacity) return false
    const cap = textureRows(Math.max(slots, Math.ceil(this.capacity * 1.25))) * DATA_TEXTURE_WIDTH
    const position = new Float32Array(cap * 2); position.set(this.position); this.position = position
    const style = new Uint8Array(cap * 4); style.set(this.style); this.style = style
    const index = new Uint32Array(cap * 6); index.set(this.index); this.index = index
    const sig = new Uint32Array(cap).fill(0xffffffff)
    sig.set(this.signature)
    this.signature = sig
    this.capacity = cap
    return true
  }

  get rows(): number {
    return this.capacity / DATA_TEXTURE_WIDTH
  }

  /** Copies positions of all slots. */
  fillPositions(model: GraphModel): void {
    const n = model.nodeSlots
    this.reserve(n)
    const p = this.position, x = model.x, y = model.y
    for (let s = 0; s < n; s++) { p[s * 2] = x[s]!; p[s * 2 + 1] = y[s]! }
    this.count = Math.max(this.count, n)
  }

  /**
   * Re-packs style for slots whose severity, flags, type or collapse state changed (all of them with
   * `force`, e.g. after a theme change); returns the changed range.
   */
  fillStyle(model: GraphModel, palette: Palette, collapsed: Uint8Array, force = false): DirtyRange {
    const n = model.nodeSlots
    this.reserve(n)
    this.count = Math.max(this.count, n)
    this.visibilityChanged = false
    let range: DirtyRange
    for (let s = 0; s < n; s++) if (this.pack(model, s, palette, collapsed, force)) range = widen(range, s)
    return range
  }

  /**
   * Re-packs style for `slots` only (a batch of live severity changes: the rest cannot have changed);
   * returns the slots whose packed style changed, ascending.
   */
  restyle(model: GraphModel, palette: Palette, collapsed: Uint8Array, slots: Iterable<number>): number[] {
    this.visibilityChanged = false
    const changed: number[] = []
    for (const s of slots) if (s < this.count && this.pack(model, s, palette, collapsed, false)) changed.push(s)
    return changed.sort((a, b) => a - b)
  }

  /** Packs slot `s` unless its signature is unchanged (and not `force`); returns whether it wrote. */
  private pack(model: GraphModel, s: number, palette: Palette, collapsed: Uint8Array, force: boolean): boolean {
    const flags = model.flags[s]!
    const sev = model.severity[s]!
    const cl = model.clusterOf[s]!
    let bits = 0
    if (!(flags & NodeFlag.Alive) || flags & NodeFlag.Hidden || Number.isNaN(model.x[s]!) || (cl >= 0 && collapsed[cl])) bits |= StyleBit.Hidden
    if (flags & NodeFlag.Selected) bits |= StyleBit.Selected
    if (flags & NodeFlag.Highlighted) bits |= StyleBit.Highlighted
    if (flags & NodeFlag.Matched) bits |= StyleBit.Matched
    if (sev > 0) bits |= StyleBit.Drifted
    const sig = (bits | (sev << 8) | (model.typeIndex[s]! << 16)) >>> 0
    const old = this.signature[s]!
    if (!force && old === sig) return false
    const visBits = StyleBit.Hidden | StyleBit.Selected | StyleBit.Highlighted
    if (old === 0xffffffff || (old & visBits) !== (bits & visBits)) this.visibilityChanged = true
    this.signature[s] = sig
    const type = model.types[model.typeIndex[s]!]
    const family = type === undefined ? 0 : familyOf(type)
    const fills = palette.severity
    const fill = fills[sev] ?? fills[0]!
    const o = s * 4, style = this.style
    style[o] = (fill >> 16) & 255; style[o + 1] = (fill >> 8) & 255; style[o + 2] = fill & 255
    style[o + 3] = family | (bits << 3)
    return true
  }

  /** Style bits of slot `s` as last packed. */
  bits(s: number): number {
    return this.style[s * 4 + 3]! >> 3
  }

  /** Whether slot `s` was packed as hidden (not drawn, not pickable). */
  hidden(s: number): boolean {
    return s >= this.count || (this.bits(s) & StyleBit.Hidden) !== 0
  }
}

export class EdgeArrays {
  capacity = 0
  count = 0
  /** Per slot (rg32float texel): source slot, target slot · 4 + kind (exact in float32 below 2^22 slots). */
  ends = new Float32Array(0)
  index = new Uint32Array(0)

  reserve(slots: number): boolean {
    if (slots <= this.capacity) return false
    const cap = textureRows(Math.max(slots, Math.ceil(this.capacity * 1.25))) * DATA_TEXTURE_WIDTH
    const ends = new Float32Array(cap * 2); ends.set(this.ends); this.ends = ends
    const index = new Uint32Array(cap * 6); index.set(this.index); this.index = index
    this.capacity = cap
    return true
  }

  get rows(): number {
    return this.capacity / DATA_TEXTURE_WIDTH
  }

  /** Copies the end slots and kind of every edge slot (kind 0 = a free slot, not drawn). */
  fill(model: GraphModel): void {
    const n = model.edgeSlots
    this.reserve(n)
    this.count = n
    const e = this.ends
    for (let s = 0; s < n; s++) {
      e[s * 2] = model.edgeSource[s]!
      e[s * 2 + 1] = model.edgeTarget[s]! * 4 + model.edgeKind[s]!
    }
  }
}
