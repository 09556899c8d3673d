/**
 * Cluster bubbles (pure part): the quad arrays of every cluster circle, and which hierarchy depth to
 * fill at a zoom — the deepest whose typical bubble is still a readable size on screen.
 */
import { SEVERITIES, type ClusterCircle } from '../model/types.ts'
import { rgba, type Palette } from './palette.ts'

/** A bubble of the filled depth should be at least this many pixels in radius. */
export const BUBBLE_MIN_PX = 36

export class BubbleArrays {
  count = 0
  /** Per vertex: x, y, r, depth. */
  circle = new Float32Array(0)
  color = new Uint32Array(0)
  /** Per vertex bytes: corner, collapsed. */
  info = new Uint32Array(0)
  index = new Uint32Array(0)
  /** Median radius (world) per depth (index = depth). */
  medianRadius: number[] = []
  /** `worst` each bubble was coloured with, so `recolour` finds the ones that changed. */
  private worst = new Uint8Array(0)

  fill(clusters: readonly ClusterCircle[], collapsed: ReadonlySet<string>, palette: Palette): void {
    const n = clusters.length
    if (this.circle.length < n * 16) {
      this.circle = new Float32Array(n * 16)
      this.color = new Uint32Array(n * 4)
      this.info = new Uint32Array(n * 4)
      this.index = new Uint32Array(n * 6)
      this.worst = new Uint8Array(n)
    }
    this.count = n
    const byDepth: number[][] = []
    clusters.forEach((c, i) => {
      for (let v = 0; v < 4; v++) {
        const o = (i * 4 + v) * 4
        this.circle[o] = c.x; this.circle[o + 1] = c.y; this.circle[o + 2] = c.r; this.circle[o + 3] = c.depth
        this.info[i * 4 + v] = v | (collapsed.has(c.key) ? 256 : 0)
      }
      this.paint(i, c.worst, palette)
      const v = i * 4, at = i * 6
      this.index[at] = v; this.index[at + 1] = v + 1; this.index[at + 2] = v + 2
      this.index[at + 3] = v + 1; this.index[at + 4] = v + 3; this.index[at + 5] = v + 2
      ;(byDepth[c.depth] ??= []).push(c.r)
    })
    this.medianRadius = byDepth.map((rs) => (rs ? rs.sort((a, b) => a - b)[rs.length >> 1]! : 0))
  }

  /**
   * Re-colours the bubbles whose `worst` changed since they were filled (drift changes alone move no
   * circle); returns whether any did.
   */
  recolour(clusters: readonly ClusterCircle[], palette: Palette): boolean {
    let changed = false
    for (let i = 0; i < this.count; i++) {
      const worst = clusters[i]!.worst
      if (worst === this.worst[i]) continue
      this.paint(i, worst, palette)
      changed = true
    }
    return changed
  }

  private paint(i: number, worst: number, palette: Palette): void {
    this.worst[i] = worst
    this.color.fill(rgba(worst > 0 ? palette.severity[Math.min(worst, SEVERITIES.length - 1)]! : palette.bubbleRing), i * 4, i * 4 + 4)
  }

  /** Depth to fill at `scale` pixels per world unit (1 when even the outermost bubbles are small; 0 without clusters). */
  depthFor(scale: number): number {
    let depth = 0
    for (let d = 1; d < this.medianRadius.length; d++) {
      const r = this.medianRadius[d]
      if (!r) continue
      if (depth === 0 || r * scale >= BUBBLE_MIN_PX) depth = d
    }
    return depth
  }
}
