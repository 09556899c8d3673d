/** Analysis and remediation nodes: a bounded queue in front of the plugin's operator. */
import { Observable, type Subscriber, type Subscription } from 'rxjs'
import type { OperatorInstance, PipelineItem, PluginDefinition, QueuePolicy } from '../plugin-api.ts'
import type { GraphNode } from './graph.ts'
import { NodeSubscriber, SupervisedNode, type NodeEnv } from './node.ts'
import { BoundedQueue } from './queue.ts'
import { forceBelow, LatencyHistogram, timedNext, type LatencySummary } from './latency.ts'
import { RoomState, RoomWaiters, type Sink } from './sink.ts'

/**
 * An analysis or remediation node: a bounded queue in front of the plugin's operator. Items are handed
 * to the operator synchronously while downstream has room (the call stack is the backpressure); they
 * wait in the queue while the node is busy, down, or blocked downstream, under the queue's policy.
 */
export class OperatorNode extends SupervisedNode implements Sink {
  readonly queue: BoundedQueue<PipelineItem>
  /** Processing time of a sample of items (read by the live metrics). */
  private readonly latency = new LatencyHistogram()
  /** Deliveries left before the next timed one; on the node itself, one load fewer on the hot path. */
  private untilSample = 1
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
    if (this.queue.length === 0 && this.blocked === 0 && !this.busy && this.input !== undefined && this.state === 'running') {
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
      if (--this.untilSample > forceBelow) this.input!.next(item)
      else this.deliverTimed(item)
    } catch (error) {
      this.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
    } finally {
      this.busy = false
    }
  }

  private deliverTimed(item: PipelineItem): void {
    if (this.untilSample <= 0) this.untilSample = this.latency.stride
    timedNext(this.latency, this.input!, item)
  }

  /** The latency percentiles since the last call; `items` (received meanwhile) sets how often the next window samples. */
  takeLatency(items: number): LatencySummary {
    const summary = this.latency.take()
    this.latency.adapt(items)
    if (this.untilSample > this.latency.stride) this.untilSample = this.latency.stride
    return summary
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

