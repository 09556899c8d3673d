/**
 * Streams the graph from REST into the model page by page: each page of nodes is added and placed as
 * it arrives (so the first frame shows the first page while the rest loads), with a bounded number of
 * requests in flight. Edges whose ends have not arrived yet are kept and retried after later pages.
 *
 * A reload (after a stream gap or epoch reset) runs the same way over a filled model: nodes are
 * updated in place (keeping their positions) and whatever the server no longer has is removed at the end.
 */
import type { GraphModel } from '../model/graph-model.ts'
import type { Api } from './api.ts'
import type { GroupBy } from './grouping.ts'
import { toEdgeData, toNodeData, type AddressIndex } from './nodes.ts'
import type { GraphPage, RawEdge, RawNode, StreamCursor } from './types.ts'

export interface LoadOptions {
  api: Api
  model: GraphModel
  index: AddressIndex
  /** Places nodes without a position (the layout's `update`); called after each page, coalesced. */
  place: () => Promise<void>
  group?: GroupBy[]
  /** Nodes per request (the server may answer with fewer; its `limit` wins). */
  pageSize?: number
  edgePageSize?: number
  /** Requests in flight at once. */
  concurrency?: number
  /** After the first page is placed: the canvas can show something. */
  onFirstPage?: () => void
  onProgress?: (loaded: number, total: number) => void
}

export interface LoadResult {
  /** Where the live stream resumes, as the server took it before the first read. */
  cursor: { graph?: StreamCursor; drifts?: StreamCursor }
  nodes: number
  edges: number
  /** Edges whose ends never arrived. */
  dangling: number
}

/** Loads every node and edge page into `model`; resolves once all are in and placed. */
export async function loadGraph(options: LoadOptions): Promise<LoadResult> {
  const { api, model, index } = options
  const pageSize = options.pageSize ?? 5000
  const edgePageSize = options.edgePageSize ?? 10_000
  const concurrency = options.concurrency ?? 2
  const placer = coalesce(options.place)
  const seenNodes = new Set<string>()
  const seenEdges = new Set<string>()
  let pending: RawEdge[] = []

  const addNodePage = (items: RawNode[]) => {
    for (const raw of items) {
      seenNodes.add(raw.id)
      index.add(raw)
    }
    model.addNodes(items.map((raw) => toNodeData(raw, options.group)))
    if (pending.length) pending = addEdges(model, pending, seenEdges)
  }

  const first = await api.get<GraphPage<RawNode>>('/graph/nodes', { page: 1, limit: pageSize })
  addNodePage(first.items)
  await placer()
  options.onFirstPage?.()
  options.onProgress?.(first.items.length, first.total)

  let loaded = first.items.length
  const nodePages = pagesAfterFirst(first)
  const nodeTasks = nodePages.map((page) => async () => {
    const data = await api.get<GraphPage<RawNode>>('/graph/nodes', { page, limit: first.limit })
    addNodePage(data.items)
    loaded += data.items.length
    options.onProgress?.(loaded, first.total)
    void placer()
  })
  // Edges go after the nodes in the same queue: most of their ends will have arrived by then.
  const edgeTasks: Array<() => Promise<void>> = [async () => {
    const firstEdges = await api.get<GraphPage<RawEdge>>('/graph/edges', { page: 1, limit: edgePageSize })
    pending = addEdges(model, [...pending, ...firstEdges.items], seenEdges)
    await runPool(pagesAfterFirst(firstEdges).map((page) => async () => {
      const data = await api.get<GraphPage<RawEdge>>('/graph/edges', { page, limit: firstEdges.limit })
      pending = addEdges(model, [...pending, ...data.items], seenEdges)
    }), concurrency)
  }]
  await runPool([...nodeTasks, ...edgeTasks], concurrency)

  // What the model holds but the server no longer sent (a reload after a gap) goes.
  const goneNodes = [...model.slotOf.keys()].filter((id) => !seenNodes.has(id))
  if (goneNodes.length) {
    for (const id of goneNodes) {
      const raw = model.data[model.slotOf.get(id)!]?.raw as RawNode | undefined
      if (raw) index.remove(raw)
    }
    model.removeNodes(goneNodes)
  }
  const goneEdges = [...model.edgeSlotOf.keys()].filter((id) => !seenEdges.has(id))
  if (goneEdges.length) model.removeEdges(goneEdges)
  await placer()
  return { cursor: first.streams ?? first.cursor ?? {}, nodes: model.nodeCount, edges: model.edgeCount, dangling: pending.length }
}

/** Adds the edges whose ends exist; returns the rest. */
function addEdges(model: GraphModel, raws: RawEdge[], seen: Set<string>): RawEdge[] {
  for (const e of raws) seen.add(e.id)
  const left = new Set(model.addEdges(raws.map(toEdgeData)).map((e) => e.id))
  return raws.filter((e) => left.has(e.id))
}

function pagesAfterFirst(first: { total: number; limit: number }): number[] {
  const count = Math.ceil(first.total / Math.max(1, first.limit))
  return Array.from({ length: Math.max(0, count - 1) }, (_, i) => i + 2)
}

/** Runs tasks with at most `concurrency` at once; rejects with the first failure. */
export async function runPool(tasks: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!()
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker))
}

/** At most one `fn` running; calls during a run fold into one more run after it. */
export function coalesce(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  let again: Promise<void> | undefined
  const run = (): Promise<void> => {
    if (running) {
      again ??= running.then(() => { again = undefined; return run() })
      return again
    }
    running = fn().finally(() => { running = undefined })
    return running
  }
  return run
}
