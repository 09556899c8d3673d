/**
 * Supervised pipeline nodes. Each node owns one plugin instance at a time: it creates it with a fresh
 * context, wires its output into downstream sinks, and on any failure (create throws, the output or
 * operator errors) tears it down, publishes a `system` event and restarts it with capped exponential
 * backoff. A failing node never ends the pipeline: its queue holds (bounded) while it is down.
 */
import { Subscriber } from 'rxjs'
import type { DependencyContainer } from 'tsyringe'
import type { Logger } from 'pino'
import type { Clock, Demand, Ingress, IngressRoute, PipelineItem, PluginDefinition, TransportInstance } from '../plugin-api.ts'
import { TfdriftError, type ErrorCode } from '../errors.ts'
import type { GraphNode } from './graph.ts'
import type { NodeCounters } from '../metrics.ts'
import { pluginMetrics } from '../metrics.ts'
import { createPluginContext } from '../host/context.ts'
import { TOKENS } from '../host/tokens.ts'
import { ingressFor, type IngressTable } from '../host/ingress.ts'
import type { Sink } from './sink.ts'
import type { PipelineOutput } from './output.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import { DeliveryRunner, isDelivering } from '../delivery/runner.ts'

export type NodeState = 'idle' | 'starting' | 'running' | 'backoff' | 'completed' | 'stopping' | 'stopped'

/** Counters and state of one node, readable in-process (`runtime.stats()`). */
export interface NodeStats extends NodeCounters {
  state: NodeState
  /** Delay before the pending (or last) restart, ms. */
  backoff_ms: number
  /** Highest queue depth seen. */
  queue_peak: number
}

/** What every node needs from its pipeline. */
export interface NodeEnv {
  root: DependencyContainer
  clock: Clock
  logger: Logger
  tenant: string
  backoff: BackoffOptions
  /** Publishes a `system` topic event for this pipeline's tenant (never throws). */
  system(type: string, data: Record<string, unknown>): void
}

const MAX_MESSAGE = 300

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text
}

/** Shared supervision: create, fail, back off, restart, stop. */
export abstract class SupervisedNode {
  state: NodeState = 'idle'
  readonly stats: NodeStats
  /** Operator nodes fed by this node. */
  downstream: Sink[] = []
  /** Discovery nodes whose items reach this one (operators; set by the dataflow before start). */
  discovery: readonly string[] | undefined
  /** The pipeline's bus publisher and store writer. */
  output: PipelineOutput | undefined
  /** How many of this node's sinks (output included) are full right now; kept by their RoomState. */
  blocked = 0
  protected abort = new AbortController()
  protected instance: { close?(): void | Promise<void> } | undefined
  protected readonly log: Logger
  private attempt = 0
  private startedAt = 0
  private restarting = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private routes: IngressRoute[] = []
  /** Why the node stopped for good instead of restarting (set only by a failure retrying cannot cure). */
  refusal: TfdriftError | undefined
  /** Resolved when the plugin's output completes (operators: after their input completes). */
  protected completion: { promise: Promise<void>; resolve(): void } = deferred()

  constructor(readonly node: GraphNode, readonly definition: PluginDefinition, readonly options: Record<string, unknown>, protected readonly env: NodeEnv) {
    this.stats = { node: node.id, pipeline: node.pipeline, plugin: definition.name, kind: definition.kind, received: 0, emitted: 0, dropped: 0, errors: 0, queue_depth: 0, restarts: 0, state: 'idle', backoff_ms: 0, queue_peak: 0 }
    this.log = env.logger.child({ plugin: definition.name, pipeline: node.pipeline, node: node.id })
  }

