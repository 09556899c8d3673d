/**
 * Camera math (pure): sigma's camera semantics over a world bounding box, plus the level-of-detail
 * thresholds. `x`/`y` are the view centre in the bbox normalised so that its larger side spans 0…1
 * ((0.5, 0.5) = centre), `ratio` is the zoom (1 = the whole graph fits, 0.05 = 20× in). World y points
 * down (as the layout's), so the picture is sigma's mirrored vertically; the path and costs are the same.
 */
import type { ClusterCircle } from '../model/types.ts'

export type Lod = 'far' | 'mid' | 'near'

/**
 * Zoom levels, in screen pixels per world unit (the layout places neighbouring nodes about one unit
 * apart): below `mid` every node is a point and the cluster bubbles carry the picture; from `mid` nodes
 * are shapes with type icons and edges show; from `near` nodes get labels and direction; from `card`
 * the labels become cards (name, type, drift summary).
 */
export const LOD_THRESHOLDS = Object.freeze({ mid: 4, near: 18, card: 56 })

/** Zoom limits (ratio): 1/500 of the full view at most, 4× out at least. */
export const RATIO_LIMITS = Object.freeze({ min: 0.002, max: 4 })

/** Level of detail for a zoom of `pxPerUnit` screen pixels per world unit. */
export function lodFor(pxPerUnit: number): Lod {
  return pxPerUnit >= LOD_THRESHOLDS.near ? 'near' : pxPerUnit >= LOD_THRESHOLDS.mid ? 'mid' : 'far'
}

export interface Bounds { minX: number; minY: number; maxX: number; maxY: number }

/** The view state plus the viewport it maps onto; all conversions are methods so callers share one truth. */
export class Camera {
  x = 0.5
  y = 0.5
  ratio = 1
  /** Viewport size in CSS pixels. */
  width = 1
  height = 1
  private cx = 0.5
  private cy = 0.5
  private side = 1

  constructor(bounds?: Bounds) {
    if (bounds) this.setBounds(bounds)
  }

  /** World box that `ratio` 1 fits (keeps the current normalised centre). */
  setBounds(b: Bounds): void {
    this.cx = (b.minX + b.maxX) / 2
    this.cy = (b.minY + b.maxY) / 2
    this.side = Math.max(b.maxX - b.minX, b.maxY - b.minY, 1e-6)
  }

  setViewport(width: number, height: number): void {
    this.width = Math.max(1, width)
    this.height = Math.max(1, height)
  }

  set(x: number, y: number, ratio: number): void {
    this.x = x
    this.y = y
    this.ratio = Math.min(RATIO_LIMITS.max, Math.max(RATIO_LIMITS.min, ratio))
  }

  /** Screen pixels per world unit at ratio 1 (the whole box fits the viewport's smaller side). */
  get fitScale(): number {
    return Math.min(this.width, this.height) / this.side
  }

  /** Screen pixels per world unit now. */
  get scale(): number {
    return this.fitScale / this.ratio
  }

  get lod(): Lod {
    return lodFor(this.scale)
  }

  /** World coordinates of the view centre. */
  get worldX(): number {
    return this.cx + (this.x - 0.5) * this.side
  }

  get worldY(): number {
    return this.cy + (this.y - 0.5) * this.side
  }

  worldToScreen(wx: number, wy: number): { x: number; y: number } {
    const s = this.scale
    return { x: this.width / 2 + (wx - this.worldX) * s, y: this.height / 2 + (wy - this.worldY) * s }
  }

  screenToWorld(sx: number, sy: number): { x: number; y: number } {
    const s = this.scale
    return { x: this.worldX + (sx - this.width / 2) / s, y: this.worldY + (sy - this.height / 2) / s }
  }

  /** World rectangle the viewport shows, grown by `margin` (a fraction of its size) on every side. */
  visibleWorld(margin = 0): Bounds {
    const s = this.scale
    const hw = (this.width / 2 / s) * (1 + 2 * margin)
    const hh = (this.height / 2 / s) * (1 + 2 * margin)
    return { minX: this.worldX - hw, minY: this.worldY - hh, maxX: this.worldX + hw, maxY: this.worldY + hh }
  }

  /** Centres the view on a world point (normalised x/y follow). */
  centreOn(wx: number, wy: number, ratio = this.ratio): void {
    this.set(0.5 + (wx - this.cx) / this.side, 0.5 + (wy - this.cy) / this.side, ratio)
  }

  /** Zooms by `factor` (<1 = in) keeping the world point under screen (sx, sy) where it is. */
  zoomAt(sx: number, sy: number, factor: number): void {
    const before = this.screenToWorld(sx, sy)
    this.set(this.x, this.y, this.ratio * factor)
    const after = this.screenToWorld(sx, sy)
    this.x += (before.x - after.x) / this.side
    this.y += (before.y - after.y) / this.side
  }

  /** Moves the view by a screen-pixel drag (content follows the pointer). */
  panBy(dxPx: number, dyPx: number): void {
    const s = this.scale
    this.x -= dxPx / s / this.side
    this.y -= dyPx / s / this.side
  }
}

/**
 * What the camera fits: the nodes' box grown to the cluster bubbles (rings included), so the outer
 * bubbles are not cut at the viewport's edge at `ratio` 1.
 */
export function withClusters(b: Bounds, clusters: readonly Pick<ClusterCircle, 'x' | 'y' | 'r'>[]): Bounds {
  if (!clusters.length) return b
  let { minX, minY, maxX, maxY } = b
  for (const c of clusters) {
    if (!Number.isFinite(c.x + c.y + c.r)) continue
    // The ring is drawn 2 px outside r; a world-unit margin of 2% of r covers it at the fit zoom.
    const r = c.r * 1.02
    if (c.x - r < minX) minX = c.x - r
    if (c.y - r < minY) minY = c.y - r
    if (c.x + r > maxX) maxX = c.x + r
    if (c.y + r > maxY) maxY = c.y + r
  }
  return { minX, minY, maxX, maxY }
}
