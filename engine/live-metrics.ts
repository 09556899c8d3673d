/**
 * The engine's live figures on the bus, per tenant (a tenant sees only its own pipelines):
 * - `metrics.pipeline` on topic `metrics` every `metrics.interval_ms`: each node's totals, in/out rates,
 *   queue depth, drops, restarts and processing-latency percentiles; the tenant's connected WS/SSE
 *   clients; and bus lag — from handing an envelope to `bus.publish` until it resolves, i.e. until the
 *   envelope is durable (journal group commit, Redis append) and delivered to live subscribers. Lag is
 *   sampled on the tenant's pipeline publishes and on these publications, so a quiet tenant has it too.
 * - `stats.summary` on topic `stats`: the numbers of `GET /api/v1/stats` (same code), recomputed on the
 *   tick after the tenant's drifts, events, state or remediations streams saw activity and published
 *   only when they differ from the last ones published — at most once per interval, never when idle.
 * Ticks never overlap (the next is scheduled when one finishes); `stop()` clears the timer and waits for
 * a tick in flight, so nothing is published once it resolves.
 */
import type { Logger } from 'pino'
import type { Subscription } from 'rxjs'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { Topic } from './envelope.ts'
import type { NodeProbe } from './dataflow/dataflow.ts'
import type { PublishSink } from './dataflow/publish.ts'
import { LatencyHistogram } from './dataflow/latency.ts'
import type { GraphCache } from './graph/view-cache.ts'
import { computeStats, type StatsSummary } from './stats.ts'

export const DEFAULT_METRICS_INTERVAL_MS = 2000
/** Streams whose activity can change a tenant's stats. */
const STATS_TOPICS: readonly Topic[] = ['drifts', 'events', 'state', 'remediations']

export interface LiveMetricsOptions {
  bus: Bus
  store: Store
  logger: Logger
  /** Tick period, ms; 0 publishes nothing. */
  intervalMs: number
  /** Tenants that own pipelines: each gets its own figures. */
  tenants: readonly string[]
  /** Reads the dataflow (called once per tick). */
  probes(): { nodes: NodeProbe[]; publishers: readonly PublishSink[] }
  /** A tenant's open connections, when a server runs. */
  clients?(tenant: string): { ws: number; sse: number }
  /** The state-view cache the REST API reads too (snapshots are the costly read behind coverage). */
  graphs: GraphCache
}

export interface LiveMetrics { stop(): Promise<void> }

interface TenantState { lag: LatencyHistogram; statsDirty: boolean; lastStats?: string; subscriptions: Subscription[] }

const perSecond = (delta: number, seconds: number) => Math.round((delta / seconds) * 10) / 10

/** Starts the ticks; the first comes one interval after the start. */
export function startLiveMetrics(opts: LiveMetricsOptions): LiveMetrics {
  if (opts.intervalMs <= 0 || opts.tenants.length === 0) return { stop: async () => {} }
  const { bus, logger, intervalMs } = opts
  const log = logger.child({ component: 'live-metrics' })
  const tenants = new Map<string, TenantState>()
  for (const tenant of new Set(opts.tenants)) {
    const state: TenantState = { lag: new LatencyHistogram(), statsDirty: true, subscriptions: [] }
    for (const topic of STATS_TOPICS) state.subscriptions.push(bus.live(tenant, topic).subscribe(() => { state.statsDirty = true }))
    tenants.set(tenant, state)
  }
  const previous = new Map<string, { received: number; emitted: number }>()
  const published = new Map<PublishSink, number>()
  let windowStart = performance.now()
  let warned = false
  let failed = false

  const publish = (tenant: string, topic: Topic, type: string, data: unknown): Promise<void> => {
    const t0 = performance.now()
    return bus.publish({ topic, type, tenant, data }).then(
      () => { tenants.get(tenant)?.lag.record(performance.now() - t0) },
      (error: unknown) => {
        if (warned) return
        warned = true
        log.warn({ tenant, type, err_message: (error as Error)?.message }, 'Publishing live metrics failed; further failures are not logged.')
      },
    )
  }

  const tick = async (): Promise<void> => {
    const now = performance.now()
    const seconds = Math.max(0.001, (now - windowStart) / 1000)
    windowStart = now
    const { nodes, publishers } = opts.probes()
    for (const p of publishers) {
      p.lag.adapt(p.published - (published.get(p) ?? 0))
      published.set(p, p.published)
      const state = tenants.get(p.tenant)
      if (state) p.lag.moveTo(state.lag)
    }
    const figures = new Map<string, unknown[]>()
    for (const { tenant, stats: s, latency } of nodes) {
      const key = `${s.pipeline}\u0000${s.node}`
      const before = previous.get(key) ?? { received: 0, emitted: 0 }
      previous.set(key, { received: s.received, emitted: s.emitted })
      const received = s.received - before.received
      const node = {
        pipeline: s.pipeline, node: s.node, plugin: s.plugin, kind: s.kind, state: s.state,
        received: s.received, emitted: s.emitted, dropped: s.dropped, errors: s.errors, restarts: s.restarts,
        in_per_s: perSecond(received, seconds), out_per_s: perSecond(s.emitted - before.emitted, seconds),
        queue_depth: s.queue_depth, queue_peak: s.queue_peak,
        ...(latency ? { latency_us: latency.takeLatency(received) } : {}),
      }
      const list = figures.get(tenant)
      if (list) list.push(node)
      else figures.set(tenant, [node])
    }
    const pending: Array<Promise<void>> = []
    for (const [tenant, state] of tenants) {
      const c = opts.clients?.(tenant) ?? { ws: 0, sse: 0 }
      pending.push(publish(tenant, 'metrics', 'metrics.pipeline', {
        interval_ms: Math.round(seconds * 1000), nodes: figures.get(tenant) ?? [],
        clients: { ws: c.ws, sse: c.sse, total: c.ws + c.sse }, bus_lag_ms: state.lag.take(1e6),
      }))
    }
    for (const [tenant, state] of tenants) if (state.statsDirty) pending.push(publishStats(tenant, state))
    await Promise.all(pending)
  }

  const publishStats = async (tenant: string, state: TenantState): Promise<void> => {
    state.statsDirty = false
    let summary: StatsSummary
    try {
      summary = await computeStats(opts.store, opts.graphs, tenant)
    } catch (error) {
      state.statsDirty = true
      throw error
    }
    const text = JSON.stringify(summary)
    if (text === state.lastStats) return
    state.lastStats = text
    // Store writes trail their bus events by a batch delay: look once more next tick, in case this one was early.
    state.statsDirty = true
    await publish(tenant, 'stats', 'stats.summary', summary)
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> | undefined
  let stopped = false
  const schedule = () => { if (!stopped) timer = setTimeout(run, intervalMs) }
  const run = () => {
    timer = undefined
    running = tick()
      .catch((error: unknown) => {
        log[failed ? 'debug' : 'warn']({ err_message: (error as Error)?.message }, 'Computing live metrics failed; trying again every interval, further failures are logged at debug level.')
        failed = true
      })
      .finally(() => { running = undefined; schedule() })
  }
  schedule()

  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
      await running
      for (const state of tenants.values()) for (const s of state.subscriptions) s.unsubscribe()
    },
  }
}
