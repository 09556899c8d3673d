import type { PipelineItem } from '../plugin-api.ts'

/** Anything a node emits into: another node's input queue, the bus publisher, the store writer. */
export interface Sink {
  offer(item: PipelineItem): void
  /** False while this sink wants upstream to hold back (a full `block` queue, too many writes in flight). */
  hasRoom(): boolean
  /** Calls `callback` once, the next time the sink has room again. */
  onRoom(callback: () => void): void
  /** Pushes room changes to the upstream nodes, so their hot path reads one counter instead of polling. */
  readonly room: RoomState
}

/** Something that counts how many of its downstream sinks are full (a node). */
export interface RoomWatcher { blocked: number }

/** A sink's full/not-full flag, mirrored into the `blocked` counter of every upstream watcher. */
export class RoomState {
  full = false
  private readonly watchers: RoomWatcher[] = []
  watch(watcher: RoomWatcher): void {
    this.watchers.push(watcher)
    if (this.full) watcher.blocked++
  }
  set(full: boolean): void {
    if (full === this.full) return
    this.full = full
    const delta = full ? 1 : -1
    for (const w of this.watchers) w.blocked += delta
  }
}

/** One-shot callbacks waiting for room; shared by every sink implementation. */
export class RoomWaiters {
  private waiting: Array<() => void> = []
  get size(): number { return this.waiting.length }
  add(callback: () => void): void { this.waiting.push(callback) }
  /** Calls and forgets every waiting callback. */
  notify(): void {
    if (this.waiting.length === 0) return
    const list = this.waiting
    this.waiting = []
    for (const cb of list) cb()
  }
}
