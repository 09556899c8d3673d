/**
 * The ui-bench target protocol (../shared/ui-bench/README.md, "Target protocol") on the real scene:
 * load the harness graph (`?graph=` URL, else the copied generator), build the GraphModel, create the
 * scene, stamp `__ready` two frames after the first render, and drive the camera along the standard
 * path in `__benchInteract`. The shell's main.tsx calls `runBench` when `?bench=` is in the URL.
 */
import { createScene, LOD_THRESHOLDS, prewarmScene, type Scene } from '../scene/index.ts'
import { benchModel } from './bench-model.ts'
import { runBenchPath } from './bench-path.js'
import { generateGraph, type BenchGraph } from './gen-graph.js'

interface BenchWindow {
  __ready?: number
  __marks?: Record<string, number>
  __benchInfo?: Record<string, unknown>
  __benchInteract?: (ms: number) => Promise<{ frames: number }>
  __benchError?: string
  __tfdriftScene?: Scene
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve))

/** Runs the bench page in `host` for a graph of `n` nodes; reports failures through `__benchError`. */
export async function runBench(host: HTMLElement, n: number, params: URLSearchParams): Promise<Scene | undefined> {
  const w = window as unknown as BenchWindow
  const marks: Record<string, number> = (w.__marks = { start: performance.now() })
  const theme = params.get('theme') === 'light' ? 'light' : 'dark'
  try {
    // The renderer starts and compiles its programs while the graph loads, as the dashboard does.
    const warming = prewarmScene(host, { theme })
    const url = params.get('graph')
    let graph: BenchGraph
    if (url) {
      const res = await fetch(url)
      if (!res.ok) throw new Error(`graph fetch ${res.status}`)
      graph = (await res.json()) as BenchGraph
    } else graph = generateGraph(n, params.get('seed') ?? 1)
    marks.fetched = performance.now()
    const model = benchModel(graph)
    const edges = graph.edges.length
    marks.built = performance.now()
    await warming
    const scene = await createScene(host, model, { theme, interactive: true })
    scene.setCamera(0.5, 0.5, 1) // renders at the end of this task
    await Promise.resolve()
    marks.rendered = performance.now()
    w.__tfdriftScene = scene
    w.__benchInfo = {
      renderer: `tfdrift scene (PixiJS ${scene.renderer}, batched quads, no instancing)`,
      nodes: model.nodeCount,
      edges,
      clusters: model.clusters.length,
      lodThresholds: LOD_THRESHOLDS,
    }
    w.__benchInteract = (ms) => runBenchPath(ms, ({ x, y, ratio }) => scene.setCamera(x, y, ratio))
    await nextFrame()
    await nextFrame()
    w.__ready = performance.now()
    return scene
  } catch (e) {
    console.error(e)
    w.__benchError = String((e as Error)?.stack ?? e)
    return undefined
  }
}
