/**
 * The dashboard's layout engine: pure and deterministic (no DOM), so it runs in a Web Worker, in the
 * main thread, or in Node tests alike.
 *
 * Infrastructure is a tree (provider → account → region → module → type, or whatever `group` says),
 * so nodes are placed by that tree rather than by one global force simulation:
 *
 * - Members of a group sit on a sunflower (Vogel) spiral, slot k at radius ∝ √k. A member's offset
 *   depends only on its slot, so appending never moves earlier members; a removed member frees its
 *   slot for the next newcomer. Members of a batch are sorted by id, so page order hardly matters.
 * - Each group packs its units (child groups, plus one disc of direct members) as circles with the
 *   prefix-stable front-chain packer: a new child group is appended and its older siblings stay put.
 * - Every unit packs at a *reserved* radius (capacity × `headroom`), larger than what it draws, so
 *   growth rarely repacks. Only when a unit outgrows its reserve does its parent repack, which moves
 *   the siblings packed after it as rigid units (members never move relative to their group); the
 *   parent may in turn outgrow its own reserve, and so on up.
 *
 * Each group keeps its own frame: its units' positions are frame coordinates, and the frame's world
 * origin is the sum of offsets up the tree. A repack therefore touches one group's units, and world
 * positions are recomputed per group (thousands), not per node, to find what moved.
 */
import { packEnclose } from 'd3-hierarchy'
import type { ClusterCircle } from '../model/types.ts'
import { packSiblingsStable, type PackCircle } from './pack-siblings.ts'

/** A node to place: `group` is its path, outermost first (`[]` puts it in `ROOT_GROUP`). */
export interface LayoutInput {
  id: string
  group: readonly string[]
  /** Id of a placed node it is connected to: the newcomer takes the free slot nearest it when both share a group. */
  near?: string
}

export interface LayoutOptions {
  /** Distance between neighbouring members of a group, in world units (default 1). */
  spacing?: number
  /** Margin between a group's contents and its circle (default 0.4). */
  padding?: number
  /** Area reserved per unit as a multiple of what it uses, so growth rarely repacks (default 1.3). */
  headroom?: number
}

/** What `add` placed and what moved because of it. */
export interface LayoutDelta {
  /** Positions of the added nodes, in input order. */
  x: Float64Array
  y: Float64Array
  /** Leaf cluster index (into `clusters()`) of each added node. */
  cluster: Int32Array
  /** Earlier nodes shifted by a repack (rigidly, with their group), and where they are now. */
  moved: string[]
  movedX: Float64Array
  movedY: Float64Array
}

/** Group of nodes whose path is `[]`. */
export const ROOT_GROUP = '(ungrouped)'
const ROOT_PATH = [ROOT_GROUP] as const
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5))

/** Something packed inside a group: a child group or the group's disc of direct members. */
abstract class Unit {
  /** Reserve circle centre in the parent's frame. */
  px = 0
  py = 0
  /** Reserve circle: centre in the unit's own frame and radius (what siblings pack around). */
  rcx = 0
  rcy = 0
  R = 0
  /** Drawn circle in the unit's own frame (always inside the reserve). */
  ax = 0
  ay = 0
  ar = 0
  /** World position of the unit's frame origin (valid after `add`). */
  ox = 0
  oy = 0
  /** World origin reported after the previous `add` (NaN before the first), to find what moved. */
  lastOx = NaN
  lastOy = NaN
  placed = false
}

class Disc extends Unit {
  /** Internal node index per slot, -1 for a free slot. */
  readonly members: number[] = []
  /** Free slots below `members.length`; sorted descending when `freeSorted` (pop gives the lowest). */
  free: number[] = []
  freeSorted = true
  capacity = 0
  constructor(readonly group: Group) { super() }
}

