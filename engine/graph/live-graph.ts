/**
 * The live resource graph on the bus, per tenant that owns pipelines: `graph.delta` events on topic
 * `graph` (engine/graph/delta.ts), so a dashboard loads the graph once and never refetches it.
 *
 * What it publishes follows what the process serves, not the store directly: it watches the shared
 * GraphCache (each new tenant-wide graph) and DriftMarksReader (each open-drift read), and diffs every
 * result against the last one it published — in the order they were produced. A REST page is therefore
 * never ahead of the stream: whatever it served, a delta to it is published after the read (see the
 * `cursor` of the paged graph routes). Structural changes come from `diffGraphs`; drift changes become
 * `nodes_changed` entries for the nodes whose worst open severity or count changed. Empty deltas are
 * never published; large ones are split into parts of at most MAX_DELTA_ITEMS, published as one batch.
 *
 * What makes it look again: the store writer saying it wrote a tenant's snapshots or drifts (`stored`),
 * and activity on the tenant's `drifts` topic (status changes made through the REST API). Triggers that
 * come close together are handled by one read after `settleMs`; reads never overlap. The first graph
 * and marks of a tenant are its baseline (read at start), not published: clients load them by REST.
 */
import type { Logger } from 'pino'
import type { Subscription } from 'rxjs'
import type { Bus } from '../bus/bus.ts'
import type { ResourceGraph } from './graph.ts'
import type { GraphCache } from './view-cache.ts'
import { diffGraphs } from './diff.ts'
import { changedMarks, markNode, type DriftMarks } from './drift-marks.ts'
import { emptyDelta, splitDelta, type GraphDelta } from './delta.ts'

/**
 * How long triggers are gathered before one read, ms. A drift trigger re-reads every open drift of the
 * tenant, so under an ingest burst this bounds those reads to a few per second (the dashboard recolours
 * from the drift events themselves; `nodes_changed` may trail by this much). The store writer's batches
 * land well within it.
 */
export const DEFAULT_GRAPH_SETTLE_MS = 250

export interface LiveGraphOptions {
  bus: Bus
  /** The process's shared cache: the REST API reads through it too. */
  graphs: GraphCache
  logger: Logger
  /** Tenants that own pipelines: each gets its own stream, from its own data only. */
  tenants: readonly string[]
  settleMs?: number
  /** Items per event at most (default MAX_DELTA_ITEMS). */
  maxItems?: number
}

export interface LiveGraph {
  /** The store has written the tenant's snapshots and/or drifts: look again. */
  stored(tenant: string, what: { snapshots?: boolean; drifts?: boolean }): void
  /** Stops looking; resolves once every read and publish in flight is done. */
  stop(): Promise<void>
}

interface TenantGraph {
  tenant: string
  /** The graph and marks the stream last brought clients to. */
  graph?: ResourceGraph
  marks?: DriftMarks
  /** Node ids by address, of `graph` (built on the first drift change after a graph change). */
  byAddress?: Map<string, string[]>
  /** Publishes, in the order the results they describe were produced. */
  queue: Promise<void>
  snapshotsDirty: boolean
  driftsDirty: boolean
  timer?: ReturnType<typeof setTimeout>
  checking?: Promise<void>
  subscription?: Subscription
}

const NO_MARKS: DriftMarks = new Map()

