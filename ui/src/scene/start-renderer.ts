/**
 * Starting the scene's renderer: the kind renderer-choice.ts picks, with one throw-away frame of every
 * program so they compile while the caller still loads data. WebGPU that fails to start or to draw
 * that frame gives way to WebGL with one console line, so a broken WebGPU never leaves a blank canvas.
 */
import { autoDetectRenderer, Container, type Renderer, type WebGPURenderer } from 'pixi.js'
import { drawAtlas } from './atlas.ts'
import { BubbleArrays } from './bubbles.ts'
import { ClusterEdgeArrays } from './cluster-edges.ts'
import { atlasSource, bubbleMesh, cameraUniforms, clusterEdgeMesh, edgeMesh, nodeMesh } from './meshes.ts'
import { EdgeArrays, NodeArrays, writeAllQuads } from './node-buffers.ts'
import { Overlay } from './overlay.ts'
import { PALETTES, type Theme } from './palette.ts'
import { chooseRenderer, forcedRenderer, type GpuLike, type RendererKind } from './renderer-choice.ts'

/** A renderer of that kind only (Pixi's own detection would silently pick another). */
function startRenderer(kind: RendererKind, host: HTMLElement, theme: Theme, resolution: number): Promise<Renderer> {
  return autoDetectRenderer({
    preference: [kind],
    width: Math.max(1, host.clientWidth),
    height: Math.max(1, host.clientHeight),
    resolution,
    autoDensity: true,
    antialias: false,
    background: PALETTES[theme].background,
    powerPreference: 'high-performance',
  })
}

/**
 * Draws one throw-away frame of one-quad meshes with every program, so they compile while the caller
 * still loads data. Under WebGPU a shader or pipeline the device rejects throws here (validation
 * errors are otherwise only logged, and the canvas stays blank).
 */
async function warmFrame(renderer: Renderer, host: HTMLElement, theme: Theme, resolution: number): Promise<void> {
  const device = renderer.name === 'webgpu' ? (renderer as WebGPURenderer).gpu.device : undefined
  device?.pushErrorScope('validation')
  const nodes = new NodeArrays(), edges = new EdgeArrays(), bubbles = new BubbleArrays()
  nodes.reserve(1); edges.reserve(1); writeAllQuads(nodes.index, 1); writeAllQuads(edges.index, 1)
  bubbles.fill([{ key: 'a', label: 'a', depth: 1, x: 0, y: 0, r: 1, count: 1, worst: 0, drifted: 0 }], new Set(), PALETTES[theme])
  const cam = cameraUniforms()
  const stage = new Container()
  const overlay = new Overlay(PALETTES[theme], resolution)
  overlay.begin(10, 10)
  overlay.node({ x: 1, y: 1, r: 1, title: 'warm', severity: 0, flagged: false })
  overlay.end()
  const nm = nodeMesh(nodes, cam, atlasSource(drawAtlas(host.ownerDocument)))
  stage.addChild(bubbleMesh(bubbles, cam).mesh, clusterEdgeMesh(new ClusterEdgeArrays(), cam).mesh, edgeMesh(edges, nm, cam).mesh, nm.mesh, overlay.layer)
  renderer.render(stage)
  stage.destroy({ children: true })
  const error = await device?.popErrorScope()
  if (error) throw new Error(error.message)
}

/**
 * The renderer `chooseRenderer` picks, warmed; WebGPU that fails to start or to draw the warm frame
 * gives way to WebGL with one console line.
 */
export async function makeRenderer(host: HTMLElement, theme: Theme, resolution: number, preference?: RendererKind): Promise<Renderer> {
  const forced = preference ?? forcedRenderer(globalThis.location?.search ?? '')
  const kind = await chooseRenderer(forced, (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu)
  if (kind === 'webgpu') {
    let gpu: Renderer | undefined
    try {
      gpu = await startRenderer('webgpu', host, theme, resolution)
      await warmFrame(gpu, host, theme, resolution)
      return gpu
    } catch (e) {
      gpu?.destroy({ removeView: true })
      console.warn(`tfdrift: WebGPU could not draw the scene (${(e as Error)?.message ?? e}); using WebGL.`)
    }
  }
  const gl = await startRenderer('webgl', host, theme, resolution)
  await warmFrame(gl, host, theme, resolution)
  return gl
}
