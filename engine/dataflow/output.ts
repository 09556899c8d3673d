import type { PipelineItem } from '../plugin-api.ts'
import type { Sink } from './sink.ts'
import type { PublishSink } from './publish.ts'
import type { PersistSink } from './persist.ts'

/**
 * Where every node of a pipeline also emits: the bus publisher (items with a topic) and the store
 * writer (persisted types), as one sink so the hot path checks one room flag instead of two.
 */
export class PipelineOutput implements Sink {
  constructor(private readonly publisher: PublishSink, private readonly writer: PersistSink | undefined) {}

  offer(item: PipelineItem): void {
    if (item.topic !== undefined) this.publisher.offer(item)
    if (this.writer !== undefined) this.writer.offer(item)
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
