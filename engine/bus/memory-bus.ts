import { Subject, type Observable } from 'rxjs'
import type { Bus, BusHistoryLimits, HistoryPage, StreamPosition } from './bus.ts'
import type { Envelope, Publication, Topic } from '../envelope.ts'
import type { Clock } from '../plugin-api.ts'
import { systemClock } from '../clock.ts'
import { fastUlidFactory, newEpoch } from '../ids.ts'
import { TfdriftError } from '../errors.ts'
import { historyPageSize, resolveHistoryLimits } from './limits.ts'
import { validatePublication } from './validate.ts'
import { DEFAULT_JOURNAL_TOPICS, type BusJournal } from './journal.ts'
import { envelopeJson, type EnvelopeJson } from './serialise.ts'

/** A publication checked and, for the journal, serialised: what `append` needs besides its offset. */
interface Prepared { id: string; time: string; now: number; json: EnvelopeJson | undefined }

export interface MemoryBusOptions {
  clock?: Clock
  history?: Partial<BusHistoryLimits>
  /**
   * Durable memory (the SQLite store's `busJournal()`): publishes are acknowledged and delivered only
   * once committed, offsets and the epoch continue after a restart (also after `kill -9`), and the
   * envelopes of `journal_topics` are reloaded into history, so clients recover them from a restarted process.
   */
  journal?: BusJournal
  /** Topics whose envelopes the journal keeps (default: every topic). Others keep only their offsets. */
  journal_topics?: readonly Topic[]
  /** Uncommitted envelopes that make the journal commit at once instead of at the end of the event-loop turn. */
  max_commit_batch?: number
}

/** One (tenant, topic) stream: a ring buffer of its retained envelopes plus its live subject. */
class Stream {
  /** Last offset assigned. */
  last = 0
  /** Last offset committed to the journal: what history and live delivery may show (equals `last` without a journal). */
  durable = 0
  /** Ring storage; grows up to `capacity`, then wraps. */
  readonly ring: Envelope[] = []
  /** Receive time (bus clock, ms) of each ring slot, for age trimming. */
  readonly times: number[] = []
  start = 0
  size = 0
  readonly subject = new Subject<Envelope>()
  readonly observable: Observable<Envelope> = this.subject.asObservable()
  /** Caller-chosen ids still retained, for idempotent publish; empty unless callers pass ids. */
  readonly ids = new Map<string, Envelope>()
  constructor(readonly capacity: number) {}

  /** Offset of the oldest retained envelope (0 when none). */
  oldest(): number { return this.size === 0 ? 0 : this.last - this.size + 1 }

  append(env: Envelope, at: number): void {
    if (this.size < this.capacity) {
      const slot = (this.start + this.size) % this.capacity
      if (slot === this.ring.length) { this.ring.push(env); this.times.push(at) } else { this.ring[slot] = env; this.times[slot] = at }
      this.size++
      return
    }
    this.forget(this.ring[this.start])
    this.ring[this.start] = env
    this.times[this.start] = at
    this.start = (this.start + 1) % this.capacity
  }

  /** Drops envelopes received before `cutoff` (ms). */
  trimBefore(cutoff: number): void {
    while (this.size > 0 && this.times[this.start] < cutoff) {
      this.forget(this.ring[this.start])
      this.ring[this.start] = undefined as unknown as Envelope // let the GC take it
      this.start = (this.start + 1) % this.capacity
      this.size--
    }
  }

  /** Takes back the `n` newest envelopes (a journal commit failed before anyone saw them). */
  dropNewest(n: number): void {
    for (let i = 0; i < n && this.size > 0; i++) {
      const slot = (this.start + this.size - 1) % this.capacity
      this.forget(this.ring[slot])
      this.ring[slot] = undefined as unknown as Envelope
      this.size--
    }
  }

  at(offset: number): Envelope {
    return this.ring[(this.start + (offset - this.oldest())) % this.capacity]
  }

  private forget(env: Envelope): void {
    if (this.ids.size > 0 && this.ids.get(env.id) === env) this.ids.delete(env.id)
  }
}

/**
 * The in-process bus. Offsets are per (tenant, topic), starting at 1; history is a ring buffer per
 * stream bounded by `max_events` and `max_age_ms`.
 *
 * Without a journal, live delivery is synchronous: subscribers receive an envelope inside `publish()`,
 * and the epoch is new for every process, since nothing survives it. With a journal, envelopes are
 * recorded as they get offsets and committed once per event-loop turn (group commit); only then are
 * publishes resolved and envelopes delivered live and shown in history — so whatever a client or a
 * publisher saw survives `kill -9`, and offsets are never handed out twice. Either way a subscriber
 * must not block (transports bound their own buffers), and order is offset order per stream.
 */
