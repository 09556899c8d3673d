/**
 * A bounded hand-off from HTTP ingress handlers to a source's output. The engine pulls the async
 * iterable as fast as downstream accepts; `offer` refuses (instead of buffering without bound) when
 * the queue is full, so the route can answer 503 and the sender retries.
 */
export class BoundedChannel<T> {
  private readonly queue: T[] = []
  private waiter: ((r: IteratorResult<T>) => void) | undefined
  private closed = false

  constructor(readonly capacity: number, signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.close(), { once: true })
  }

  get size(): number {
    return this.queue.length
  }

  /** Room left before `offer` starts refusing. */
  get room(): number {
    return this.closed ? 0 : this.capacity - this.queue.length
  }

  /** Enqueues all items or none; false when they do not fit or the channel is closed. */
  offer(items: T[]): boolean {
    if (this.closed || items.length > this.room) return false
    for (const item of items) {
      if (this.waiter) {
        const w = this.waiter
        this.waiter = undefined
        w({ value: item, done: false })
      } else this.queue.push(item)
    }
    return true
  }

  close(): void {
    this.closed = true
    const w = this.waiter
    this.waiter = undefined
    w?.({ value: undefined, done: true })
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (true) {
      if (this.queue.length) {
        yield this.queue.shift()!
        continue
      }
      if (this.closed) return
      const next = await new Promise<IteratorResult<T>>((resolve) => { this.waiter = resolve })
      if (next.done) return
      yield next.value
    }
  }
}
