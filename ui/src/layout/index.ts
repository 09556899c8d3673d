/**
 * The dashboard's layout client: finds what the graph model has that the layout has not placed,
 * sends it to the layout (a Web Worker, or the same code in-thread where there is none), and writes
 * positions, clusters and leaf-cluster indices back into the model.
 *
 * Updates run one at a time, in call order; each one sends only the difference since the last.
 * Nodes that already have a position when first seen (x not NaN) are left where they are and the
 * layout reserves no room for them; `relayout` places everything afresh.
 */
import { NodeFlag, SEVERITIES, type GraphModel } from '../model/graph-model.ts'
import type { ClusterCircle } from '../model/types.ts'
import type { LayoutOptions } from './hierarchy-layout.ts'
import { createLayoutHandler, transferables, type LayoutRequest, type LayoutResponse } from './protocol.ts'

export { HierarchyLayout, layoutAll, ROOT_GROUP, type LayoutDelta, type LayoutInput, type LayoutOptions } from './hierarchy-layout.ts'

export interface LayoutClient {
  /** Places every alive node not laid out yet (x is NaN), forgets removed ones; others keep their position. */
  update(model: GraphModel): Promise<void>
  /** Lays out every alive node from scratch (the grouping changed). */
  relayout(model: GraphModel): Promise<void>
  dispose(): void
}

export interface CreateLayoutOptions {
  /** Run in a Web Worker (default true where `Worker` exists). */
  worker?: boolean
  layout?: LayoutOptions
}

/** Batches up to this size look for a placed neighbour to land near (live changes, not the initial load). */
const NEAR_HINT_MAX_BATCH = 5000

/** Parent index per cluster, for `refreshClusterStats`; keyed by the array the layout wrote. */
const parentsOf = new WeakMap<ClusterCircle[], Int32Array>()

export function createLayout(options: CreateLayoutOptions = {}): LayoutClient {
  const send = options.worker !== false && typeof Worker !== 'undefined'
    ? workerTransport(options.layout)
    : inThreadTransport(options.layout)
  /** Id and group path the layout holds for each model slot. */
  let sentId: Array<string | undefined> = []
  let sentGroup: Array<readonly string[] | undefined> = []
  let queue: Promise<void> = Promise.resolve()
  let disposed = false

  const run = (model: GraphModel, reset: boolean): Promise<void> => {
    const next = queue.then(async () => {
      if (disposed) return
      if (reset) { sentId = []; sentGroup = [] }
      const { request, sentIds, sentSlots } = diff(model, sentId, sentGroup, reset)
      if (!reset && !request.ids.length && !request.removed.length) return
      const response = await send.request(request)
      if (disposed) return
      apply(model, sentIds, sentSlots, response)
    })
    queue = next.catch(() => {})
    return next
  }

  return {
    update: (model) => run(model, false),
    relayout: (model) => run(model, true),
    dispose() {
      disposed = true
      send.close()
    },
  }
}

/**
 * Per model: severity histograms per cluster, so a batch of severity changes updates `worst` and
 * `drifted` along each changed node's cluster chain instead of recounting every node. Valid while
 * the cluster list and the model's structure are unchanged: `clusterOf` is only written together
 * with a new cluster list (the layout's `apply`, the bench model).
 */
interface ClusterTally {
  clusters: ClusterCircle[]
  structure: number
  /** Nodes per cluster and severity rank (`c * SEVERITIES.length + rank`). */
  histogram: Int32Array
  /** The severity each slot was counted with; 255 = not counted (dead, or in no cluster). */
  counted: Uint8Array
}
const tallies = new WeakMap<GraphModel, ClusterTally>()
const RANKS = SEVERITIES.length

/**
 * Recomputes `count`, `worst` and `drifted` of `model.clusters` from severities. With `slots` (the
 * nodes whose severity changed since the last call) it costs their cluster chains only; without, or
 * when the clusters or the structure changed since, it recounts every node.
 */
