/** Publishes items that carry a `topic` to the bus under the pipeline's tenant, with bounded writes in flight. */
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { PipelineItem } from '../plugin-api.ts'
import { RoomWaiters } from './sink.ts'

export class PublishSink {
  inflight = 0
  /** Called after the in-flight count changes (the pipeline output mirrors its room). */
  onChange: (() => void) | undefined
  private readonly waiters = new RoomWaiters()
  private readonly idle = new RoomWaiters()
  private warned = false
  published = 0
  errors = 0

  constructor(private readonly bus: Bus, private readonly tenant: string, private readonly log: Logger, readonly maxInflight = 1024) {}

  offer(item: PipelineItem): void {
    if (!item.topic) return
    if (++this.inflight >= this.maxInflight) this.onChange?.()
    let promise: Promise<unknown>
    try {
      promise = this.bus.publish({ topic: item.topic, type: item.type, tenant: this.tenant, data: item.data })
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then(() => { this.published++ }, (error: unknown) => {
      this.errors++
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
  }

  hasRoom(): boolean { return this.inflight < this.maxInflight }
  onRoom(callback: () => void): void { this.waiters.add(callback) }

  /** Resolves when no publish is in flight. */
  whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.add(resolve))
  }
}
