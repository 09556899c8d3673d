/**
 * Pointer, wheel and keyboard handling on the canvas: drag pans, the wheel zooms at the cursor, two
 * pointers pinch, arrows pan, +/- zoom, 0 fits; a click without a drag picks. The handlers only move
 * the camera and call back; hit-testing goes through the scene's spatial index.
 */
import type { Camera } from './camera.ts'

export interface InteractionHost {
  camera: Camera
  /** The camera changed: render. */
  changed(): void
  fit(): void
  hover(clientX: number, clientY: number): void
  click(clientX: number, clientY: number): void
}

const DRAG_PX = 4
const KEY_PAN_PX = 80
const KEY_ZOOM = 1.25

/** Wires the handlers onto `el`; returns the function that removes them. */
export function attachInteraction(el: HTMLElement, host: InteractionHost): () => void {
  const pointers = new Map<number, { x: number; y: number }>()
  let downAt: { x: number; y: number } | undefined
  let dragged = false
  let pinch = 0
  const local = (e: { clientX: number; clientY: number }) => {
    const r = el.getBoundingClientRect()
    return { x: e.clientX - r.left, y: e.clientY - r.top }
  }
  const spread = () => {
    const [a, b] = [...pointers.values()]
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0
  }

  const onDown = (e: PointerEvent) => {
    el.focus({ preventScroll: true })
    el.setPointerCapture?.(e.pointerId)
    pointers.set(e.pointerId, local(e))
    if (pointers.size === 1) { downAt = local(e); dragged = false }
    if (pointers.size === 2) { pinch = spread(); dragged = true }
  }
  const onMove = (e: PointerEvent) => {
    const p = local(e)
    const prev = pointers.get(e.pointerId)
    if (!prev) { host.hover(e.clientX, e.clientY); return }
    if (pointers.size >= 2) {
      pointers.set(e.pointerId, p)
      const s = spread()
      if (pinch > 0 && s > 0) {
        const [a, b] = [...pointers.values()]
        host.camera.zoomAt((a!.x + b!.x) / 2, (a!.y + b!.y) / 2, pinch / s)
        host.changed()
      }
      pinch = s
      return
    }
    if (downAt && !dragged && Math.hypot(p.x - downAt.x, p.y - downAt.y) > DRAG_PX) dragged = true
    if (dragged) {
      host.camera.panBy(p.x - prev.x, p.y - prev.y)
      host.changed()
    }
    pointers.set(e.pointerId, p)
  }
  const onUp = (e: PointerEvent) => {
    const had = pointers.delete(e.pointerId)
    if (pointers.size < 2) pinch = 0
    if (had && pointers.size === 0 && !dragged && e.type === 'pointerup') host.click(e.clientX, e.clientY)
    if (pointers.size === 0) downAt = undefined
  }
  const onWheel = (e: WheelEvent) => {
    e.preventDefault()
    const p = local(e)
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY
    host.camera.zoomAt(p.x, p.y, Math.exp(delta * 0.0015))
    host.changed()
  }
  const onKey = (e: KeyboardEvent) => {
    const c = host.camera
    switch (e.key) {
      case 'ArrowLeft': c.panBy(KEY_PAN_PX, 0); break
      case 'ArrowRight': c.panBy(-KEY_PAN_PX, 0); break
      case 'ArrowUp': c.panBy(0, KEY_PAN_PX); break
      case 'ArrowDown': c.panBy(0, -KEY_PAN_PX); break
      case '+': case '=': c.zoomAt(c.width / 2, c.height / 2, 1 / KEY_ZOOM); break
      case '-': case '_': c.zoomAt(c.width / 2, c.height / 2, KEY_ZOOM); break
      case '0': host.fit(); e.preventDefault(); return
      default: return
    }
    e.preventDefault()
    host.changed()
  }

  el.tabIndex = 0
  el.style.touchAction = 'none'
  el.style.outline = 'none'
  el.addEventListener('pointerdown', onDown)
  el.addEventListener('pointermove', onMove)
  el.addEventListener('pointerup', onUp)
  el.addEventListener('pointercancel', onUp)
  el.addEventListener('wheel', onWheel, { passive: false })
  el.addEventListener('keydown', onKey)
  return () => {
    el.removeEventListener('pointerdown', onDown)
    el.removeEventListener('pointermove', onMove)
    el.removeEventListener('pointerup', onUp)
    el.removeEventListener('pointercancel', onUp)
    el.removeEventListener('wheel', onWheel)
    el.removeEventListener('keydown', onKey)
  }
}
