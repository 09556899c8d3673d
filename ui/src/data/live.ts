/**
 * Follows the server after the paged load: one `tfdrift/client` subscription (WS, SSE fallback) to
 * graph, drifts, remediations, metrics and stats, resumed from the cursor the first graph page carried,
 * so nothing between the read and the subscription is lost. Changes are applied in place (a graph
 * delta adds/removes/recolours nodes; a drift event recolours its node; recolours are batched per
 * frame) — the graph is refetched only when the stream says events were lost (`gap`, which also
 * covers an epoch reset).
 */
import { connect, type Envelope, type TfdriftClient, type Topic } from 'tfdrift/client'
import type { GraphModel, Severity } from '../model/graph-model.ts'
import type { Api } from './api.ts'
import type { DriftStore } from './drifts.ts'
import type { GroupBy } from './grouping.ts'
import { pipelineFigures } from './metrics.ts'
import { severityOf, toEdgeData, toNodeData, type AddressIndex } from './nodes.ts'
import type { Drift, GraphDelta, PipelineFigures, RawEdge, RawNode, Remediation, StatsSummary, StreamCursor } from './types.ts'

export type ConnectionStatus = 'live' | 'reconnecting' | 'offline'

export interface LiveOptions {
  api: Api
  model: GraphModel
  index: AddressIndex
  drifts: DriftStore
  cursor: { graph?: StreamCursor; drifts?: StreamCursor }
  group: () => GroupBy[] | undefined
  /** Places added nodes (layout update). */
  place: () => Promise<void>
  /** After a batch of severity changes, with the node slots that changed (cluster worst/drifted counts). */
  severityChanged: (slots: number[]) => void
  /** Events were lost on graph or drifts: reload everything, then call `startLive` again. */
  resync: () => void
  onStatus?: (status: ConnectionStatus, lastOffset?: number) => void
  onMetrics?: (figures: PipelineFigures) => void
  onStats?: (stats: StatsSummary) => void
  onRemediation?: (plan: Remediation) => void
}

export interface Live {
  client: TfdriftClient
  close(): void
}

const FOLLOWED = ['graph', 'drifts', 'remediations', 'metrics', 'stats']

