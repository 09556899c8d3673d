import type { QueuePolicy } from '../plugin-api.ts'

/**
 * A bounded FIFO ring buffer with an overflow policy. `block` queues report "full" at `size` (producers
 * wait on demand) and hold a little slack up to `2 × size` for an upstream operator's multi-item output;
 * past the hard bound the newest item is dropped. `drop_oldest` / `drop_newest` hold exactly `size`.
 */
export class BoundedQueue<T> {
  private readonly ring: Array<T | undefined>
  private head = 0
  length = 0
  /** Highest length seen (what a bounded-memory check reads). */
  peak = 0
  readonly hardSize: number

  constructor(readonly size: number, readonly policy: QueuePolicy) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`queue size must be a positive integer (got ${size})`)
    this.hardSize = policy === 'block' ? size * 2 : size
    this.ring = new Array(this.hardSize)
  }

  /** True when a cooperative producer should wait. */
  get full(): boolean { return this.length >= this.size }

  /** Appends; returns false when an item (this one, or the oldest for drop_oldest) was dropped. */
  push(item: T): boolean {
    if (this.length >= this.hardSize) {
      if (this.policy !== 'drop_oldest') return false
      this.ring[this.head] = item
      this.head = (this.head + 1) % this.hardSize
      return false
    }
    this.ring[(this.head + this.length) % this.hardSize] = item
    if (++this.length > this.peak) this.peak = this.length
    return true
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined
    const item = this.ring[this.head]
    this.ring[this.head] = undefined
    this.head = (this.head + 1) % this.hardSize
    this.length--
    return item
  }

  /** Empties the queue; returns how many items were discarded. */
  clear(): number {
    const n = this.length
    while (this.length > 0) this.shift()
    return n
  }
}