export function refreshClusterStats(model: GraphModel, slots?: readonly number[]): void {
  const clusters = model.clusters
  let parents = parentsOf.get(clusters)
  if (!parents) parentsOf.set(clusters, (parents = parentsByKey(clusters)))
  const tally = tallies.get(model)
  if (slots && tally && tally.clusters === clusters && tally.structure === model.versions.structure) {
    updateTally(model, tally, parents, slots)
    return
  }
  tallies.set(model, countAll(model, parents))
}

function countAll(model: GraphModel, parents: Int32Array): ClusterTally {
  const clusters = model.clusters, n = clusters.length
  const histogram = new Int32Array(n * RANKS)
  const counted = new Uint8Array(model.nodeSlots).fill(255)
  for (let slot = 0; slot < model.nodeSlots; slot++) {
    if (!(model.flags[slot]! & NodeFlag.Alive)) continue
    const c0 = model.clusterOf[slot]!
    if (c0 < 0 || c0 >= n) continue
    const severity = model.severity[slot]!
    counted[slot] = severity
    for (let c = c0; c >= 0 && c < n; c = parents[c]!) histogram[c * RANKS + severity]++
  }
  for (let c = 0; c < n; c++) writeStats(clusters[c]!, histogram, c)
  return { clusters, structure: model.versions.structure, histogram, counted }
}

function updateTally(model: GraphModel, tally: ClusterTally, parents: Int32Array, slots: readonly number[]): void {
  const { clusters, histogram, counted } = tally
  const n = clusters.length
  for (const slot of slots) {
    const before = counted[slot]
    if (before === undefined || before === 255) continue
    const after = model.severity[slot]!
    if (after === before) continue
    counted[slot] = after
    for (let c = model.clusterOf[slot]!; c >= 0 && c < n; c = parents[c]!) {
      histogram[c * RANKS + before]--
      histogram[c * RANKS + after]++
      writeStats(clusters[c]!, histogram, c)
    }
  }
}

function writeStats(cluster: ClusterCircle, histogram: Int32Array, c: number): void {
  const o = c * RANKS
  let count = 0, worst = 0
  for (let r = 0; r < RANKS; r++) {
    const k = histogram[o + r]!
    count += k
    if (k > 0) worst = r
  }
  cluster.count = count
  cluster.worst = worst
  cluster.drifted = count - histogram[o]!
}

/** Parents from keys, for cluster lists the layout did not write (labels must not contain '/'). */
function parentsByKey(clusters: ClusterCircle[]): Int32Array {
  const index = new Map(clusters.map((c, i) => [c.key, i]))
  return Int32Array.from(clusters, (c) => {
    const cut = c.key.lastIndexOf('/')
    return cut < 0 ? -1 : index.get(c.key.slice(0, cut)) ?? -1
  })
}

/** What changed since the last request: removed or regrouped nodes, and nodes to place. */
function diff(
  model: GraphModel,
  sentId: Array<string | undefined>,
  sentGroup: Array<readonly string[] | undefined>,
  reset: boolean,
): { request: LayoutRequest; sentIds: string[]; sentSlots: number[] } {
  const removed: string[] = []
  const regrouped = new Set<number>()
  for (let slot = 0; slot < sentId.length; slot++) {
    const id = sentId[slot]
    if (id === undefined) continue
    const node = model.data[slot]
    if (node && node.id === id && sameGroup(node.group, sentGroup[slot]!)) continue
    removed.push(id)
    sentId[slot] = undefined
    sentGroup[slot] = undefined
    if (node && node.id === id) regrouped.add(slot)
  }
  const ids: string[] = [], slots: number[] = [], pathOf: number[] = [], paths: string[][] = []
  const pathIndex = new Map<string, number>()
  for (let slot = 0; slot < model.nodeSlots; slot++) {
    if (!(model.flags[slot]! & NodeFlag.Alive)) continue
    if (!reset && !Number.isNaN(model.x[slot]!) && !regrouped.has(slot)) continue
    if (sentId[slot] !== undefined) continue
    const node = model.data[slot]!
    // Dedupe paths so each crosses to the worker once.
    const key = node.group.join('\u0000')
    let p = pathIndex.get(key)
    if (p === undefined) {
      p = paths.length
      paths.push([...node.group])
      pathIndex.set(key, p)
    }
    ids.push(node.id)
    slots.push(slot)
    pathOf.push(p)
    sentId[slot] = node.id
    sentGroup[slot] = node.group
  }
  const near = new Int32Array(ids.length).fill(-1)
  if (ids.length <= NEAR_HINT_MAX_BATCH) {
    for (let i = 0; i < ids.length; i++) near[i] = placedNeighbour(model, slots[i]!, sentId, paths[pathOf[i]!]!)
  }
  return {
    request: { reset, removed, ids, slots: Int32Array.from(slots), pathOf: Int32Array.from(pathOf), paths, near },
    sentIds: ids,
    sentSlots: slots,
  }
}