/** Connects and applies events until `close()`. */
export function startLive(options: LiveOptions, topics: string[] = FOLLOWED): Live {
  const { model, index, drifts } = options
  const since: Record<string, number> = {}
  const epoch: Record<string, string> = {}
  for (const t of ['graph', 'drifts'] as const) {
    const c = options.cursor[t]
    if (c && topics.includes(t)) {
      since[t] = c.offset
      if (c.epoch) epoch[t] = c.epoch
    }
  }
  const client = connect({
    url: options.api.base,
    token: options.api.token,
    topics: topics as Topic[],
    since: since as Partial<Record<Topic, number>>,
    epoch: epoch as Partial<Record<Topic, string>>,
  })
  let closed = false
  let pendingEdges: RawEdge[] = []
  const lastOffset = () => {
    const o = client.lastOffsets as Record<string, number | undefined>
    return o.graph ?? o.drifts
  }
  const status = (): ConnectionStatus => (client.state === 'open' ? 'live' : client.state === 'closed' ? 'offline' : 'reconnecting')

  // Severity changes are applied once per frame, whatever the event rate: the batch costs one
  // cluster-stats update and one style upload, both of the changed slots only. Per node the last
  // event wins: a delta's own figures, or (after a drift event) a re-read of the drift store.
  const pending = new Map<string, { severity: Severity; count: number } | 'drifts'>()
  let flushQueued = false
  const flushSeverities = () => {
    flushQueued = false
    const slots: number[] = []
    for (const [id, change] of pending) {
      let slot: number
      if (change === 'drifts') {
        const raw = model.data[model.slotOf.get(id) ?? -1]?.raw as RawNode | undefined
        if (!raw) continue
        const { severity, count } = drifts.worstOpen(raw)
        slot = model.setSeverity(id, severity, count)
      } else slot = model.setSeverity(id, change.severity, change.count)
      if (slot >= 0) slots.push(slot)
    }
    pending.clear()
    if (slots.length) {
      options.severityChanged(slots)
      model.touch('style', slots)
    }
  }
  const queueSeverity = (id: string, change: { severity: Severity; count: number } | 'drifts') => {
    pending.delete(id)
    pending.set(id, change)
    if (flushQueued) return
    flushQueued = true
    nextFrame(flushSeverities)
  }

  const applyDelta = (d: GraphDelta) => {
    // Queued severities predate this delta: apply them before it adds or removes their nodes.
    if (pending.size && (d.nodes_removed.length || d.nodes_added.length)) flushSeverities()
    if (d.nodes_removed.length) {
      for (const id of d.nodes_removed) {
        const raw = model.data[model.slotOf.get(id) ?? -1]?.raw as RawNode | undefined
        if (raw) index.remove(raw)
      }
      model.removeNodes(d.nodes_removed)
    }
    if (d.edges_removed.length) model.removeEdges(d.edges_removed)
    if (d.nodes_added.length) {
      // An added node may replace one we hold (whole, by id): unindex the old one first.
      for (const raw of d.nodes_added) {
        const old = model.data[model.slotOf.get(raw.id) ?? -1]?.raw as RawNode | undefined
        if (old) index.remove(old)
        index.add(raw)
      }
      model.addNodes(d.nodes_added.map((raw) => toNodeData(raw, options.group())))
    }
    // Edges are replaced whole by id too.
    const replaced = d.edges_added.filter((e) => model.edgeSlotOf.has(e.id)).map((e) => e.id)
    if (replaced.length) model.removeEdges(replaced)
    const edges = [...pendingEdges, ...d.edges_added]
    if (edges.length) {
      const left = new Set(model.addEdges(edges.map(toEdgeData)).map((e) => e.id))
      pendingEdges = edges.filter((e) => left.has(e.id)).slice(-10_000)
    }
    for (const c of d.nodes_changed) queueSeverity(c.id, { severity: severityOf(c.drift_severity), count: c.drift_count ?? 0 })
    if (d.nodes_added.length) void options.place()
  }

  const onEvent = (env: Envelope) => {
    const data = env.data as Record<string, unknown>
    if (env.topic === ('graph' as Topic)) {
      if (env.type === 'graph.delta') applyDelta(normaliseDelta(data))
    } else if (env.topic === 'drifts') {
      const drift = data as unknown as Drift
      if (!drift?.id) return
      drifts.upsert([drift])
      for (const id of index.lookup(drift.address, drift.type, drift.resource_id)) queueSeverity(id, 'drifts')
    } else if (env.topic === 'remediations') {
      if ((data as { id?: string })?.id) options.onRemediation?.(data as unknown as Remediation)
    } else if (env.type === 'metrics.pipeline') {
      options.onMetrics?.(pipelineFigures(data))
    } else if (env.type === 'stats.summary') {
      options.onStats?.(data as unknown as StatsSummary)
    }
  }

  client.on('event', onEvent)
  client.on('state', () => options.onStatus?.(status(), lastOffset()))
  client.on('gap', (g: { topic: string }) => {
    if ((g.topic as string) === 'graph' || g.topic === 'drifts') {
      live.close()
      options.resync()
    }
  })
  client.on('error', (e: { fatal: boolean; code: string }) => {
    // A server without the graph topic yet: follow the rest (drift events still recolour nodes).
    if (e.fatal && e.code === 'unknown_topic' && topics.includes('graph') && !closed) {
      live.close()
      Object.assign(live, startLive(options, topics.filter((t) => t !== 'graph')))
    } else if (e.fatal) options.onStatus?.('offline', lastOffset())
  })
  const live: Live = {
    client,
    close() {
      closed = true
      client.close()
    },
  }
  options.onStatus?.(status(), lastOffset())
  return live
}

/** Runs `fn` at the next animation frame, or after 100 ms where none comes (a hidden tab, no DOM). */
function nextFrame(fn: () => void): void {
  let done = false
  const run = () => {
    if (done) return
    done = true
    fn()
  }
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  setTimeout(run, 100)
}

/** Accepts the delta's documented names and the nested `{ nodes: { added, removed, changed } }` variant. */
export function normaliseDelta(data: Record<string, unknown>): GraphDelta {
  const nested = (k: string, sub: string) => ((data[k] as Record<string, unknown> | undefined)?.[sub] as unknown[] | undefined)
  const arr = <T>(...candidates: Array<unknown>): T[] => (candidates.find(Array.isArray) as T[] | undefined) ?? []
  return {
    nodes_added: arr(data.nodes_added, nested('nodes', 'added')),
    nodes_removed: arr(data.nodes_removed, nested('nodes', 'removed')),
    edges_added: arr(data.edges_added, nested('edges', 'added')),
    edges_removed: arr(data.edges_removed, nested('edges', 'removed')),
    nodes_changed: arr(data.nodes_changed, nested('nodes', 'changed')),
  }
}
