/**
 * The ui-bench target protocol (../shared/ui-bench/README.md, "Target protocol") on the real scene:
 * load the harness graph (`?graph=` URL, else the copied generator), build the GraphModel, create the
 * scene, stamp `__ready` two frames after the first render, and drive the camera along the standard
 * path in `__benchInteract`. The shell's main.tsx calls `runBench` when `?bench=` is in the URL.
 *
 * `&live=R` also applies R severity changes per second during `__benchInteract`, the way the live
 * stream does (`model.setSeverity` per change, then per frame one cluster-stats refresh and one
 * `touch('style', slots)` naming the changed slots), to measure what a drift storm costs the frame time.
 */
import { refreshClusterStats } from '../layout/index.ts'
import { SEVERITIES, type GraphModel } from '../model/graph-model.ts'
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
  const live = Math.max(0, Number(params.get('live')) || 0)
  try {
    // The renderer starts and compiles its programs while the graph loads, as the dashboard does.
    const warming = prewarmScene(host, { theme })
    // The parsed JSON stays inside loadModel: nothing keeps it once the model is built.
    const { model, edges } = await loadModel(n, params, marks)
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
      live: live || undefined,
    }
    const changes = live > 0 ? liveChanges(model, live) : undefined
    w.__benchInteract = (ms) => {
      changes?.start()
      return runBenchPath(ms, ({ x, y, ratio }) => {
        changes?.frame()
        scene.setCamera(x, y, ratio)
      })
    }
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

async function loadModel(n: number, params: URLSearchParams, marks: Record<string, number>): Promise<{ model: GraphModel; edges: number }> {
  const url = params.get('graph')
  let graph: BenchGraph
  if (url) {
    const res = await fetch(url)
    if (!res.ok) throw new Error(`graph fetch ${res.status}`)
    graph = (await res.json()) as BenchGraph
  } else graph = generateGraph(n, params.get('seed') ?? 1)
  marks.fetched = performance.now()
  return { model: benchModel(graph), edges: graph.edges.length }
}

/**
 * `perSecond` severity changes per second, applied once per frame (as many as are due since the last
 * frame) through the live stream's path: `setSeverity` each, then the cluster stats and one
 * `touch('style', slots)` for the batch. Nodes and severities come from a fixed sequence, so runs compare.
 */
function liveChanges(model: GraphModel, perSecond: number): { start(): void; frame(): void } {
  const ids: string[] = []
  for (let s = 0; s < model.nodeSlots; s++) { const d = model.data[s]; if (d) ids.push(d.id) }
  refreshClusterStats(model) // the full count the loader makes; each batch then updates it
  let t0 = 0, applied = 0, seed = 0x9e3779b9
  const random = () => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5
    return (seed >>> 0) / 0x1_0000_0000
  }
  return {
    start() { t0 = performance.now(); applied = 0 },
    frame() {
      const due = Math.floor(((performance.now() - t0) / 1000) * perSecond) - applied
      if (due <= 0 || !ids.length) return
      const changed: number[] = []
      for (let k = 0; k < due; k++) {
        const id = ids[Math.floor(random() * ids.length)]!
        // Mostly drift appearing or worsening, sometimes resolved.
        const rank = random() < 0.25 ? 0 : 1 + Math.floor(random() * (SEVERITIES.length - 1))
        const slot = model.setSeverity(id, SEVERITIES[rank]!, rank ? 1 + Math.floor(random() * 3) : 0)
        if (slot >= 0) changed.push(slot)
      }
      applied += due
      if (changed.length) {
        refreshClusterStats(model, changed)
        model.touch('style', changed)
      }
    },
  }
}