class Group extends Unit {
  readonly units: Unit[] = []
  /** Created on the first child: most groups are leaves. */
  children: Map<string, Group> | null = null
  disc: Disc | null = null
  /** Nodes inside at any depth. */
  count = 0
  /** Needs its units packed again (a unit was added or outgrew its reserve). */
  repack = false
  dirtyStamp = 0
  pendingMembers: number[] | null = null
  pendingGroups: Group[] | null = null
  constructor(
    readonly key: string,
    readonly label: string,
    readonly depth: number,
    readonly parent: Group | null,
    /** Index into `clusters()`; -1 for the tree root. */
    readonly index: number,
  ) { super() }
}

/** Stateful layout: `add` places newcomers without moving what is placed (see the header). */
export class HierarchyLayout {
  private readonly spacing: number
  private readonly padding: number
  private readonly headroom: number
  /** Sunflower constant: slot k sits at c·√(k+½); chosen so neighbours are about `spacing` apart. */
  private readonly c: number
  /** Sunflower offsets per slot, scaled by `c`, shared by every disc. */
  private sx = new Float64Array(0)
  private sy = new Float64Array(0)

  private root!: Group
  private groups!: Group[]
  private ids!: Array<string | undefined>
  private readonly indexOf = new Map<string, number>()
  private freeIndices!: number[]
  private nodeDisc!: Array<Disc | undefined>
  private nodeSlot = new Int32Array(0)
  private nodeBatch = new Uint32Array(0)
  private batch = 0
  private stamp = 0

  constructor(options: LayoutOptions = {}) {
    // One world unit between neighbours: the scene's level-of-detail thresholds are pixels per unit.
    this.spacing = options.spacing ?? 1
    this.padding = options.padding ?? 0.4
    this.headroom = Math.max(1, options.headroom ?? 1.3)
    // Hexagonal packing at distance d holds one point per (√3/2)·d²; the spiral holds one per π·c².
    this.c = this.spacing * Math.sqrt(Math.sqrt(3) / 2 / Math.PI)
    this.reset()
  }

  /** Forgets every node and group. */
  reset(): void {
    this.root = new Group('', '', 0, null, -1)
    this.groups = []
    this.ids = []
    this.indexOf.clear()
    this.freeIndices = []
    this.nodeDisc = []
    this.batch = 0
  }

  get size(): number {
    return this.indexOf.size
  }

  /** Places `nodes` (ids already placed keep their position) and reports what moved. */
  add(nodes: readonly LayoutInput[]): LayoutDelta {
    const batch = ++this.batch
    const n = nodes.length
    const internal = new Int32Array(n)
    const touched: Group[] = []
    let lastPath: readonly string[] | undefined
    let lastGroup: Group | undefined
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!
      const known = this.indexOf.get(node.id)
      if (known !== undefined) { internal[i] = known; continue }
      const path = node.group.length ? node.group : ROOT_PATH
      // Loaders often hand consecutive nodes the same path array; skip the walk then.
      const group = path === lastPath ? lastGroup! : this.resolve(path, touched)
      lastPath = path
      lastGroup = group
      const index = this.allocate(node.id, batch)
      internal[i] = index
      if (!group.pendingMembers) {
        group.pendingMembers = []
        if (!group.pendingGroups) touched.push(group)
      }
      group.pendingMembers.push(index)
    }

    const nearOf = this.nearMap(nodes, internal)
    for (const group of touched) this.settle(group, nearOf)
    this.pass(touched)