  /** Creates the instance and attaches it; failures go through supervision. */
  async start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return
    this.state = 'starting'
    this.abort = new AbortController()
    this.completion = deferred()
    const info = { plugin: this.definition.name, pipeline: this.node.pipeline, tenant: this.env.tenant, node: this.node.id, ...(this.discovery ? { discovery: this.discovery } : {}) }
    const { context } = createPluginContext(this.env.root, info, { signal: this.abort.signal, demand: this.makeDemand(), metrics: pluginMetrics(this.node.pipeline, this.node.id), ingress: this.instanceIngress() })
    let instance: unknown
    try {
      instance = await this.definition.create(context, this.options)
      this.checkInstance(instance)
    } catch (error) {
      // At first start a taken route is another node's and stays taken: restarting would only loop. On a
      // restart it may be this node's own, still being released after a slow close, so supervision retries.
      if (!this.restarting && error instanceof TfdriftError && error.code === 'TFD_ERR_INGRESS_CONFLICT') return this.refuse(error)
      this.fail(error, 'TFD_ERR_PLUGIN_CREATE')
      return
    }
    if (this.state !== 'starting') {
      await safeClose(instance as { close?(): unknown }, this.log)
      return
    }
    this.instance = instance as { close?(): void | Promise<void> }
    this.state = 'running'
    this.onUp()
    this.startedAt = this.env.clock.now()
    if (this.restarting) {
      this.restarting = false
      this.log.info({ restarts: this.stats.restarts }, 'Plugin restarted.')
      this.env.system('system.plugin_restarted', { node: this.node.id, pipeline: this.node.pipeline, plugin: this.definition.name, restarts: this.stats.restarts })
    }
    try {
      await this.attach(instance)
    } catch (error) {
      this.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
    }
  }

  /** Tears the instance down and schedules a restart with backoff. Safe to call more than once. */
  fail(error: unknown, code: ErrorCode = 'TFD_ERR_PLUGIN_RUNTIME'): void {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'backoff') return
    const wasRunning = this.state === 'running'
    this.stats.errors++
    this.detach()
    this.abort.abort()
    const instance = this.instance
    this.instance = undefined
    const routes = this.takeRoutes()
    void safeClose(instance, this.log).then(() => this.releaseRoutes(routes))
    if (wasRunning && this.env.clock.now() - this.startedAt >= this.env.backoff.reset_after_ms) this.attempt = 0
    const delay = backoffDelay(this.attempt, this.env.backoff)
    this.attempt++
    this.state = 'backoff'
    this.stats.backoff_ms = delay
    const message = errorMessage(error)
    this.log.warn({ code, err_message: message, retry_in_ms: delay, attempt: this.attempt }, 'Plugin failed; restarting it after a backoff.')
    this.env.system('system.plugin_failed', { node: this.node.id, pipeline: this.node.pipeline, plugin: this.definition.name, code, message, attempt: this.attempt, retry_in_ms: delay })
    this.onDown()
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.state !== 'backoff') return
      this.restarting = true
      this.stats.restarts++
      void this.start()
    }, delay)
  }

  /** Stops the node for good after a failed create, keeping the error for the runtime to report. */
  private refuse(error: TfdriftError): void {
    this.stats.errors++
    this.abort.abort()
    this.releaseRoutes(this.takeRoutes())
    this.state = 'stopped'
    this.refusal = error
    this.log.error({ code: error.code, err_message: errorMessage(error) }, 'Plugin refused to start; it is not restarted until the configuration changes.')
  }

  /** Stops the instance: no restarts; closes it. Operators drain first (see OperatorNode.drainAndStop). */
  async stop(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    this.state = 'stopping'
    this.detach()
    this.abort.abort()
    const instance = this.instance
    this.instance = undefined
    const routes = this.takeRoutes()
    await safeClose(instance, this.log)
    this.releaseRoutes(routes)
    this.state = 'stopped'
  }

  snapshot(): NodeStats {
    this.stats.state = this.state
    this.stats.queue_depth = this.queueDepth()
    this.stats.queue_peak = this.queuePeak()
    return { ...this.stats }
  }

  /** True while no instance runs (backoff or starting after a failure): its block queue stops counting for demand. */
  get down(): boolean { return this.state === 'backoff' || (this.state === 'starting' && this.restarting) }

  /** Hands an item the plugin produced to every downstream sink. */
  emit(item: PipelineItem): void {
    if (this.state !== 'running' && this.state !== 'stopping') return
    this.stats.emitted++
    const o = this.output
    if (o !== undefined && (item.topic !== undefined || item.type !== o.skipType) && !o.offer(item)) this.stats.dropped++
    const d = this.downstream
    for (let i = 0; i < d.length; i++) d[i]!.offer(item)
  }

  /** The first sink without room (the pipeline output, checked inline, then operator queues), or undefined. */
  blockedSink(): Sink | undefined {
    if (this.blocked === 0) return undefined
    const o = this.output
    if (o !== undefined && o.room.full) return o
    const d = this.downstream
    for (let i = 0; i < d.length; i++) if (d[i]!.room.full) return d[i]
    return undefined
  }

  /** Resolves when every downstream sink has room. */
  protected ready(): Promise<void> {
    const blocked = this.blockedSink()
    if (!blocked) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const wait = (sink: Sink) => sink.onRoom(() => {
        if (this.abort.signal.aborted) return resolve()
        const next = this.blockedSink()
        if (next) wait(next)
        else resolve()
      })
      wait(blocked)
    })
  }

  /** The instance's view of the ingress: its routes belong to the pipeline's tenant and go when it stops or restarts. */
  private instanceIngress(): Ingress {
    const owner = { tenant: this.env.tenant, pipeline: this.node.pipeline, node: this.node.id, plugin: this.definition.name }
    const own = ingressFor(this.env.root.resolve<IngressTable>(TOKENS.Ingress), owner)
    return { register: (route) => { own.register(route); this.routes.push(route) } }
  }

  /** Takes the current instance's routes (so a restarted instance starts with none). */
  private takeRoutes(): IngressRoute[] { const r = this.routes; this.routes = []; return r }

  private releaseRoutes(routes: IngressRoute[]): void {
    const shared = this.env.root.resolve<IngressTable>(TOKENS.Ingress)
    for (const r of routes) shared.unregister(r)
  }

  /** Demand handed to the plugin: paused while any downstream sink is full. */
  protected makeDemand(): Demand {
    const node = this
    return { ready: () => node.ready(), get paused() { return node.blockedSink() !== undefined } }
  }

  protected queueDepth(): number { return 0 }
  protected queuePeak(): number { return 0 }
  protected onDown(): void {}
  protected onUp(): void {}
  protected abstract checkInstance(instance: unknown): void
  protected abstract attach(instance: unknown): void | Promise<void>
  protected abstract detach(): void
}