export class MemoryBus implements Bus {
  readonly limits: BusHistoryLimits
  private readonly clock: Clock
  private readonly tenants = new Map<string, Map<Topic, Stream>>()
  private readonly all = new Subject<Envelope>()
  private readonly allObservable = this.all.asObservable()
  private closed = false
  private readonly newId = fastUlidFactory()
  // The ISO string of the last millisecond seen: publishing 1M/s would otherwise format a Date per event.
  private isoMs = -1
  private iso = ''
  private readonly epoch: string

  private readonly journal: BusJournal | undefined
  private readonly journalTopics: ReadonlySet<Topic>
  private readonly maxCommitBatch: number
  /** Recorded, not yet committed, in publish order. */
  private uncommitted: Envelope[] = []
  private commitScheduled = false
  /** Set while `publishBatch` appends: its envelopes commit together. */
  private batching = false
  /** Settles when the current group commits; created only when a caller waits for it. */
  private group: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined

  constructor(options: MemoryBusOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.limits = resolveHistoryLimits(options.history)
    this.journal = options.journal
    this.journalTopics = new Set(options.journal_topics ?? DEFAULT_JOURNAL_TOPICS)
    this.maxCommitBatch = Math.max(1, options.max_commit_batch ?? 16_384)
    if (!this.journal) {
      this.epoch = newEpoch()
      return
    }
    const contents = this.journal.load(this.limits.max_events, this.clock.now() - this.limits.max_age_ms)
    this.epoch = contents.epoch
    for (const saved of contents.streams) {
      const stream = this.stream(saved.tenant, saved.topic)
      for (const { envelope, at } of saved.envelopes) {
        stream.last = envelope.offset
        stream.append(envelope, at)
      }
      stream.last = stream.durable = saved.last
    }
  }

