/**
 * Supervised pipeline nodes. Each node owns one plugin instance at a time: it creates it with a fresh
 * context, wires its output into downstream sinks, and on any failure (create throws, the output or
 * operator errors) tears it down, publishes a `system` event and restarts it with capped exponential
 * backoff. A failing node never ends the pipeline: its queue holds (bounded) while it is down.
 */
import { Observable, Subscriber, type Subscription } from 'rxjs'
import type { DependencyContainer } from 'tsyringe'
import type { Logger } from 'pino'
import type { Clock, Demand, Ingress, IngressRoute, OperatorInstance, PipelineItem, PluginDefinition, ProducerInstance, QueuePolicy, TransportInstance } from '../plugin-api.ts'
import type { ErrorCode } from '../errors.ts'
import type { GraphNode } from './graph.ts'
import type { NodeCounters } from '../metrics.ts'
import { pluginMetrics } from '../metrics.ts'
import { createPluginContext } from '../host/context.ts'
import { TOKENS } from '../host/tokens.ts'
import { BoundedQueue } from './queue.ts'
import { RoomState, RoomWaiters, type Sink } from './sink.ts'
import type { PipelineOutput } from './output.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'

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
    const info = { plugin: this.definition.name, pipeline: this.node.pipeline, tenant: this.env.tenant, node: this.node.id }
    const { context } = createPluginContext(this.env.root, info, { signal: this.abort.signal, demand: this.makeDemand(), metrics: pluginMetrics(this.node.pipeline, this.node.id), ingress: this.instanceIngress() })
    let instance: unknown
    try {
      instance = await this.definition.create(context, this.options)
      this.checkInstance(instance)
    } catch (error) {
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

  /** The instance's view of the ingress: routes it registers are removed again when it stops or restarts. */
  private instanceIngress(): Ingress {
    const shared = this.env.root.resolve<Ingress>(TOKENS.Ingress)
    return { register: (route) => { shared.register(route); this.routes.push(route) } }
  }

  /** Takes the current instance's routes (so a restarted instance starts with none). */
  private takeRoutes(): IngressRoute[] { const r = this.routes; this.routes = []; return r }

  private releaseRoutes(routes: IngressRoute[]): void {
    const shared = this.env.root.resolve<Ingress & { unregister?(r: IngressRoute): void }>(TOKENS.Ingress)
    for (const r of routes) shared.unregister?.(r)
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

/** A discovery or source node: subscribes to the plugin's output (Observable, or AsyncIterable pulled on demand). */
export class ProducerNode extends SupervisedNode {
  private subscription: Subscription | undefined
  private iterator: AsyncIterator<PipelineItem> | undefined

  protected checkInstance(instance: unknown): void {
    const output = (instance as ProducerInstance | undefined)?.output
    if (!output || (!(output instanceof Observable) && typeof (output as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (output as unknown as Observable<unknown>).subscribe !== 'function')) {
      throw new Error(`${this.definition.kind} plugin "${this.definition.name}" must return { output: Observable | AsyncIterable }`)
    }
  }

  protected attach(instance: unknown): void {
    const output = (instance as ProducerInstance).output
    if (typeof (output as Observable<PipelineItem>).subscribe === 'function') {
      const sub = (output as Observable<PipelineItem>).subscribe(new NodeSubscriber(this, () => this.finished()))
      if (this.state === 'running') this.subscription = sub
      else sub.unsubscribe()
      return
    }
    void this.pump((output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator](), this.abort.signal)
  }

  /** Pulls an AsyncIterable only while downstream has room. */
  private async pump(iterator: AsyncIterator<PipelineItem>, signal: AbortSignal): Promise<void> {
    this.iterator = iterator
    try {
      while (!signal.aborted) {
        if (this.blockedSink()) await this.ready()
        if (signal.aborted) break
        const result = await iterator.next()
        if (result.done || signal.aborted) break
        this.emit(result.value)
      }
      if (!signal.aborted) this.finished()
    } catch (error) {
      if (!signal.aborted) this.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
    }
  }

  private finished(): void {
    if (this.state !== 'running') return
    this.state = 'completed'
    this.log.debug('Producer completed.')
    this.completion.resolve()
  }

  protected detach(): void {
    this.subscription?.unsubscribe()
    this.subscription = undefined
    const it = this.iterator
    this.iterator = undefined
    if (it?.return) Promise.resolve().then(() => it.return!()).catch(() => {})
  }
}

/**
 * An analysis or remediation node: a bounded queue in front of the plugin's operator. Items are handed
 * to the operator synchronously while downstream has room (the call stack is the backpressure); they
 * wait in the queue while the node is busy, down, or blocked downstream, under the queue's policy.
 */
export class OperatorNode extends SupervisedNode implements Sink {
  readonly queue: BoundedQueue<PipelineItem>
  private input: Subscriber<PipelineItem> | undefined
  private subscription: Subscription | undefined
  private busy = false
  private waitingForRoom = false
  private warned = false
  private readonly waiters = new RoomWaiters()
  private readonly idle = new RoomWaiters()

  constructor(node: GraphNode, definition: PluginDefinition, options: Record<string, unknown>, env: NodeEnv) {
    super(node, definition, options, env)
    const q = node.config.queue ?? {}
    this.queue = new BoundedQueue(q.size ?? 1024, (q.policy ?? 'block') as QueuePolicy)
  }

  protected checkInstance(instance: unknown): void {
    if (typeof (instance as OperatorInstance | undefined)?.operator !== 'function') {
      throw new Error(`${this.definition.kind} plugin "${this.definition.name}" must return { operator: (input$) => output$ }`)
    }
  }

  protected attach(instance: unknown): void {
    const input$ = new Observable<PipelineItem>((subscriber) => {
      this.input = subscriber
      return () => { if (this.input === subscriber) this.input = undefined }
    })
    const output$ = (instance as OperatorInstance).operator(input$)
    const sub = output$.subscribe(new NodeSubscriber(this, () => this.completion.resolve()))
    if (this.state !== 'running') { sub.unsubscribe(); return }
    this.subscription = sub
    this.drain()
  }

  protected detach(): void {
    this.subscription?.unsubscribe()
    this.subscription = undefined
    this.input = undefined
  }

  protected queueDepth(): number { return this.queue.length }
  protected queuePeak(): number { return this.queue.peak }

  protected onDown(): void {
    // Producers waiting on this node's queue must not stall the rest of the pipeline while it is down.
    this.refreshRoom()
    this.waiters.notify()
  }

  protected onUp(): void { this.refreshRoom() }

  readonly room = new RoomState()

  /** Full = a `block` queue at its size while the node runs (a down node never holds producers back). */
  private refreshRoom(): void {
    this.room.set(this.queue.length >= this.queue.size && this.queue.policy === 'block' && !this.down)
  }

  // --- Sink (upstream side) ---

  hasRoom(): boolean { return !this.room.full }

  onRoom(callback: () => void): void { this.waiters.add(callback) }

  offer(item: PipelineItem): void {
    this.stats.received++
    if (this.queue.length === 0 && !this.busy && this.input !== undefined && this.state === 'running' && this.blockedSink() === undefined) {
      this.deliver(item)
      if (this.queue.length > 0) this.drain()
      return
    }
    if (!this.queue.push(item)) this.dropped()
    else if (this.queue.length === this.queue.size) this.refreshRoom()
    if (!this.busy && this.state === 'running') this.drain()
  }

  private dropped(): void {
    this.stats.dropped++
    if (this.warned) return
    this.warned = true
    const policy = this.queue.policy
    this.log.warn({ queue_size: this.queue.size, policy },
      policy === 'block'
        ? 'Queue is at its hard bound (a producer ignored demand, or this node is down); dropping the newest items. Further drops are counted, not logged.'
        : `Queue is full; dropping items per policy ${policy}. Further drops are counted, not logged.`)
  }

  private deliver(item: PipelineItem): void {
    this.busy = true
    try {
      this.input!.next(item)
    } catch (error) {
      this.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
    } finally {
      this.busy = false
    }
  }

  /** Feeds queued items to the operator while it runs and downstream has room. */
  drain(): void {
    if (this.busy) return
    while (this.queue.length > 0 && this.state === 'running' && this.input) {
      const blocked = this.blockedSink()
      if (blocked) { this.waitRoom(blocked); break }
      const item = this.queue.shift()!
      if (this.queue.length === this.queue.size - 1) this.refreshRoom()
      if (this.waiters.size > 0 && this.queue.length < this.queue.size) this.waiters.notify()
      this.deliver(item)
    }
    if (this.queue.length === 0) {
      this.waiters.notify()
      this.idle.notify()
    }
  }

  private waitRoom(sink: Sink): void {
    if (this.waitingForRoom) return
    this.waitingForRoom = true
    sink.onRoom(() => {
      this.waitingForRoom = false
      // A microtask, so a downstream sink's own drain loop finishes before this one resumes.
      queueMicrotask(() => this.drain())
    })
  }

  /** Resolves when the queue is empty (or the node cannot drain it any more). */
  whenDrained(): Promise<void> {
    if (this.queue.length === 0 || (this.state !== 'running')) return Promise.resolve()
    return new Promise((resolve) => this.idle.add(resolve))
  }

  /** Graceful end: drain the queue, complete the operator's input, wait for its output to complete. */
  async drainAndStop(deadline: Promise<void>): Promise<void> {
    await Promise.race([this.whenDrained(), deadline])
    if (this.state === 'running' && this.input) {
      this.input.complete()
      await Promise.race([this.completion.promise, deadline])
    }
    const left = this.queue.clear()
    this.refreshRoom()
    if (left > 0) {
      this.stats.dropped += left
      this.log.warn({ dropped: left }, 'Shutdown deadline reached; dropping items still queued.')
    }
    await this.stop()
  }
}

/** A transport node: created and started; it subscribes to the bus itself. */
export class TransportNode extends SupervisedNode {
  protected checkInstance(instance: unknown): void {
    if (!instance || typeof instance !== 'object') throw new Error(`transport plugin "${this.definition.name}" must return an object ({ start?, close? })`)
  }
  protected async attach(instance: unknown): Promise<void> { await (instance as TransportInstance).start?.() }
  protected detach(): void {}
}

/**
 * Subscribes the engine to a plugin's output. A Subscriber subclass (rather than an observer object)
 * spares RxJS its safe-subscriber wrapper on the hottest path; errors still end here and go to supervision.
 */
class NodeSubscriber extends Subscriber<PipelineItem> {
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

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}
