/**
 * Aggregated edges for the far zoom (pure part): at a filled bubble depth d, every pair of depth-d
 * clusters with at least one edge between their members becomes one line between the bubbles, wider
 * the more edges it stands for. Computed for every depth at once when structure or positions change
 * (never per frame); the shader shows the lines of the depth the bubbles fill (`uDepth`), as the
 * bubble shader does, so a zoom is a uniform write.
 *
 * A node maps to its leaf cluster's ancestor at depth d, or to the leaf itself when that is shallower
 * (a node directly in an account is drawn inside the account bubble). Pairs where one cluster holds
 * the other are inside one bubble and get no line.
 */
import { NodeFlag, type ClusterCircle, type GraphModel } from '../model/graph-model.ts'

/** Line width on screen (pixels) for one edge and the most any line gets. */
export const CLUSTER_EDGE_PX = Object.freeze({ min: 1, max: 8 })

/** Width (pixels) of a line standing for `count` edges. */
export function clusterEdgeWidth(count: number): number {
  return Math.min(CLUSTER_EDGE_PX.max, CLUSTER_EDGE_PX.min + 1.25 * Math.log2(Math.max(1, count)))
}

/** Parent index of each cluster, from the keys (`a/b/c` → `a/b`); -1 at the top. */
export function clusterParents(clusters: readonly ClusterCircle[]): Int32Array {
  const index = new Map<string, number>()
  clusters.forEach((c, i) => index.set(c.key, i))
  return Int32Array.from(clusters, (c) => {
    const cut = c.key.lastIndexOf('/')
    return cut < 0 ? -1 : index.get(c.key.slice(0, cut)) ?? -1
  })
}

export interface ClusterEdge { a: number; b: number; depth: number; count: number }

/** The aggregated lines of every depth (cluster indices `a < b`, edges between them counted). */
export function aggregateClusterEdges(model: GraphModel, parents = clusterParents(model.clusters)): ClusterEdge[] {
  const clusters = model.clusters, n = clusters.length
  if (n < 2 || model.edgeCount === 0) return []
  // Leaf pairs first (one pass over the edges), then each depth rolls those up.
  const leafPairs = new Map<number, number>()
  const flags = model.flags, clusterOf = model.clusterOf
  for (let e = 0; e < model.edgeSlots; e++) {
    if (!model.edgeKind[e]) continue
    const s = model.edgeSource[e]!, t = model.edgeTarget[e]!
    if (!(flags[s]! & NodeFlag.Alive) || !(flags[t]! & NodeFlag.Alive)) continue
    const a = clusterOf[s]!, b = clusterOf[t]!
    if (a < 0 || b < 0 || a === b || a >= n || b >= n) continue
    const key = a < b ? a * n + b : b * n + a
    leafPairs.set(key, (leafPairs.get(key) ?? 0) + 1)
  }
  if (!leafPairs.size) return []
  let maxDepth = 0
  for (const c of clusters) if (c.depth > maxDepth) maxDepth = c.depth
  // Ancestor at each depth (or the cluster itself when shallower): up[c * maxDepth + d - 1].
  const up = new Int32Array(n * maxDepth)
  for (let c = 0; c < n; c++) {
    for (let p = c; p >= 0; p = parents[p]!) {
      const d = clusters[p]!.depth
      if (d >= 1 && d <= maxDepth) up[c * maxDepth + d - 1] = p
    }
    for (let d = 1; d <= maxDepth; d++) {
      if (d > clusters[c]!.depth) up[c * maxDepth + d - 1] = c
    }
  }
  const out: ClusterEdge[] = []
  for (let d = 1; d <= maxDepth; d++) {
    const pairs = new Map<number, number>()
    for (const [key, count] of leafPairs) {
      const la = Math.floor(key / n), lb = key - la * n
      const a = up[la * maxDepth + d - 1]!, b = up[lb * maxDepth + d - 1]!
      if (a === b) continue
      // One holds the other (a shallower leaf against a deeper one inside it): inside one bubble.
      const da = clusters[a]!.depth, db = clusters[b]!.depth
      if (da < db ? up[b * maxDepth + da - 1] === a : db < da && up[a * maxDepth + db - 1] === b) continue
      const k = a < b ? a * n + b : b * n + a
      pairs.set(k, (pairs.get(k) ?? 0) + count)
    }
    for (const [key, count] of pairs) {
      const a = Math.floor(key / n)
      out.push({ a, b: key - a * n, depth: d, count })
    }
  }
  return out
}

/** Quad arrays of the aggregated lines, one batched mesh (cut at the bubbles' rims). */
export class ClusterEdgeArrays {
  count = 0
  /** Per vertex: x1, y1, x2, y2 (world; the line from rim to rim). */
  line = new Float32Array(0)
  /** Per vertex: corner (bit 0 side, bit 1 end), depth, width px, spare. */
  info = new Float32Array(0)
  index = new Uint32Array(0)

  fill(model: GraphModel): void {
    const lines = aggregateClusterEdges(model)
    const clusters = model.clusters
    const n = lines.length
    if (this.line.length < n * 16 || this.line.length === 0) {
      const cap = Math.max(1, n)
      this.line = new Float32Array(cap * 16)
      this.info = new Float32Array(cap * 16)
      this.index = new Uint32Array(cap * 6)
    }
    let q = 0
    for (const l of lines) {
      const a = clusters[l.a]!, b = clusters[l.b]!
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy)
      if (!(len > 0)) continue
      // Rim to rim when the bubbles are apart; centre to centre when they touch.
      const cut = len > a.r + b.r
      const ux = dx / len, uy = dy / len
      const x1 = cut ? a.x + ux * a.r : a.x, y1 = cut ? a.y + uy * a.r : a.y
      const x2 = cut ? b.x - ux * b.r : b.x, y2 = cut ? b.y - uy * b.r : b.y
      const w = clusterEdgeWidth(l.count)
      for (let v = 0; v < 4; v++) {
        const o = (q * 4 + v) * 4
        this.line[o] = x1; this.line[o + 1] = y1; this.line[o + 2] = x2; this.line[o + 3] = y2
        this.info[o] = v; this.info[o + 1] = l.depth; this.info[o + 2] = w; this.info[o + 3] = 0
      }
      const v = q * 4, at = q * 6
      this.index[at] = v; this.index[at + 1] = v + 1; this.index[at + 2] = v + 2
      this.index[at + 3] = v + 1; this.index[at + 4] = v + 3; this.index[at + 5] = v + 2
      q++
    }
    this.count = q
  }
}