/** Starts a publisher per tenant; resolves once each tenant's baseline is read. */
export async function startLiveGraph(opts: LiveGraphOptions): Promise<LiveGraph> {
  const { bus, graphs } = opts
  const log = opts.logger.child({ component: 'live-graph' })
  const settleMs = opts.settleMs ?? DEFAULT_GRAPH_SETTLE_MS
  const tenants = new Map<string, TenantGraph>()
  let stopping = false
  let stopped = false
  let warned = false
  const warn = (tenant: string, what: string, error: unknown) => {
    log[warned ? 'debug' : 'warn']({ tenant, err_message: (error as Error)?.message }, `${what} failed; the next change tries again. Further failures are logged at debug level.`)
    warned = true
  }

  const enqueue = (t: TenantGraph, task: () => Promise<void>) => {
    t.queue = t.queue.then(task).catch((error: unknown) => warn(t.tenant, 'Publishing a graph delta', error))
  }

  const publish = async (t: TenantGraph, delta: GraphDelta): Promise<void> => {
    const parts = splitDelta(delta, opts.maxItems)
    if (parts.length === 0) return
    const publication = (data: GraphDelta) => ({ topic: 'graph' as const, type: 'graph.delta', tenant: t.tenant, data })
    // One batch: a reader never sees half of a change that a failure then takes back.
    if (parts.length === 1) await bus.publish(publication(parts[0]!))
    else await bus.publishBatch(parts.map(publication))
  }

  /** Structural delta from the last published graph; on failure the baseline stays, so the next one carries it. */
  const onGraph = async (t: TenantGraph, graph: ResourceGraph) => {
    if (!t.graph) { t.graph = graph; return }
    if (graph === t.graph) return
    const diff = diffGraphs(t.graph, graph)
    const marks = t.marks ?? NO_MARKS
    await publish(t, { ...emptyDelta(), ...diff, nodes_added: diff.nodes_added.map((n) => markNode(n, marks)) })
    t.graph = graph
    t.byAddress = undefined
  }

  const onMarks = async (t: TenantGraph, marks: DriftMarks) => {
    const before = t.marks
    if (!before || !t.graph) { t.marks = marks; return }
    const delta = emptyDelta()
    for (const address of changedMarks(before, marks)) {
      const mark = marks.get(address)
      for (const id of nodeIds(t, t.graph).get(address) ?? []) delta.nodes_changed.push({ id, drift_severity: mark?.severity ?? null, drift_count: mark?.count ?? 0 })
    }
    await publish(t, delta)
    t.marks = marks
  }

  const unwatchGraphs = graphs.watch((tenant, graph) => {
    const t = tenants.get(tenant)
    if (t && !stopped) enqueue(t, () => onGraph(t, graph))
  })
  const unwatchMarks = graphs.marks.watch((tenant, marks) => {
    const t = tenants.get(tenant)
    if (t && !stopped) enqueue(t, () => onMarks(t, marks))
  })

  const check = async (t: TenantGraph) => {
    const snapshots = t.snapshotsDirty, drifts = t.driftsDirty
    t.snapshotsDirty = t.driftsDirty = false
    try {
      if (snapshots) await graphs.get(t.tenant)
      if (drifts) await graphs.marks.read(t.tenant)
    } catch (error) {
      warn(t.tenant, 'Reading the graph for the live stream', error)
    }
  }
  const schedule = (t: TenantGraph) => {
    if (stopping || t.timer || t.checking) return
    t.timer = setTimeout(() => {
      t.timer = undefined
      t.checking = check(t).finally(() => {
        t.checking = undefined
        if (t.snapshotsDirty || t.driftsDirty) schedule(t)
      })
    }, settleMs)
  }

  for (const tenant of new Set(opts.tenants)) {
    const t: TenantGraph = { tenant, queue: Promise.resolve(), snapshotsDirty: false, driftsDirty: false }
    t.subscription = bus.live(tenant, 'drifts').subscribe(() => { t.driftsDirty = true; schedule(t) })
    tenants.set(tenant, t)
  }
  // Baselines: marks first, so the first structural delta's nodes carry them. A graph the cache already
  // held (built before this started) reaches no watcher, so it is handed over here.
  await Promise.all([...tenants.values()].map(async (t) => {
    try {
      await graphs.marks.read(t.tenant)
      const graph = await graphs.get(t.tenant)
      enqueue(t, () => onGraph(t, graph))
      await t.queue
    } catch (error) {
      warn(t.tenant, 'Reading the baseline graph', error)
    }
  }))

  return {
    stored(tenant, what) {
      const t = tenants.get(tenant)
      if (!t) return
      // Expired at once, not after the settle window: a REST read right after the write must see the new
      // snapshots and their sensitive marks (a cached view would mask with the old ones).
      if (what.snapshots) { t.snapshotsDirty = true; graphs.expire(tenant) }
      if (what.drifts) t.driftsDirty = true
      if (t.snapshotsDirty || t.driftsDirty) schedule(t)
    },
    async stop() {
      // No new timers; what the drained pipelines wrote last is still read and published, then nothing.
      stopping = true
      await Promise.all([...tenants.values()].map(async (t) => {
        t.subscription?.unsubscribe()
        if (t.timer) clearTimeout(t.timer)
        t.timer = undefined
        await t.checking
        if (t.snapshotsDirty || t.driftsDirty) await check(t)
        await t.queue
      }))
      stopped = true
      unwatchGraphs()
      unwatchMarks()
      // A REST read may have queued one more delta meanwhile.
      await Promise.all([...tenants.values()].map((t) => t.queue))
    },
  }
}

/** Node ids by address of the graph (several when states overlap: `<address>@<source>`). */
function nodeIds(t: TenantGraph, graph: ResourceGraph): Map<string, string[]> {
  if (t.byAddress) return t.byAddress
  const byAddress = new Map<string, string[]>()
  for (const n of graph.nodes) {
    if (!n.address) continue
    const ids = byAddress.get(n.address)
    if (ids) ids.push(n.id)
    else byAddress.set(n.address, [n.id])
  }
  return (t.byAddress = byAddress)
}
