/**
 * The Prometheus registry of this process (served on /metrics): per-node dataflow counters read at
 * scrape time from every running runtime (no cost on the hot path), plus plugins' own metrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { PluginMetrics } from './plugin-api.ts'

/** The registry the server exposes on `GET /metrics`. */
export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'tfdrift_process_' })

/** Per-node counters as the dataflow keeps them. */
export interface NodeCounters {
  node: string
  pipeline: string
  plugin: string
  kind: string
  received: number
  emitted: number
  dropped: number
  errors: number
  queue_depth: number
  restarts: number
}

const sources = new Set<() => NodeCounters[]>()

/** Adds a source of node counters (one per runtime); returns the function that removes it. */
export function registerNodeCounters(source: () => NodeCounters[]): () => void {
  sources.add(source)
  return () => { sources.delete(source) }
}

const labelNames = ['pipeline', 'node', 'plugin', 'kind'] as const
function allNodes(): NodeCounters[] { return [...sources].flatMap((s) => s()) }
function labels(n: NodeCounters) { return { pipeline: n.pipeline, node: n.node, plugin: n.plugin, kind: n.kind } }

for (const [field, help] of [
  ['received', 'Items a node accepted into its input queue.'],
  ['emitted', 'Items a node emitted downstream.'],
  ['dropped', 'Items dropped by a full queue (drop policies, or a producer that ignored demand).'],
  ['errors', 'Plugin failures (create or runtime).'],
  ['restarts', 'Plugin restarts after failures.'],
] as const) {
  new Counter({
    name: `tfdrift_node_${field}_total`, help, labelNames, registers: [metricsRegistry],
    collect() { this.reset(); for (const n of allNodes()) this.inc(labels(n), n[field]) },
  })
}
new Gauge({
  name: 'tfdrift_node_queue_depth', help: 'Items waiting in a node\'s input queue.', labelNames, registers: [metricsRegistry],
  collect() { this.reset(); for (const n of allNodes()) this.set(labels(n), n.queue_depth) },
})

const pluginCounters = new Map<string, Counter<'pipeline' | 'node'>>()
const pluginGauges = new Map<string, Gauge<'pipeline' | 'node'>>()
function metricName(name: string): string { return `tfdrift_plugin_${name.replace(/[^a-zA-Z0-9_]/g, '_')}` }

/** The `ctx.metrics` of one plugin instance: metrics in the shared registry, labelled by pipeline and node. */
export function pluginMetrics(pipeline: string, node: string): PluginMetrics {
  const l = { pipeline, node }
  return {
    counter(name, help) {
      const key = metricName(name)
      let c = pluginCounters.get(key)
      if (!c) { c = new Counter({ name: key, help, labelNames: ['pipeline', 'node'], registers: [metricsRegistry] }); pluginCounters.set(key, c) }
      const counter = c
      return { inc: (by = 1) => counter.inc(l, by) }
    },
    gauge(name, help) {
      const key = metricName(name)
      let g = pluginGauges.get(key)
      if (!g) { g = new Gauge({ name: key, help, labelNames: ['pipeline', 'node'], registers: [metricsRegistry] }); pluginGauges.set(key, g) }
      const gauge = g
      return { set: (v) => gauge.set(l, v) }
    },
  }
}

/** Counters of one delivering transport on one (tenant, topic) stream, kept by the engine's delivery loop. */
export interface DeliveryCounters {
  pipeline: string
  node: string
  plugin: string
  tenant: string
  topic: string
  delivered: number
  retries: number
  dead_lettered: number
  /** Envelopes skipped because history no longer held them or the bus epoch changed. */
  lost: number
  /** Envelopes on the stream past the checkpoint. */
  lag: number
}

const deliverySources = new Set<() => DeliveryCounters[]>()

/** Adds a source of delivery counters (one per delivering transport node); returns the function that removes it. */
export function registerDeliveryCounters(source: () => DeliveryCounters[]): () => void {
  deliverySources.add(source)
  return () => { deliverySources.delete(source) }
}

const deliveryLabels = ['pipeline', 'node', 'plugin', 'tenant', 'topic'] as const
function allDeliveries(): DeliveryCounters[] { return [...deliverySources].flatMap((s) => s()) }
function streamLabels(d: DeliveryCounters) { return { pipeline: d.pipeline, node: d.node, plugin: d.plugin, tenant: d.tenant, topic: d.topic } }

for (const [field, help] of [
  ['delivered', 'Envelopes a transport delivered (its checkpoint moved past them).'],
  ['retries', 'Delivery attempts that failed and were retried after a backoff.'],
  ['dead_lettered', 'Envelopes a transport gave up on (published as delivery.dead_lettered on the system topic).'],
  ['lost', 'Envelopes a transport skipped because the bus no longer held them (history gap or epoch change).'],
] as const) {
  new Counter({
    name: `tfdrift_delivery_${field}_total`, help, labelNames: deliveryLabels, registers: [metricsRegistry],
    collect() { this.reset(); for (const d of allDeliveries()) this.inc(streamLabels(d), d[field]) },
  })
}
new Gauge({
  name: 'tfdrift_delivery_lag', help: 'Envelopes published on a stream that a transport has not delivered yet.', labelNames: deliveryLabels, registers: [metricsRegistry],
  collect() { this.reset(); for (const d of allDeliveries()) this.set(streamLabels(d), d.lag) },
})
