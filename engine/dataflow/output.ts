import type { PipelineItem } from '../plugin-api.ts'
import { RoomState, type Sink } from './sink.ts'
import type { PublishSink } from './publish.ts'
import { isPersisted, type PersistSink } from './persist.ts'

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
    const published = item.topic === undefined || this.publisher.offer(item)
    if (this.writer === undefined || item.type === this.skipType) return published
    if (isPersisted(item.type)) return this.writer.offer(item) && published
    this.skipType = item.type
    return published
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
