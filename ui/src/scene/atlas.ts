/**
 * The type-icon atlas, drawn once at run time on a canvas: one white glyph per icon family in a
 * horizontal strip of square cells (cell i = FAMILIES[i]), so the node shader picks a glyph from the
 * family byte without a per-type texture. The shader tints it, so one atlas serves both themes.
 */
import { FAMILIES } from './families.ts'

export const ATLAS_CELL = 64

type Draw = (g: CanvasRenderingContext2D) => void

// Glyphs in a 64×64 cell; the node disc covers most of it, so they stay within the middle ~60%.
const GLYPHS: Record<(typeof FAMILIES)[number], Draw> = {
  other: (g) => { g.beginPath(); g.arc(32, 32, 7, 0, Math.PI * 2); g.fill() },
  compute: (g) => {
    g.fillRect(22, 22, 20, 20)
    for (let k = 0; k < 3; k++) { const p = 25 + k * 6; g.fillRect(p, 16, 3, 5); g.fillRect(p, 43, 3, 5); g.fillRect(16, p, 5, 3); g.fillRect(43, p, 5, 3) }
  },
  network: (g) => {
    const pts: Array<[number, number]> = [[32, 19], [20, 42], [44, 42]]
    g.beginPath(); g.moveTo(...pts[0]!); g.lineTo(...pts[1]!); g.lineTo(...pts[2]!); g.closePath(); g.stroke()
    for (const [x, y] of pts) { g.beginPath(); g.arc(x, y, 5, 0, Math.PI * 2); g.fill() }
  },
  iam: (g) => {
    g.beginPath(); g.arc(25, 32, 8, 0, Math.PI * 2); g.stroke()
    g.fillRect(32, 30, 16, 4); g.fillRect(42, 30, 4, 9); g.fillRect(36, 30, 3, 7)
  },
  storage: (g) => {
    g.beginPath(); g.moveTo(20, 22); g.lineTo(44, 22); g.lineTo(40, 45); g.lineTo(24, 45); g.closePath(); g.fill()
  },
  database: (g) => {
    for (const y of [22, 31, 40]) { g.beginPath(); g.ellipse(32, y, 12, 4.5, 0, 0, Math.PI * 2); g.fill() }
  },
  serverless: (g) => {
    g.beginPath(); g.moveTo(22, 18); g.lineTo(28, 18); g.lineTo(44, 46); g.lineTo(38, 46); g.lineTo(32, 35); g.lineTo(26, 46); g.lineTo(20, 46); g.lineTo(29, 30); g.closePath(); g.fill()
  },
  group: (g) => { g.strokeRect(20, 20, 24, 24); g.fillRect(26, 26, 12, 12) },
}

/** Draws the atlas canvas (FAMILIES.length cells wide). */
export function drawAtlas(doc: Document = document): HTMLCanvasElement {
  const canvas = doc.createElement('canvas')
  canvas.width = ATLAS_CELL * FAMILIES.length
  canvas.height = ATLAS_CELL
  const g = canvas.getContext('2d')!
  g.fillStyle = '#fff'
  g.strokeStyle = '#fff'
  g.lineWidth = 4
  FAMILIES.forEach((family, i) => {
    g.save()
    g.translate(i * ATLAS_CELL, 0)
    GLYPHS[family](g)
    g.restore()
  })
  return canvas
}
