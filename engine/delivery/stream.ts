/**
 * The delivery loop of one (transport node, tenant, topic) stream. It reads the stream from the bus's
 * durable history after the checkpoint — never from memory, so a receiver that is down for an hour costs
 * no memory — routes and batches it, hands batches to the transport, and acts on the answer. The
 * checkpoint advances in offset order, only past envelopes that were delivered or dead-lettered, and is
 * saved durably after each advance: a crash repeats at most the batches that were in flight.
 *
 * Continuity: a checkpoint of another bus epoch (a journal-less bus restarted, Redis lost its data), or
 * a checkpoint older than the oldest envelope history still holds, cannot be resumed exactly. The loop
 * then resumes from the oldest envelope available and publishes `delivery.gap` on the `system` topic
 * (events may be lost), counting the skipped offsets as `lost`.
 */
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Envelope, Topic } from '../envelope.ts'
import type { DeliveringTransportInstance, DeliveryOutcome } from '../plugin-api.ts'
import type { DeliveryCheckpoint, Store } from '../store/store.ts'
import type { DeliveryCounters } from '../metrics.ts'
import { Backoff } from '../client/backoff.ts'
import { sleep, Wakeup, type Pacer } from './timing.ts'

/** What a stream needs from its node's runner. */
export interface StreamEnv {
  bus: Bus
  store: Store
  logger: Logger
  transport: DeliveringTransportInstance
  /** Checkpoint key of the node (`<pipeline>/<node>`). */
  key: string
  pipeline: string
  node: string
  plugin: string
  accepts(env: Envelope): boolean
  pacer: Pacer
  batchSize: number
  concurrency: number
  maxAttempts: number
  backoff: { base_ms: number; cap_ms: number }
  startFrom: 'latest' | 'oldest'
  /** Longest wait a receiver's Retry-After may impose (protects against a receiver asking for days). */
  maxRetryAfterMs: number
}

/** An in-order slice of the stream: done once its envelopes were delivered or dead-lettered. */
interface Range { to: number; done: boolean }