    const x = new Float64Array(n), y = new Float64Array(n), cluster = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const index = internal[i]!
      const disc = this.nodeDisc[index]!
      const slot = this.nodeSlot[index]!
      x[i] = disc.ox + this.sx[slot]!
      y[i] = disc.oy + this.sy[slot]!
      cluster[i] = disc.group.index
    }
    return { x, y, cluster, ...this.collectMoved(batch) }
  }

  /** Forgets nodes; their slots are reused by later newcomers of the same group. Nothing moves. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const index = this.indexOf.get(id)
      if (index === undefined) continue
      const disc = this.nodeDisc[index]!
      const slot = this.nodeSlot[index]!
      disc.members[slot] = -1
      disc.free.push(slot)
      disc.freeSorted = false
      for (let g: Group | null = disc.group; g; g = g.parent) g.count--
      this.indexOf.delete(id)
      this.ids[index] = undefined
      this.nodeDisc[index] = undefined
      this.freeIndices.push(index)
    }
  }

  /** World position of a placed node. */
  position(id: string): { x: number; y: number } | undefined {
    const index = this.indexOf.get(id)
    if (index === undefined) return undefined
    const disc = this.nodeDisc[index]!
    const slot = this.nodeSlot[index]!
    return { x: disc.ox + this.sx[slot]!, y: disc.oy + this.sy[slot]! }
  }

  /** One circle per group, parents before children; indices are stable until `reset` (empty groups stay, count 0). */
  clusters(): ClusterCircle[] {
    return this.groups.map((g) => ({
      key: g.key, label: g.label, depth: g.depth,
      x: g.ox + g.ax, y: g.oy + g.ay, r: g.ar,
      count: g.count, worst: 0, drifted: 0,
    }))
  }

  /** Parent cluster index of each cluster (-1 for outermost groups). */
  clusterParents(): Int32Array {
    const out = new Int32Array(this.groups.length)
    for (const g of this.groups) out[g.index] = g.parent?.index ?? -1
    return out
  }

  /** Finds or creates the group at `path`; new groups wait in their parent's `pendingGroups`. */
  private resolve(path: readonly string[], touched: Group[]): Group {
    let group = this.root
    for (let d = 0; d < path.length; d++) {
      const label = path[d]!
      let child = group.children?.get(label)
      if (!child) {
        child = new Group(group === this.root ? label : `${group.key}/${label}`, label, d + 1, group, this.groups.length)
        ;(group.children ??= new Map()).set(label, child)
        this.groups.push(child)
        if (!group.pendingGroups) {
          group.pendingGroups = []
          if (!group.pendingMembers) touched.push(group)
        }
        group.pendingGroups.push(child)
      }
      group = child
    }
    return group
  }

  private allocate(id: string, batch: number): number {
    let index = this.freeIndices.pop()
    if (index === undefined) {
      index = this.ids.length
      this.ids.push(undefined)
      this.nodeDisc.push(undefined)
      if (index >= this.nodeSlot.length) {
        const slot = new Int32Array(Math.max(1024, index * 2))
        slot.set(this.nodeSlot)
        this.nodeSlot = slot
        const born = new Uint32Array(slot.length)
        born.set(this.nodeBatch)
        this.nodeBatch = born
      }
    }
    this.ids[index] = id
    this.indexOf.set(id, index)
    this.nodeBatch[index] = batch
    return index
  }

  /** Internal index of each newcomer's placed neighbour, when it has one. */
  private nearMap(nodes: readonly LayoutInput[], internal: Int32Array): Map<number, number> | null {
    let out: Map<number, number> | null = null
    for (let i = 0; i < nodes.length; i++) {
      const near = nodes[i]!.near
      if (near === undefined) continue
      const n = this.indexOf.get(near)
      if (n === undefined || this.nodeBatch[n] === this.batch) continue
      ;(out ??= new Map()).set(internal[i]!, n)
    }
    return out
  }

  /** Appends a group's pending units and members in sorted order and grows its disc's reserve if needed. */
  private settle(group: Group, nearOf: Map<number, number> | null): void {
    const members = group.pendingMembers
    if (members) {
      let disc = group.disc
      if (!disc) {
        disc = group.disc = new Disc(group)
        group.units.push(disc)
        group.repack = true
      }
      const ids = this.ids
      members.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0))
      for (const index of members) {
        const near = nearOf?.get(index)
        const slot = this.takeSlot(disc, near !== undefined && this.nodeDisc[near] === disc ? this.nodeSlot[near]! : -1)
        disc.members[slot] = index
        this.nodeDisc[index] = disc
        this.nodeSlot[index] = slot
      }
      for (let g: Group | null = group; g; g = g.parent) g.count += members.length
      const used = disc.members.length
      this.ensureSpiral(used + 8)
      if (used > disc.capacity) {
        disc.capacity = Math.ceil(used * this.headroom) + 4
        disc.R = this.discRadius(disc.capacity)
        group.repack = true
      }
      disc.ar = this.discRadius(used)
      group.pendingMembers = null
    }
    const groups = group.pendingGroups
    if (groups) {
      groups.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
      for (const g of groups) group.units.push(g)
      group.repack = true
      group.pendingGroups = null
    }
  }

  /**
   * Picks a slot: without a hint the lowest free one (keeps the disc compact); with a neighbour's slot
   * the free slot nearest it among the holes and the next few unused slots (skipped ones become holes).
   */
  private takeSlot(disc: Disc, nearSlot: number): number {
    const members = disc.members
    if (nearSlot < 0) {
      if (disc.free.length) {
        if (!disc.freeSorted) { disc.free.sort((a, b) => b - a); disc.freeSorted = true }
        return disc.free.pop()!
      }
      members.push(-1)
      return members.length - 1
    }
    this.ensureSpiral(members.length + 8)
    const tx = this.sx[nearSlot]!, ty = this.sy[nearSlot]!
    let best = -1, bestD = Infinity, bestFree = -1
    const consider = (slot: number, freeAt: number): void => {
      const dx = this.sx[slot]! - tx, dy = this.sy[slot]! - ty, d = dx * dx + dy * dy
      if (d < bestD || (d === bestD && slot < best)) { best = slot; bestD = d; bestFree = freeAt }
    }
    for (let i = 0; i < disc.free.length; i++) consider(disc.free[i]!, i)
    for (let j = 0; j < 6; j++) consider(members.length + j, -1)
    if (bestFree >= 0) {
      disc.free.splice(bestFree, 1)
      return best
    }
    while (members.length < best) {
      disc.free.push(members.length)
      disc.freeSorted = false
      members.push(-1)
    }
    members.push(-1)
    return best
  }

  private discRadius(slots: number): number {
    return this.c * Math.sqrt(slots) + this.spacing / 2
  }

  private ensureSpiral(n: number): void {
    if (this.sx.length >= n) return
    const size = Math.max(n, this.sx.length * 2, 256)
    const sx = new Float64Array(size), sy = new Float64Array(size)
    for (let k = 0; k < size; k++) {
      const r = this.c * Math.sqrt(k + 0.5), a = k * GOLDEN_ANGLE
      sx[k] = r * Math.cos(a)
      sy[k] = r * Math.sin(a)
    }
    this.sx = sx
    this.sy = sy
  }

  /**
   * Bottom-up over the groups whose contents changed: repack where a unit was added or outgrew its
   * reserve, recompute the drawn circle, and when it no longer fits the reserve, grow the reserve and
   * have the parent repack. Then recompute world origins top-down.
   */
  private pass(touched: Group[]): void {
    const stamp = ++this.stamp
    const byDepth: Group[][] = []
    const mark = (g: Group): void => {
      if (g.dirtyStamp === stamp) return
      g.dirtyStamp = stamp
      ;(byDepth[g.depth] ??= []).push(g)
    }
    for (const g of touched) mark(g)
    for (let depth = byDepth.length - 1; depth >= 0; depth--) {
      for (const g of byDepth[depth] ?? []) {
        if (g.repack) this.packUnits(g)
        this.enclose(g)
        const parent = g.parent
        if (!parent) continue
        if (!g.placed || !this.fits(g)) {
          this.reserve(g)
          parent.repack = true
        }
        mark(parent)
      }
    }
    // Parents precede children in `groups`, so one sweep sets every world origin.
    for (const g of this.groups) {
      const p = g.parent!
      g.ox = p.ox + g.px - g.rcx
      g.oy = p.oy + g.py - g.rcy
      if (g.disc) {
        g.disc.ox = g.ox + g.disc.px
        g.disc.oy = g.oy + g.disc.py
      }
    }
  }

  private packUnits(g: Group): void {
    const circles: PackCircle[] = g.units.map((u) => ({ x: 0, y: 0, r: u.R }))
    packSiblingsStable(circles)
    for (let i = 0; i < circles.length; i++) {
      const u = g.units[i]!
      u.px = circles[i]!.x
      u.py = circles[i]!.y
      u.placed = true
    }
    g.repack = false
  }

  /** Drawn circle of `g`: the smallest enclosing its units' drawn circles, plus padding. */
  private enclose(g: Group): void {
    if (g.units.length === 1) {
      const u = g.units[0]!
      g.ax = u.px - u.rcx + u.ax
      g.ay = u.py - u.rcy + u.ay
      g.ar = u.ar + this.padding
      return
    }
    const e = packEnclose(g.units.map((u) => ({ x: u.px - u.rcx + u.ax, y: u.py - u.rcy + u.ay, r: u.ar })))!
    g.ax = e.x
    g.ay = e.y
    g.ar = e.r + this.padding
  }

  /**
   * Sets a reserve around the drawn circle: `headroom` more area, and never less than the units' own
   * reserves need, so the group outgrows it only when one of its units outgrows its reserve or a unit
   * is added. A placed group keeps its reserve centre: were it moved to the content's centre, the
   * group's frame would shift within its parent's packing, and the growing group itself would jump.
   */
  private reserve(g: Group): void {
    if (!g.placed) {
      g.rcx = g.ax
      g.rcy = g.ay
    }
    let R = Math.hypot(g.ax - g.rcx, g.ay - g.rcy) + g.ar * Math.sqrt(this.headroom) + this.spacing
    if (g.units.length > 1) {
      const e = packEnclose(g.units.map((u) => ({ x: u.px, y: u.py, r: u.R })))!
      R = Math.max(R, Math.hypot(e.x - g.rcx, e.y - g.rcy) + e.r + this.padding)
    } else {
      const u = g.units[0]!
      R = Math.max(R, Math.hypot(u.px - g.rcx, u.py - g.rcy) + u.R + this.padding)
    }
    g.R = R
  }

  private fits(g: Group): boolean {
    return Math.hypot(g.ax - g.rcx, g.ay - g.rcy) + g.ar <= g.R
  }

  /** Earlier nodes under units whose world origin changed in this `add`, with their new positions. */
  private collectMoved(batch: number): Pick<LayoutDelta, 'moved' | 'movedX' | 'movedY'> {
    const moved: string[] = []
    const xs: number[] = [], ys: number[] = []
    const visit = (u: Unit): void => {
      if (u instanceof Disc) {
        for (const index of u.members) {
          if (index < 0 || this.nodeBatch[index] === batch) continue
          const slot = this.nodeSlot[index]!
          moved.push(this.ids[index]!)
          xs.push(u.ox + this.sx[slot]!)
          ys.push(u.oy + this.sy[slot]!)
        }
      } else for (const child of (u as Group).units) visit(child)
    }
    // Compare each unit's world origin with the one recorded after the previous add; report only
    // the outermost unit that moved (its subtree moved with it).
    const check = (u: Unit, parentMoved: boolean): boolean => {
      // NaN on first sight compares unequal, but `placedBefore` rules that case out.
      const placedBefore = !Number.isNaN(u.lastOx)
      const movedNow = !parentMoved && placedBefore && (u.lastOx !== u.ox || u.lastOy !== u.oy)
      if (movedNow) visit(u)
      u.lastOx = u.ox
      u.lastOy = u.oy
      return parentMoved || movedNow
    }
    const walk = (g: Group, parentMoved: boolean): void => {
      for (const u of g.units) {
        const m = check(u, parentMoved)
        if (u instanceof Group) walk(u, m)
      }
    }
    walk(this.root, false)
    return { moved, movedX: Float64Array.from(xs), movedY: Float64Array.from(ys) }
  }
}

/** Lays out `nodes` from scratch: positions in input order, leaf cluster per node, and the clusters. */
export function layoutAll(nodes: readonly LayoutInput[], options?: LayoutOptions): {
  x: Float64Array
  y: Float64Array
  cluster: Int32Array
  clusters: ClusterCircle[]
  parents: Int32Array
} {
  const layout = new HierarchyLayout(options)
  const { x, y, cluster } = layout.add(nodes)
  return { x, y, cluster, clusters: layout.clusters(), parents: layout.clusterParents() }
}
