/**
 * The screen-space overlay: bubble titles (count and drift badge) at far/mid zoom, node labels at
 * near zoom and cards (name, type, drift summary) from the card zoom. Text is BitmapText at a fixed
 * pixel size in an untransformed layer, rendered at the device resolution, so it is sharp at every zoom
 * and nothing is scaled up. Only items on screen are considered, a capped number per frame, and a
 * coarse occupancy grid keeps them from overlapping. Text objects are pooled and matched to the frame's
 * strings by content, so a title that is still on screen keeps its laid-out text wherever it moved (a
 * pan, or a neighbouring title that appeared or went), and only new strings are laid out.
 */
import { BitmapFont, BitmapText, CanvasTextMetrics, Container, Graphics } from 'pixi.js'
import { SEVERITIES, type ClusterCircle } from '../model/types.ts'
import type { Palette } from './palette.ts'

export const LABEL_FONT = 'tfdrift-label'
export const LABEL_SIZE = 12
/** Most labels (bubble titles, node labels or card lines) drawn in one frame. */
export const MAX_LABELS = 120
/** Most node cards drawn in one frame. */
export const MAX_CARDS = 40

const CELL = 16
const CHAR_W = 6.6
// One formatter for every count: toLocaleString builds a new one per call.
const COUNT = new Intl.NumberFormat('en')

let installedFor = 0

/**
 * Strings whose every character is its own grapheme: printable Latin below the combining marks
 * (U+0300), plus the '…' and '▲' the titles use. Nothing in this range joins with a neighbour.
 */
const SIMPLE_GRAPHEMES = /^[\u0020-\u007e\u00a0-\u02ff\u2026\u25b2]*$/

/**
 * Pixi splits every string it lays out into graphemes with Intl.Segmenter, three to four times per
 * changed BitmapText at ~13 µs each on a slow CPU — most of a label's cost when titles change every
 * frame (live counts). Labels are nearly always simple, so split those per character (the same
 * result) and leave anything else to the segmenter. Pixi documents the hook for replacement.
 */
function fastGraphemes(): void {
  const segment = CanvasTextMetrics.graphemeSegmenter
  if ((segment as { simpleFirst?: boolean }).simpleFirst) return
  const split = (s: string): string[] => (SIMPLE_GRAPHEMES.test(s) ? s.split('') : segment(s))
  CanvasTextMetrics.graphemeSegmenter = Object.assign(split, { simpleFirst: true })
}

function installFont(resolution: number): void {
  fastGraphemes()
  if (installedFor === resolution) return
  if (installedFor) BitmapFont.uninstall(LABEL_FONT)
  BitmapFont.install({
    name: LABEL_FONT,
    style: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSize: LABEL_SIZE, fill: 0xffffff },
    resolution,
    // Glyphs are rasterised on first use (Pixi grows an installed font as text needs it): installing
    // the whole printable range up front cost ~170 ms of start-up on a slow CPU.
    chars: ' ',
    skipKerning: true,
  })
  installedFor = resolution
}

/** Free-cell bitmap over the viewport, so labels claim space first come first served. */
class Occupancy {
  private cols = 1
  private used = new Uint8Array(1)
  reset(width: number, height: number): void {
    this.cols = Math.ceil(width / CELL) + 1
    const n = this.cols * (Math.ceil(height / CELL) + 1)
    if (this.used.length < n) this.used = new Uint8Array(n)
    else this.used.fill(0, 0, n)
  }
  /** Claims the box when free; returns whether it was. */
  claim(x: number, y: number, w: number, h: number, rows: number): boolean {
    const c0 = Math.max(0, Math.floor(x / CELL)), c1 = Math.min(this.cols - 1, Math.floor((x + w) / CELL))
    const r0 = Math.max(0, Math.floor(y / CELL)), r1 = Math.min(rows - 1, Math.floor((y + h) / CELL))
    if (c0 > c1 || r0 > r1) return false
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (this.used[r * this.cols + c]) return false
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) this.used[r * this.cols + c] = 1
    return true
  }
}

export interface NodeLabel { x: number; y: number; r: number; title: string; detail?: string; severity: number; flagged: boolean }

interface TextItem { s: string; x: number; y: number; tint: number }

export class Overlay {
  readonly layer = new Container({ eventMode: 'none', interactiveChildren: false })
  private readonly cards = new Graphics()
  private readonly pool: BitmapText[] = []
  /** This frame's strings, placed on pooled text objects in `end`. */
  private readonly items: TextItem[] = []
  private used = 0
  private readonly grid = new Occupancy()
  private rows = 1
  private palette: Palette