/**
 * A transport node: created and started. A plain transport subscribes to the bus itself; a delivering
 * one (it has `deliver()`) is fed by the engine's delivery runner, which owns its checkpoints, retries
 * and counters.
 */
export class TransportNode extends SupervisedNode {
  private runner: DeliveryRunner | undefined
  protected checkInstance(instance: unknown): void {
    if (!instance || typeof instance !== 'object') throw new Error(`transport plugin "${this.definition.name}" must return an object ({ start?, close? })`)
  }
  protected async attach(instance: unknown): Promise<void> {
    const transport = instance as TransportInstance
    await transport.start?.()
    if (!isDelivering(transport)) return
    const runner = new DeliveryRunner(transport, {
      bus: this.env.root.resolve<Bus>(TOKENS.Bus), store: this.env.root.resolve<Store>(TOKENS.Store), logger: this.log,
      pipeline: this.node.pipeline, node: this.node.id, plugin: this.definition.name, tenant: this.env.tenant,
    })
    this.runner = runner
    await runner.start()
  }
  protected detach(): void {
    // After a failure: batches in flight are abandoned and offered again by the restarted instance.
    void this.runner?.stop()
    this.runner = undefined
  }
  /** Lets the runner finish its batches in flight and save its checkpoints before the plugin closes. */
  override async stop(): Promise<void> {
    const runner = this.runner
    this.runner = undefined
    await runner?.stop()
    await super.stop()
  }
}

/**
 * Subscribes the engine to a plugin's output. A Subscriber subclass (rather than an observer object)
 * spares RxJS its safe-subscriber wrapper on the hottest path; errors still end here and go to supervision.
 */
export class NodeSubscriber extends Subscriber<PipelineItem> {
  constructor(private readonly owner: SupervisedNode, private readonly done: () => void) { super() }
  protected override _next(item: PipelineItem): void { this.owner.emit(item) }
  protected override _error(error: unknown): void {
    this.unsubscribe()
    this.owner.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
  }
  protected override _complete(): void {
    this.unsubscribe()
    this.done()
  }
}

async function safeClose(instance: { close?(): unknown } | undefined, log: Logger): Promise<void> {
  if (!instance?.close) return
  try {
    await instance.close()
  } catch (error) {
    log.warn({ err_message: errorMessage(error) }, 'Plugin close() failed; continuing.')
  }
}

/** A promise with its resolve function. */
export function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}
