/**
 * The batched store writer: items a pipeline emits are saved by type — `snapshot` → saveSnapshot,
 * `change.received` → saveChangeEvents, `drift.*` → saveDrifts, `remediation.proposed` →
 * saveRemediations. Writes are batched (by count or a short timer), one batch at a time; while too
 * much is pending the sink reports no room, which backpressures the nodes feeding it.
 */
import type { Logger } from 'pino'
import type { Store } from '../store/store.ts'
import type { ChangeEvent, Drift, RemediationPlan, Snapshot } from '../model.ts'
import type { PipelineItem } from '../plugin-api.ts'
import { RoomWaiters } from './sink.ts'

export interface PersistOptions {
  /** Items per write batch (default 500). */
  batch_size?: number
  /** Longest an item waits before its batch is written, ms (default 50). */
  max_delay_ms?: number
  /** Pending items past which upstream is held back (default 5000). */
  max_pending?: number
}

/** True for the item types the store keeps. */
export function isPersisted(type: string): boolean {
  return type === 'snapshot' || type === 'change.received' || type.startsWith('drift.') || type === 'remediation.proposed'
}

export class PersistSink {
  private snapshots: Snapshot[] = []
  private events: ChangeEvent[] = []
  private drifts: Drift[] = []
  private plans: RemediationPlan[] = []
  /** Callers waiting to hear that an item of the pending batch is written (acks.ts). */
  private settles: Array<(ok: boolean) => void> = []
  pending = 0
  /** Called after the pending count changes (the pipeline output mirrors its room). */
  onChange: (() => void) | undefined
  /** Called after a batch is written, saying whether it held snapshots or drifts (the live graph looks again). */
  onSaved: ((what: { snapshots: boolean; drifts: boolean }) => void) | undefined
  private writing: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly waiters = new RoomWaiters()
  private readonly batchSize: number
  private readonly maxDelay: number
  readonly maxPending: number
  private warned = false
  written = 0
  dropped = 0
  private overflowWarned = false
  errors = 0

  constructor(private readonly store: Store, private readonly tenant: string, private readonly pipeline: string, private readonly log: Logger, opts: PersistOptions = {}) {
    this.batchSize = opts.batch_size ?? 500
    this.maxDelay = opts.max_delay_ms ?? 50
    this.maxPending = opts.max_pending ?? 5000
  }

  /**
   * Queues a persisted item; false when dropped past the hard bound (2 × max pending: a producer
   * ignored demand). `settled` hears whether the batch holding the item was written.
   */
  offer(item: PipelineItem, settled?: (ok: boolean) => void): boolean {
    if (this.pending >= this.maxPending * 2) { settled?.(false); return this.overflow() }
    const type = item.type
    if (type === 'snapshot') this.snapshots.push(item.data as Snapshot)
    else if (type === 'change.received') this.events.push(item.data as ChangeEvent)
    else if (type.startsWith('drift.')) this.drifts.push(item.data as Drift)
    else if (type === 'remediation.proposed') this.plans.push(item.data as RemediationPlan)
    else { settled?.(true); return true }
    if (settled) this.settles.push(settled)
    if (++this.pending >= this.maxPending) this.onChange?.()
    // A sender waiting for its answer is not kept waiting for the batching delay: a one-at-a-time sender
    // (Falco's http_output) would be held to one request per max_delay_ms. Items that arrive while this
    // write runs still share the next one.
    if (this.pending >= this.batchSize || type === 'snapshot' || settled) this.kick()
    else if (!this.timer && !this.writing) this.timer = setTimeout(() => { this.timer = undefined; this.kick() }, this.maxDelay)
    return true
  }

  private overflow(): false {
    this.dropped++
    if (!this.overflowWarned) {
      this.overflowWarned = true
      this.log.warn({ max_pending: this.maxPending }, 'Too many items waiting for the store (a producer ignored demand); dropping items. Further drops are counted, not logged.')
    }
    return false
  }

  hasRoom(): boolean { return this.pending < this.maxPending }
  onRoom(callback: () => void): void { this.waiters.add(callback) }

  private kick(): void {
    if (this.writing) return
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined
      if (this.pending > 0) this.kick()
    })
  }

  private async writeAll(): Promise<void> {
    while (this.pending > 0) {
      const snapshots = this.snapshots, events = this.events, drifts = this.drifts, plans = this.plans, settles = this.settles
      this.snapshots = []; this.events = []; this.drifts = []; this.plans = []; this.settles = []
      const n = this.pending
      this.pending = 0
      this.onChange?.()
      try {
        for (const s of snapshots) await this.store.saveSnapshot(this.tenant, this.pipeline, s)
        if (events.length) await this.store.saveChangeEvents(this.tenant, events)
        if (drifts.length) await this.store.saveDrifts(this.tenant, drifts)
        if (plans.length) await this.store.saveRemediations(this.tenant, plans)
        this.written += n
        for (const settle of settles) settle(true)
        if (snapshots.length || drifts.length) this.onSaved?.({ snapshots: snapshots.length > 0, drifts: drifts.length > 0 })
      } catch (error) {
        this.errors += n
        for (const settle of settles) settle(false)
        if (!this.warned) {
          this.warned = true
          this.log.error({ err_message: (error as Error)?.message, items: n }, 'Saving pipeline items to the store failed; further failures are counted, not logged.')
        }
      }
      this.waiters.notify()
    }
  }

  /** Writes everything pending now and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    while (this.writing || this.pending > 0) {
      if (!this.writing) this.kick()
      await this.writing
    }
  }
}
