/** Hosts the Pixi scene over the graph model, and the hover tooltip that follows the pointer. */
import { createSignal, onCleanup, onMount, Show } from 'solid-js'
import { createScene } from '../scene/index.ts'
import type { NodeData } from '../model/types.ts'
import type { Dashboard } from './controller.ts'
import { Tooltip } from './Tooltip.tsx'

export function CanvasHost(props: { dash: Dashboard }) {
  let host!: HTMLDivElement
  const [hover, setHover] = createSignal<{ node: NodeData; x: number; y: number }>()
  let pointer = { x: 0, y: 0 }
  let disposed = false
  let cleanup: (() => void) | undefined

  onMount(async () => {
    const scene = await createScene(host, props.dash.model, { theme: props.dash.theme(), interactive: true })
    if (disposed) return scene.destroy()
    const detach = props.dash.attachScene(scene)
    const offHover = scene.on('hover', (arg: unknown) => {
      const slot = typeof arg === 'number' ? arg : ((arg as { slot?: number })?.slot ?? -1)
      const node = slot >= 0 ? props.dash.model.data[slot] : undefined
      setHover(node ? { node, ...pointer } : undefined)
    })
    cleanup = () => { offHover(); detach(); scene.destroy() }
  })
  onCleanup(() => { disposed = true; cleanup?.() })

  const onPointerMove = (e: PointerEvent) => {
    const box = host.getBoundingClientRect()
    pointer = { x: e.clientX - box.left, y: e.clientY - box.top }
    const h = hover()
    if (h) setHover({ ...h, ...pointer })
  }
  return (
    <div class="canvas-wrap">
      <div class="canvas" ref={host} data-testid="canvas" role="img" aria-label="Resource graph; the drift list is its text alternative"
        onPointerMove={onPointerMove} onPointerLeave={() => setHover(undefined)} />
      <Show when={hover()}>{(h) => <Tooltip node={h().node} x={h().x} y={h().y} />}</Show>
    </div>
  )
}