  publish<T>(publication: Publication<T>): Promise<Envelope<T>> {
    let env: Envelope<T>
    try {
      env = this.publishSync(publication)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.journal ? this.committed().then(() => env) : Promise.resolve(env)
  }

  async publishBatch(publications: readonly Publication[]): Promise<Envelope[]> {
    // Everything that can reject a publication runs before the first one takes an offset.
    const ready = publications.map((p) => this.prepare(p))
    // One batch, one transaction: a size-triggered commit inside it could make half of it durable.
    this.batching = true
    let envelopes: Envelope[]
    try {
      envelopes = publications.map((p, i) => this.append(p, ready[i]))
    } finally {
      this.batching = false
    }
    if (!this.journal) return envelopes
    const done = this.committed()
    if (this.uncommitted.length >= this.maxCommitBatch) this.commit()
    await done
    return envelopes
  }

  /**
   * `publish` without the promise, for in-process hot paths; throws on invalid input or after close.
   * With a journal the envelope is not yet durable nor delivered when this returns.
   */
  publishSync<T>(publication: Publication<T>): Envelope<T> {
    return this.append(publication, this.prepare(publication))
  }

  /** Checks a publication and, when the journal keeps its topic, serialises it; throws before any offset is taken. */
  private prepare(publication: Publication<unknown>): Prepared {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; publish before shutdown starts.')
    validatePublication(publication)
    const now = this.clock.now()
    if (now !== this.isoMs) { this.isoMs = now; this.iso = new Date(now).toISOString() }
    const id = publication.id ?? this.newId(now)
    const time = publication.time ?? this.iso
    const json = this.journal && this.journalTopics.has(publication.topic)
      ? envelopeJson(id, publication.topic, publication.type, publication.tenant, time, publication.data)
      : undefined
    return { id, time, now, json }
  }

  private append<T>(publication: Publication<T>, { id, time, now, json }: Prepared): Envelope<T> {
    const stream = this.stream(publication.tenant, publication.topic)
    stream.trimBefore(now - this.limits.max_age_ms)
    if (publication.id !== undefined) {
      const seen = stream.ids.get(publication.id)
      if (seen) return seen as Envelope<T>
    }
    const env: Envelope<T> = { id, offset: ++stream.last, topic: publication.topic, type: publication.type, tenant: publication.tenant, time, data: publication.data }
    stream.append(env, now)
    if (publication.id !== undefined) stream.ids.set(env.id, env)
    if (!this.journal) {
      stream.durable = env.offset
      this.deliver(stream, env)
      return env
    }
    this.journal.record(env, now, json && json.head + env.offset + json.tail)
    this.uncommitted.push(env)
    if (this.uncommitted.length >= this.maxCommitBatch && !this.batching) this.commit()
    else if (!this.commitScheduled) { this.commitScheduled = true; setImmediate(() => this.commit()) }
    return env
  }

  live(tenant: string, topic: Topic): Observable<Envelope> {
    return this.stream(tenant, topic).observable
  }

  liveAll(): Observable<Envelope> {
    return this.allObservable
  }

  history(tenant: string, topic: Topic, afterOffset: number, limit?: number): Promise<HistoryPage> {
    const stream = this.tenants.get(tenant)?.get(topic)
    if (!stream) return Promise.resolve({ envelopes: [], complete: true, oldest_offset: 0, last_offset: 0, epoch: this.epoch })
    stream.trimBefore(this.clock.now() - this.limits.max_age_ms)
    const after = Math.max(0, Math.floor(Number.isFinite(afterOffset) ? afterOffset : 0))
    const head = stream.durable
    const retained = stream.oldest()
    const oldest = retained !== 0 && retained <= head ? retained : 0
    const envelopes: Envelope[] = []
    // Nothing missed (caught up, or ahead of the stream) is complete; otherwise offset after+1 must be retained.
    const complete = after >= head || (oldest !== 0 && oldest <= after + 1)
    if (oldest !== 0) {
      const from = Math.max(after + 1, oldest)
      const to = Math.min(head, from + historyPageSize(limit) - 1)
      for (let offset = from; offset <= to; offset++) envelopes.push(stream.at(offset))
    }
    return Promise.resolve({ envelopes, complete, oldest_offset: oldest, last_offset: head, epoch: this.epoch })
  }

  lastOffset(tenant: string, topic: Topic): Promise<number> {
    return Promise.resolve(this.tenants.get(tenant)?.get(topic)?.durable ?? 0)
  }

  position(tenant: string, topic: Topic): Promise<StreamPosition> {
    return Promise.resolve({ last_offset: this.tenants.get(tenant)?.get(topic)?.durable ?? 0, epoch: this.epoch })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.commit()
    for (const topics of this.tenants.values()) for (const stream of topics.values()) stream.subject.complete()
    this.all.complete()
  }

  /** Resolves when what was recorded so far is committed (rejects when that commit failed). */
  private committed(): Promise<void> {
    if (!this.group) {
      let resolve!: () => void
      let reject!: (error: unknown) => void
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
      this.group = { promise, resolve, reject }
    }
    return this.group.promise
  }

  /** Commits the recorded envelopes, then delivers them; on failure takes their offsets back and rejects their publishes. */
  private commit(): void {
    this.commitScheduled = false
    const batch = this.uncommitted
    const group = this.group
    this.uncommitted = []
    this.group = undefined
    if (batch.length === 0) return group?.resolve()
    try {
      this.journal!.commit()
    } catch (error) {
      // Nobody saw these envelopes: taking their offsets back reuses nothing.
      for (const env of batch) {
        const stream = this.stream(env.tenant, env.topic)
        if (stream.last > stream.durable) { stream.dropNewest(stream.last - stream.durable); stream.last = stream.durable }
      }
      const cause = error as Error
      group?.reject(new TfdriftError('TFD_ERR_BUS_JOURNAL', `The bus could not make ${batch.length} published event(s) durable: ${cause.message}`, { cause }))
      return
    }
    for (const env of batch) {
      const stream = this.stream(env.tenant, env.topic)
      stream.durable = env.offset
      this.deliver(stream, env)
    }
    group?.resolve()
  }

  private deliver(stream: Stream, env: Envelope): void {
    if (stream.subject.observed) stream.subject.next(env)
    if (this.all.observed) this.all.next(env)
  }

  private stream(tenant: string, topic: Topic): Stream {
    let topics = this.tenants.get(tenant)
    if (!topics) { topics = new Map(); this.tenants.set(tenant, topics) }
    let stream = topics.get(topic)
    if (!stream) { stream = new Stream(this.limits.max_events); topics.set(topic, stream) }
    return stream
  }
}
