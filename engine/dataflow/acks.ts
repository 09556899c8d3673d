/**
 * Durable acknowledgement of pushed items: an ingest route answers its sender only once the items it
 * queued have left the pipeline durably — published on the bus (committed to the journal, where the
 * bus has one) and, for the types the store keeps, written to the store. A 202 before that would be a
 * promise a `kill -9` could break: the items would still sit in the source's queue.
 *
 * Items are tracked by identity from the moment they are queued until the pipeline output of the node
 * that emits them settles them (PipelineOutput), so nothing is added to the items themselves.
 */
import type { PipelineItem } from '../plugin-api.ts'

/** How long a sender waits before it is told to resend (the pipeline is stalled or its store failing). */
export const DURABLE_TIMEOUT_MS = 10_000

type Settle = (ok: boolean) => void
const waiting = new WeakMap<object, Settle>()

/**
 * Resolves true once every item was settled durably, false as soon as one failed, or after `timeoutMs`.
 * Call before queueing the items; `forget` them when they could not be queued.
 */
export function whenDurable(items: readonly PipelineItem[], timeoutMs = DURABLE_TIMEOUT_MS): Promise<boolean> {
  if (items.length === 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    let left = items.length
    let done = false
    const finish = (ok: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (!ok) for (const item of items) waiting.delete(item)
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    const settle: Settle = (ok) => { if (!ok) finish(false); else if (--left === 0) finish(true) }
    for (const item of items) waiting.set(item, settle)
  })
}

/** Stops tracking items that could not be queued after all: their `whenDurable` resolves false now. */
export function forget(items: readonly PipelineItem[]): void {
  for (const item of items) {
    const settle = waiting.get(item)
    waiting.delete(item)
    settle?.(false)
  }
}

/**
 * The settle callback of an item someone waits for, taken (so the item is settled once, by the first
 * output it reaches); undefined for every other item — the common case, one WeakMap miss.
 */
export function takeSettle(item: PipelineItem): Settle | undefined {
  const settle = waiting.get(item)
  if (settle) waiting.delete(item)
  return settle
}

/** A settle callback for `parts` separate outcomes (publish, store): ok only when all are. */
export function joinSettle(settle: Settle, parts: number): Settle {
  let left = parts
  let ok = true
  return (partOk) => {
    ok &&= partOk
    if (--left === 0) settle(ok)
  }
}
