import type { PipelineItem } from '../plugin-api.ts'
import { RoomState, type Sink } from './sink.ts'
import type { PublishSink } from './publish.ts'
import { isPersisted, type PersistSink } from './persist.ts'
import { joinSettle, takeSettle } from './acks.ts'

/**
 * Where every node of a pipeline also emits: the bus publisher (items with a topic) and the store
 * writer (persisted types), as one sink so the hot path checks one room flag instead of two.
 */
export class PipelineOutput implements Sink {
  /** The last item type seen that the store does not keep; nodes skip `offer` for it when it has no topic. */
  skipType: string | undefined

  readonly room = new RoomState()

  constructor(readonly publisher: PublishSink, readonly writer: PersistSink | undefined) {
    const refresh = () => this.room.set(!this.hasRoom())
    publisher.onChange = refresh
    if (writer) writer.onChange = refresh
  }

  /** False when the publisher or the writer dropped the item (hard bound reached). */
  offer(item: PipelineItem): boolean {
    const settle = takeSettle(item)
    if (settle) return this.offerSettled(item, settle)
    const published = item.topic === undefined || this.publisher.offer(item)
    if (this.writer === undefined || item.type === this.skipType) return published
    if (isPersisted(item.type)) return this.writer.offer(item) && published
    this.skipType = item.type
    return published
  }

  /** An item whose sender waits (acks.ts): settled once both the publish and the store write are durable. */
  private offerSettled(item: PipelineItem, settle: (ok: boolean) => void): boolean {
    const publish = item.topic !== undefined
    const store = this.writer !== undefined && isPersisted(item.type)
    if (!publish && !store) { settle(true); return true }
    const part = joinSettle(settle, (publish ? 1 : 0) + (store ? 1 : 0))
    const published = !publish || this.publisher.offer(item, part)
    const stored = !store || this.writer!.offer(item, part)
    return published && stored
  }

  hasRoom(): boolean {
    return this.publisher.inflight < this.publisher.maxInflight && (this.writer === undefined || this.writer.pending < this.writer.maxPending)
  }

  onRoom(callback: () => void): void {
    if (!this.publisher.hasRoom()) this.publisher.onRoom(() => this.onRoom(callback))
    else if (this.writer && !this.writer.hasRoom()) this.writer.onRoom(() => this.onRoom(callback))
    else callback()
  }
}