export class DeliveryStream {
  readonly counters: DeliveryCounters
  private epoch = ''
  private checkpoint = 0
  private readOffset = 0
  private lastSeen = 0
  private readonly ranges: Range[] = []
  private inflight = 0
  private backingOff = 0
  private readonly wake = new Wakeup()
  private saving: Promise<void> = Promise.resolve()
  private loop: Promise<void> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly env: StreamEnv,
    readonly tenant: string,
    readonly topic: Topic,
    /** Stops dispatching and waiting (graceful stop begins). */
    private readonly stopping: AbortSignal,
    /** Aborts `deliver()` calls in flight (graceful stop ran out of time). */
    private readonly abort: AbortSignal,
  ) {
    this.counters = { pipeline: env.pipeline, node: env.node, plugin: env.plugin, tenant, topic, delivered: 0, retries: 0, dead_lettered: 0, lost: 0, lag: 0 }
  }

  /** Finds where to resume, then runs the loop in the background. */
  async start(saved: DeliveryCheckpoint | undefined): Promise<void> {
    const position = await this.env.bus.position(this.tenant, this.topic)
    this.epoch = position.epoch
    this.lastSeen = position.last_offset
    if (!saved) {
      // A first run starts now (or at the oldest), and says so durably: a crash before the first delivery
      // must not make the next run skip what was published in between.
      this.checkpoint = this.env.startFrom === 'oldest' ? 0 : position.last_offset
    } else if (saved.epoch !== position.epoch) {
      this.checkpoint = 0
      await this.gap('epoch_changed', saved.offset + 1, undefined, `The bus epoch of ${this.tenant}/${this.topic} changed (${saved.epoch} → ${position.epoch}); resuming from the oldest event the bus holds. Events published after offset ${saved.offset} of the old epoch may be lost.`)
    } else {
      this.checkpoint = saved.offset
    }
    this.readOffset = this.checkpoint
    await this.save()
    const sub = this.env.bus.live(this.tenant, this.topic).subscribe({
      next: (e) => { if (e.offset > this.lastSeen) this.lastSeen = e.offset; this.wake.fire() },
      error: () => this.wake.fire(),
    })
    this.unsubscribe = () => sub.unsubscribe()
    this.loop = this.run().catch((error: unknown) => {
      if (!this.stopping.aborted) this.env.logger.error({ tenant: this.tenant, topic: this.topic, err_message: (error as Error)?.message }, 'The delivery loop stopped on an error; it resumes from its checkpoint when the transport restarts.')
    })
  }

  /** Waits for the loop and every batch to end (the runner aborts them) and for the last checkpoint save. */
  async stopped(): Promise<void> {
    this.unsubscribe?.()
    await this.loop
    await this.drained(neverAborted)
    await this.saving
  }

  lag(): number { return Math.max(0, this.lastSeen - this.checkpoint) }

  /** Resolves once no batch is in flight (or `signal` aborts). */
  private async drained(signal: AbortSignal): Promise<void> {
    while (this.inflight > 0 && !signal.aborted) {
      this.wake.clear()
      if (this.inflight > 0) await this.wake.wait(signal)
    }
  }

  private async run(): Promise<void> {
    const { bus } = this.env
    const readBackoff = new Backoff({ base_ms: this.env.backoff.base_ms, cap_ms: this.env.backoff.cap_ms })
    while (!this.stopping.aborted) {
      if (this.inflight >= this.env.concurrency || this.backingOff > 0) {
        this.wake.clear()
        if (this.inflight >= this.env.concurrency || this.backingOff > 0) await this.wake.wait(this.stopping)
        continue
      }
      this.wake.clear()
      let page: Awaited<ReturnType<Bus['history']>>
      try {
        page = await bus.history(this.tenant, this.topic, this.readOffset, this.env.batchSize)
        readBackoff.reset()
      } catch (error) {
        // The bus is unreachable (Redis down): nothing is lost, the read is retried from the same offset.
        const delay = readBackoff.next()
        this.env.logger.warn({ tenant: this.tenant, topic: this.topic, err_message: (error as Error)?.message, retry_in_ms: delay }, 'Could not read the stream from the bus; retrying.')
        await sleep(delay, this.stopping)
        continue
      }
      if (this.stopping.aborted) return
      if (page.epoch !== this.epoch) {
        await this.epochChanged(page.epoch)
        continue
      }
      if (!page.complete) {
        const first = page.envelopes[0]?.offset ?? page.oldest_offset
        const resumeAfter = Math.max(this.readOffset, (first || page.last_offset + 1) - 1)
        await this.gap('history_gap', this.readOffset + 1, resumeAfter, `History of ${this.tenant}/${this.topic} no longer holds offsets ${this.readOffset + 1}–${resumeAfter} (the receiver was behind longer than the bus keeps events); they were not delivered.`)
        this.counters.lost += resumeAfter - this.readOffset
        this.ranges.push({ to: resumeAfter, done: true })
        this.readOffset = resumeAfter
        this.advance()
      }
      const envelopes = page.envelopes.filter((e) => e.offset > this.readOffset)
      if (envelopes.length === 0) {
        if (page.last_offset > this.lastSeen) this.lastSeen = page.last_offset
        await this.wake.wait(this.stopping)
        continue
      }
      const to = envelopes[envelopes.length - 1]!.offset
      this.readOffset = to
      const routed = envelopes.filter((e) => this.env.accepts(e))
      const range: Range = { to, done: routed.length === 0 }
      this.ranges.push(range)
      if (range.done) { this.advance(); continue }
      this.inflight++
      void this.deliver(range, routed)
        .catch((error: unknown) => this.env.logger.error({ tenant: this.tenant, topic: this.topic, err_message: (error as Error)?.message }, 'A batch could not be finished (the dead letter could not be published); it is offered again after a restart.'))
        .finally(() => { this.inflight--; this.wake.fire() })
    }
  }

  /** Offers `envelopes` until every one is delivered or dead-lettered, or the node stops. */
  private async deliver(range: Range, envelopes: Envelope[]): Promise<void> {
    const { transport, maxAttempts } = this.env
    const backoff = new Backoff({ base_ms: this.env.backoff.base_ms, cap_ms: this.env.backoff.cap_ms })
    let remaining = envelopes
    let attempt = 1
    while (remaining.length > 0) {
      const done = await this.env.pacer.turn(this.stopping)
      if (this.stopping.aborted) { done(); return }
      let outcome: DeliveryOutcome
      try {
        outcome = await transport.deliver({ tenant: this.tenant, topic: this.topic, envelopes: remaining, attempt, signal: this.abort })
      } catch (error) {
        outcome = { outcome: 'back_off', reason: (error as Error)?.message ?? String(error) }
      } finally {
        done()
      }
      // A batch cut short by the stop is offered again next run (the in-flight duplicates the contract allows).
      if (this.abort.aborted) return
      const before = remaining.length
      if (outcome.outcome === 'delivered' || (outcome.outcome === 'back_off' && outcome.up_to !== undefined)) {
        const upTo = outcome.outcome === 'delivered' ? outcome.up_to : outcome.up_to!
        remaining = remaining.filter((e) => e.offset > upTo)
      }
      if (outcome.outcome === 'give_up') {
        const at = remaining.findIndex((e) => e.offset === outcome.offset)
        const poison = at < 0 ? remaining[0]! : remaining[at]!
        const rest = remaining.filter((e) => e.offset > poison.offset)
        this.counters.delivered += remaining.length - rest.length - 1
        await this.deadLetter([poison], attempt, outcome.reason)
        remaining = rest
        attempt = 1
        backoff.reset()
        continue
      }
      this.counters.delivered += before - remaining.length
      if (remaining.length === 0) break
      if (outcome.outcome === 'delivered' && remaining.length < before) { attempt = 1; backoff.reset(); continue }
      const reason = outcome.outcome === 'back_off' ? outcome.reason : `the transport reported no progress (delivered up to ${outcome.up_to}, below offset ${remaining[0]!.offset})`
      if (attempt >= maxAttempts) {
        await this.deadLetter(remaining, attempt, reason)
        remaining = []
        break
      }
      this.counters.retries++
      const hinted = outcome.outcome === 'back_off' ? outcome.retry_after_ms : undefined
      const delay = hinted !== undefined ? Math.min(Math.max(0, hinted), this.env.maxRetryAfterMs) : backoff.next()
      this.env.logger.warn({ tenant: this.tenant, topic: this.topic, attempt, retry_in_ms: delay, reason, first_offset: remaining[0]!.offset }, 'Delivery failed; retrying after a backoff.')
      this.backingOff++
      try { await sleep(delay, this.stopping) } finally { this.backingOff-- }
      if (this.stopping.aborted) return
      attempt++
    }
    range.done = true
    this.advance()
  }

  /** Moves the checkpoint past every leading finished range and saves it (saves run one at a time, in order). */
  private advance(): void {
    let moved = false
    while (this.ranges.length > 0 && this.ranges[0]!.done) {
      this.checkpoint = this.ranges.shift()!.to
      moved = true
    }
    if (moved) void this.save()
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const checkpoint = { node: this.env.key, tenant: this.tenant, topic: this.topic, epoch: this.epoch, offset: this.checkpoint }
      try {
        await this.env.store.saveCheckpoint(checkpoint)
      } catch (error) {
        // Not fatal: the next save carries a later offset; a crash before it repeats a little more.
        this.env.logger.warn({ tenant: this.tenant, topic: this.topic, err_message: (error as Error)?.message }, 'Could not save the delivery checkpoint; events after the last saved one may be delivered again after a restart.')
      }
    })
    return this.saving
  }

  /** Publishes the dead letters durably (the checkpoint passes them only after that). */
  private async deadLetter(envelopes: Envelope[], attempts: number, reason: string): Promise<void> {
    const { bus, node, plugin, pipeline } = this.env
    await bus.publishBatch(envelopes.map((envelope) => ({
      topic: 'system' as const, type: 'delivery.dead_lettered', tenant: this.tenant,
      data: { node, plugin, pipeline, topic: this.topic, offset: envelope.offset, id: envelope.id, type: envelope.type, attempts, reason, envelope },
    })))
    this.counters.dead_lettered += envelopes.length
    this.env.logger.error({ tenant: this.tenant, topic: this.topic, count: envelopes.length, first_offset: envelopes[0]?.offset, attempts, reason }, 'Gave up delivering events; they were published as delivery.dead_lettered on the system topic.')
  }

  /** The bus's epoch changed while running: finish what is in flight, then restart from the oldest of the new epoch. */
  private async epochChanged(epoch: string): Promise<void> {
    await this.drained(this.stopping)
    const old = this.epoch
    this.epoch = epoch
    this.ranges.length = 0
    this.checkpoint = 0
    this.readOffset = 0
    await this.gap('epoch_changed', undefined, undefined, `The bus epoch of ${this.tenant}/${this.topic} changed (${old} → ${epoch}); resuming from the oldest event the bus holds. Events published meanwhile may be lost.`)
    await this.save()
  }

  private async gap(reason: 'epoch_changed' | 'history_gap', from: number | undefined, to: number | undefined, message: string): Promise<void> {
    const { bus, node, plugin, pipeline, logger } = this.env
    logger.warn({ tenant: this.tenant, topic: this.topic, reason, from_offset: from, to_offset: to }, message)
    await bus.publish({ topic: 'system', type: 'delivery.gap', tenant: this.tenant, data: { node, plugin, pipeline, topic: this.topic, reason, ...(from !== undefined ? { from_offset: from } : {}), ...(to !== undefined ? { to_offset: to } : {}), message } })
      .catch((error: unknown) => logger.warn({ err_message: (error as Error)?.message }, 'Could not publish delivery.gap.'))
  }
}

const neverAborted = new AbortController().signal
