/** Scene camera (pure): sigma's camera semantics ↔ world/screen, zoom at a point, LOD thresholds. */
import { describe, expect, it } from 'vitest'
import { Camera, LOD_THRESHOLDS, lodFor } from '../../ui/src/scene/camera.ts'

const box = { minX: 0, minY: 0, maxX: 200, maxY: 100 }

function camera(): Camera {
  const c = new Camera(box)
  c.setViewport(800, 400)
  return c
}

describe('scene camera', () => {
  it('fits the larger side of the box at ratio 1 and centres (0.5, 0.5) on the box centre', () => {
    const c = camera()
    expect(c.fitScale).toBe(2) // min(800, 400) / 200
    expect(c.worldX).toBe(100)
    expect(c.worldY).toBe(50)
    expect(c.worldToScreen(100, 50)).toEqual({ x: 400, y: 200 })
  })

  it('maps normalised x/y and ratio to world and back', () => {
    const c = camera()
    c.set(0.25, 0.75, 0.1) // worldX = 100 + (0.25 - 0.5)·200
    expect(c.worldX).toBe(50)
    expect(c.worldY).toBe(100) // 50 + (0.75 - 0.5)·200
    expect(c.scale).toBeCloseTo(20)
    const s = c.worldToScreen(60, 95)
    expect(s.x).toBeCloseTo(600)
    expect(s.y).toBeCloseTo(100)
    const w = c.screenToWorld(s.x, s.y)
    expect(w.x).toBeCloseTo(60)
    expect(w.y).toBeCloseTo(95)
  })

  it('keeps the point under the cursor fixed when zooming there', () => {
    const c = camera()
    const before = c.screenToWorld(100, 300)
    c.zoomAt(100, 300, 0.5)
    const after = c.worldToScreen(before.x, before.y)
    expect(after.x).toBeCloseTo(100)
    expect(after.y).toBeCloseTo(300)
    expect(c.ratio).toBeCloseTo(0.5)
  })

  it('pans so that content follows the pointer, and centres on a world point', () => {
    const c = camera()
    const w = c.screenToWorld(400, 200)
    c.panBy(40, -20)
    const s = c.worldToScreen(w.x, w.y)
    expect(s.x).toBeCloseTo(440)
    expect(s.y).toBeCloseTo(180)
    c.centreOn(10, 20, 0.5)
    expect(c.worldX).toBeCloseTo(10)
    expect(c.worldY).toBeCloseTo(20)
    expect(c.ratio).toBe(0.5)
  })

  it('reports the visible world rectangle, grown by a margin', () => {
    const c = camera()
    expect(c.visibleWorld()).toEqual({ minX: -100, minY: -50, maxX: 300, maxY: 150 })
    const m = c.visibleWorld(0.5)
    expect(m.maxX - m.minX).toBeCloseTo(800)
  })

  it('picks far, mid and near from pixels per world unit', () => {
    expect(lodFor(LOD_THRESHOLDS.mid - 0.01)).toBe('far')
    expect(lodFor(LOD_THRESHOLDS.mid)).toBe('mid')
    expect(lodFor(LOD_THRESHOLDS.near)).toBe('near')
    expect(LOD_THRESHOLDS.mid).toBeLessThan(LOD_THRESHOLDS.near)
    expect(LOD_THRESHOLDS.near).toBeLessThan(LOD_THRESHOLDS.card)
    const c = camera()
    expect(c.lod).toBe('far') // 2 px per unit
    c.set(0.5, 0.5, 2 / LOD_THRESHOLDS.near)
    expect(c.lod).toBe('near')
  })

  it('clamps the zoom', () => {
    const c = camera()
    c.set(0.5, 0.5, 0)
    expect(c.ratio).toBeGreaterThan(0)
    c.set(0.5, 0.5, 1e9)
    expect(c.ratio).toBeLessThan(10)
  })
})
