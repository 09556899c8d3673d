/** Publishes items that carry a `topic` to the bus under the pipeline's tenant, with bounded writes in flight. */
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { PipelineItem } from '../plugin-api.ts'
import { RoomWaiters } from './sink.ts'
import { LatencyHistogram } from './latency.ts'

export class PublishSink {
  inflight = 0
  /** Called after the in-flight count changes (the pipeline output mirrors its room). */
  onChange: (() => void) | undefined
  private readonly waiters = new RoomWaiters()
  private readonly idle = new RoomWaiters()
  private warned = false
  published = 0
  dropped = 0
  private overflowWarned = false
  errors = 0
  /** Publish-to-durable time of a sample of publishes: the bus lag the live metrics report. */
  readonly lag = new LatencyHistogram()

  constructor(private readonly bus: Bus, readonly tenant: string, private readonly log: Logger, readonly maxInflight = 1024) {}

  /**
   * Starts publishing; false when the item was dropped because a producer ignored demand past the hard
   * bound (2 × max in flight). `settled` hears whether the publish became durable.
   */
  offer(item: PipelineItem, settled?: (ok: boolean) => void): boolean {
    if (!item.topic) { settled?.(true); return true }
    if (this.inflight >= this.maxInflight * 2) { settled?.(false); return this.overflow() }
    if (++this.inflight >= this.maxInflight) this.onChange?.()
    const t0 = this.lag.due() ? performance.now() : 0
    let promise: Promise<unknown>
    try {
      promise = this.bus.publish({ topic: item.topic, type: item.type, tenant: this.tenant, data: item.data })
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then(() => {
      this.published++
      if (t0 !== 0) this.lag.record(performance.now() - t0)
      settled?.(true)
    }, (error: unknown) => {
      this.errors++
      settled?.(false)
      if (!this.warned) {
        this.warned = true
        this.log.warn({ topic: item.topic, type: item.type, err_message: (error as Error)?.message }, 'Publishing an item to the bus failed; further failures are counted, not logged.')
      }
    }).finally(() => {
      this.inflight--
      if (this.inflight === this.maxInflight - 1) this.onChange?.()
      if (this.inflight < this.maxInflight) this.waiters.notify()
      if (this.inflight === 0) this.idle.notify()
    })
    return true
  }

  private overflow(): false {
    this.dropped++
    if (!this.overflowWarned) {
      this.overflowWarned = true
      this.log.warn({ max_inflight: this.maxInflight }, 'Too many bus publishes in flight (a producer ignored demand); dropping items. Further drops are counted, not logged.')
    }
    return false
  }

  hasRoom(): boolean { return this.inflight < this.maxInflight }
  onRoom(callback: () => void): void { this.waiters.add(callback) }

  /** Resolves when no publish is in flight. */
  whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.add(resolve))
  }
}