  constructor(palette: Palette, resolution: number) {
    installFont(resolution)
    this.palette = palette
    this.layer.addChild(this.cards)
  }

  setPalette(palette: Palette): void {
    this.palette = palette
  }

  begin(width: number, height: number): void {
    this.used = 0
    this.items.length = 0
    this.cards.clear()
    this.grid.reset(width, height)
    this.rows = Math.ceil(height / CELL) + 1
  }

  get full(): boolean {
    return this.used >= MAX_LABELS
  }

  /** A cluster title centred at the top inside its bubble: name, then count and drifted badge. */
  bubble(c: ClusterCircle, sx: number, sy: number, rPx: number): void {
    const name = c.label.length > 28 ? c.label.slice(0, 27) + '…' : c.label
    const line2 = c.drifted > 0 ? `${COUNT.format(c.count)} · ▲${c.drifted}` : COUNT.format(c.count)
    const w = Math.max(name.length, line2.length) * CHAR_W
    const y = rPx > 60 ? sy - rPx + 10 : sy - LABEL_SIZE
    if (!this.grid.claim(sx - w / 2, y, w, LABEL_SIZE * 2 + 2, this.rows)) return
    this.text(name, sx - (name.length * CHAR_W) / 2, y, this.palette.text)
    const sev = Math.min(c.worst, SEVERITIES.length - 1)
    this.text(line2, sx - (line2.length * CHAR_W) / 2, y + LABEL_SIZE + 2, c.drifted > 0 ? this.palette.severity[sev]! : this.palette.mutedText)
  }

  /** A node label right of its disc, or a card when `detail` is given; returns whether it was drawn. */
  node(label: NodeLabel): boolean {
    const x = label.x + label.r + 4
    if (label.detail === undefined) {
      const w = label.title.length * CHAR_W
      if (!this.grid.claim(x, label.y - LABEL_SIZE / 2, w, LABEL_SIZE, this.rows)) return false
      this.text(label.title, x, label.y - LABEL_SIZE / 2 - 1, label.flagged ? this.palette.selected : this.palette.text)
      return true
    }
    const w = Math.min(260, Math.max(label.title.length, label.detail.length) * CHAR_W + 16)
    const h = LABEL_SIZE * 2 + 14
    const y = label.y - h / 2
    if (!this.grid.claim(x, y, w, h, this.rows)) return false
    const border = label.severity > 0 ? this.palette.severity[label.severity]! : label.flagged ? this.palette.selected : this.palette.cardBorder
    this.cards.roundRect(x, y, w, h, 5).fill({ color: this.palette.cardFill, alpha: 0.92 }).stroke({ color: border, width: label.severity > 0 || label.flagged ? 2 : 1 })
    const maxChars = Math.floor((w - 16) / CHAR_W)
    const clip = (s: string) => (s.length > maxChars ? s.slice(0, maxChars - 1) + '…' : s)
    this.text(clip(label.title), x + 8, y + 5, this.palette.text)
    this.text(clip(label.detail), x + 8, y + 7 + LABEL_SIZE, label.severity > 0 ? this.palette.severity[label.severity]! : this.palette.mutedText)
    return true
  }

  /**
   * Places the frame's strings: first on text objects already showing the same string (no layout),
   * then the rest on the objects left over, which lay out their new string; hides the others.
   */
  end(): void {
    const byText = new Map<string, BitmapText[]>()
    for (const t of this.pool) {
      const list = byText.get(t.text)
      if (list) list.push(t)
      else byText.set(t.text, [t])
    }
    const taken = new Set<BitmapText>()
    const unmatched: TextItem[] = []
    for (const item of this.items) {
      const t = byText.get(item.s)?.pop()
      if (!t) { unmatched.push(item); continue }
      taken.add(t)
      this.place(t, item)
    }
    const spare = this.pool.filter((t) => !taken.has(t))
    for (const item of unmatched) {
      let t = spare.pop()
      if (!t) {
        t = new BitmapText({ text: item.s, style: { fontFamily: LABEL_FONT, fontSize: LABEL_SIZE } })
        this.pool.push(t)
        this.layer.addChild(t)
      } else t.text = item.s
      this.place(t, item)
    }
    for (const t of spare) t.visible = false
  }

  private place(t: BitmapText, item: TextItem): void {
    t.visible = true
    t.tint = item.tint
    t.position.set(Math.round(item.x), Math.round(item.y))
  }

  private text(s: string, x: number, y: number, tint: number): void {
    if (this.used >= MAX_LABELS) return
    this.items.push({ s, x, y, tint })
    this.used++
  }

  destroy(): void {
    this.layer.destroy({ children: true })
  }
}
