/**
 * The engine side of a delivering transport: one `DeliveryStream` per (tenant, topic) the node routes,
 * a pacer shared by them, the node's counters on /metrics, and a graceful stop. Started by the
 * dataflow's TransportNode when the plugin instance has `deliver()` (see `DeliveringTransportInstance`).
 */
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Envelope } from '../envelope.ts'
import type { DeliveringTransportInstance, TransportInstance } from '../plugin-api.ts'
import type { Store } from '../store/store.ts'
import { registerDeliveryCounters, type DeliveryCounters } from '../metrics.ts'
import { compileRoute } from './route.ts'
import { DeliveryStream } from './stream.ts'
import { Pacer } from './timing.ts'

export interface RunnerOptions {
  bus: Bus
  store: Store
  logger: Logger
  pipeline: string
  node: string
  plugin: string
  /** The pipeline's tenant: the default of `route.tenants`. */
  tenant: string
  /** How long a stop lets batches in flight finish before aborting them (default 5000). */
  grace_ms?: number
}

export const DELIVERY_DEFAULTS = { batch_size: 100, concurrency: 1, max_attempts: 8, base_ms: 500, cap_ms: 30_000, max_retry_after_ms: 300_000 } as const

/** True for an instance that asks the engine to feed it. */
export function isDelivering(instance: TransportInstance): instance is DeliveringTransportInstance {
  return typeof (instance as Partial<DeliveringTransportInstance>).deliver === 'function'
}

export class DeliveryRunner {
  private readonly stopping = new AbortController()
  private readonly abort = new AbortController()
  private streams: DeliveryStream[] = []
  private unregister: (() => void) | undefined

  constructor(private readonly transport: DeliveringTransportInstance, private readonly opts: RunnerOptions) {}

  /** Checkpoint key: node ids are unique within a pipeline only. */
  get key(): string { return `${this.opts.pipeline}/${this.opts.node}` }

  async start(): Promise<void> {
    const { transport, opts } = this
    const spec = transport.delivery ?? {}
    const route = spec.route ?? {}
    const routed = compileRoute(route)
    // The node's own dead letters and gap notices are never fed back to it: a receiver that refuses
    // everything would otherwise dead-letter its dead letters forever.
    const accepts = (env: Envelope) => routed(env) && !(env.topic === 'system' && env.type.startsWith('delivery.') && (env.data as { node?: string })?.node === opts.node)
    const pacer = new Pacer(spec.min_interval_ms ?? 0)
    const logger = opts.logger
    const saved = await opts.store.loadCheckpoints(this.key)
    for (const tenant of route.tenants?.length ? route.tenants : [opts.tenant]) {
      for (const topic of route.topics?.length ? route.topics : ['drifts' as const]) {
        this.streams.push(new DeliveryStream({
          bus: opts.bus, store: opts.store, logger, transport, key: this.key, pipeline: opts.pipeline, node: opts.node, plugin: opts.plugin,
          accepts, pacer,
          batchSize: spec.batch_size ?? DELIVERY_DEFAULTS.batch_size,
          concurrency: spec.concurrency ?? DELIVERY_DEFAULTS.concurrency,
          maxAttempts: spec.max_attempts ?? DELIVERY_DEFAULTS.max_attempts,
          backoff: { base_ms: spec.backoff?.base_ms ?? DELIVERY_DEFAULTS.base_ms, cap_ms: spec.backoff?.cap_ms ?? DELIVERY_DEFAULTS.cap_ms },
          startFrom: spec.start_from ?? 'latest',
          maxRetryAfterMs: DELIVERY_DEFAULTS.max_retry_after_ms,
        }, tenant, topic, this.stopping.signal, this.abort.signal))
      }
    }
    await Promise.all(this.streams.map((s) => s.start(saved.find((c) => c.tenant === s.tenant && c.topic === s.topic))))
    this.unregister = registerDeliveryCounters(() => this.stats())
    logger.info({ streams: this.streams.map((s) => `${s.tenant}/${s.topic}`) }, 'Delivery started from the stored checkpoints.')
  }

  /** Counters of every stream, lag included. */
  stats(): DeliveryCounters[] {
    return this.streams.map((s) => ({ ...s.counters, lag: s.lag() }))
  }

  /** Stops dispatching, lets batches in flight finish within the grace period, then aborts them. */
  async stop(): Promise<void> {
    this.stopping.abort()
    const timer = setTimeout(() => this.abort.abort(), this.opts.grace_ms ?? 5000)
    try {
      await Promise.all(this.streams.map((s) => s.stopped()))
    } finally {
      clearTimeout(timer)
      this.abort.abort()
      this.unregister?.()
    }
  }
}