/** A neighbour already placed (laid out, same group path), or -1. */
function placedNeighbour(model: GraphModel, slot: number, sentId: Array<string | undefined>, group: readonly string[]): number {
  const { dependencies, dependents } = model.neighbours(slot)
  for (const other of [...dependencies, ...dependents]) {
    if (other === slot || sentId[other] === undefined || Number.isNaN(model.x[other]!)) continue
    if (sameGroup(model.data[other]!.group, group)) return other
  }
  return -1
}

function sameGroup(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Writes a response into the model, skipping slots whose node changed while the layout ran. */
function apply(model: GraphModel, sentIds: string[], sentSlots: number[], response: LayoutResponse): void {
  // The request's typed arrays went to the worker (transferred); `sentSlots` is the client's copy.
  for (let i = 0; i < sentIds.length; i++) {
    const slot = sentSlots[i]!
    if (model.data[slot]?.id !== sentIds[i]) continue
    model.x[slot] = response.x[i]!
    model.y[slot] = response.y[i]!
    model.clusterOf[slot] = response.cluster[i]!
  }
  for (let i = 0; i < response.movedSlots.length; i++) {
    const slot = response.movedSlots[i]!
    if (slot < 0 || !(model.flags[slot]! & NodeFlag.Alive)) continue
    model.x[slot] = response.movedX[i]!
    model.y[slot] = response.movedY[i]!
  }
  model.clusters = response.clusters
  parentsOf.set(response.clusters, response.parents)
  refreshClusterStats(model)
  model.touch('position')
}

interface Transport {
  request(request: LayoutRequest): Promise<LayoutResponse>
  close(): void
}

function inThreadTransport(options?: LayoutOptions): Transport {
  const handle = createLayoutHandler(options)
  return {
    request: async (request) => handle(request),
    close() {},
  }
}

/** One request in flight at a time (the client serialises), so replies match the oldest waiter. */
function workerTransport(options?: LayoutOptions): Transport {
  const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' })
  const waiting: Array<{ resolve: (r: LayoutResponse) => void; reject: (e: Error) => void }> = []
  worker.onmessage = (event: MessageEvent<{ ok: true; response: LayoutResponse } | { ok: false; error: string }>) => {
    const waiter = waiting.shift()
    if (!waiter) return
    const data = event.data
    if (data.ok) waiter.resolve(data.response)
    else waiter.reject(new Error(`The layout worker failed: ${data.error}`))
  }
  worker.onerror = (event) => {
    event.preventDefault()
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`The layout worker failed: ${event.message}`))
  }
  if (options) worker.postMessage({ type: 'init', options })
  return {
    request(request) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject })
        // Transferred, not copied: the client keeps its own copy of what it needs (see `apply`).
        worker.postMessage({ type: 'request', request }, transferables(request))
      })
    },
    close() {
      for (const waiter of waiting.splice(0)) waiter.reject(new Error('The layout was disposed.'))
      worker.terminate()
    },
  }
}
