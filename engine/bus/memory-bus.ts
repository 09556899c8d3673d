import { Subject, type Observable } from 'rxjs'
import type { Bus, BusHistoryLimits, HistoryPage } from './bus.ts'
import type { Envelope, Publication, Topic } from '../envelope.ts'
import type { Clock } from '../plugin-api.ts'
import { systemClock } from '../clock.ts'
import { fastUlidFactory } from '../ids.ts'
import { TfdriftError } from '../errors.ts'
import { historyPageSize, resolveHistoryLimits } from './limits.ts'
import { validatePublication } from './validate.ts'
import { DEFAULT_JOURNAL_TOPICS, type BusJournal } from './journal.ts'

export interface MemoryBusOptions {
  clock?: Clock
  history?: Partial<BusHistoryLimits>
  /**
   * Durable memory (the SQLite store's `busJournal()`): offsets continue after a restart and the
   * envelopes of `journal_topics` are reloaded into history, so clients recover them from a restarted process.
   */
  journal?: BusJournal
  /** Topics whose envelopes the journal keeps (default `drifts`, `remediations`). */
  journal_topics?: readonly Topic[]
}

/** One (tenant, topic) stream: a ring buffer of its retained envelopes plus its live subject. */
class Stream {
  last = 0
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

  at(offset: number): Envelope {
    return this.ring[(this.start + (offset - this.oldest())) % this.capacity]
  }

  private forget(env: Envelope): void {
    if (this.ids.size > 0 && this.ids.get(env.id) === env) this.ids.delete(env.id)
  }
}

/**
 * The in-process bus. Offsets are per (tenant, topic), starting at 1; history is a ring buffer per
 * stream bounded by `max_events` and `max_age_ms`. Live delivery is synchronous: subscribers of
 * `live()` / `liveAll()` receive an envelope inside `publish()`, before its promise resolves, so a
 * subscriber must not block (transports bound their own buffers). Order is offset order per stream.
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

  private readonly journal: BusJournal | undefined
  private readonly journalTopics: ReadonlySet<Topic>

  constructor(options: MemoryBusOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.limits = resolveHistoryLimits(options.history)
    this.journal = options.journal
    this.journalTopics = new Set(options.journal_topics ?? DEFAULT_JOURNAL_TOPICS)
    if (this.journal) {
      for (const saved of this.journal.load(this.limits.max_events, this.clock.now() - this.limits.max_age_ms)) {
        const stream = this.stream(saved.tenant, saved.topic)
        for (const { envelope, at } of saved.envelopes) {
          stream.last = envelope.offset
          stream.append(envelope, at)
        }
        stream.last = saved.last
      }
    }
  }

  publish<T>(publication: Publication<T>): Promise<Envelope<T>> {
    try {
      return Promise.resolve(this.publishSync(publication))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** `publish` without the promise, for in-process hot paths; throws on invalid input or after close. */
  publishSync<T>(publication: Publication<T>): Envelope<T> {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; publish before shutdown starts.')
    validatePublication(publication)
    const stream = this.stream(publication.tenant, publication.topic)
    const now = this.clock.now()
    stream.trimBefore(now - this.limits.max_age_ms)
    if (publication.id !== undefined) {
      const seen = stream.ids.get(publication.id)
      if (seen) return seen as Envelope<T>
    }
    if (now !== this.isoMs) { this.isoMs = now; this.iso = new Date(now).toISOString() }
    const env: Envelope<T> = {
      id: publication.id ?? this.newId(now),
      offset: ++stream.last,
      topic: publication.topic,
      type: publication.type,
      tenant: publication.tenant,
      time: publication.time ?? this.iso,
      data: publication.data,
    }
    stream.append(env, now)
    if (publication.id !== undefined) stream.ids.set(env.id, env)
    if (this.journal) this.journal.record(env, now, this.journalTopics.has(env.topic))
    if (stream.subject.observed) stream.subject.next(env)
    if (this.all.observed) this.all.next(env)
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
    if (!stream) return Promise.resolve({ envelopes: [], complete: true, oldest_offset: 0, last_offset: 0 })
    stream.trimBefore(this.clock.now() - this.limits.max_age_ms)
    const after = Math.max(0, Math.floor(Number.isFinite(afterOffset) ? afterOffset : 0))
    const oldest = stream.oldest()
    const envelopes: Envelope[] = []
    // Nothing missed (caught up, or ahead of the stream) is complete; otherwise offset after+1 must be retained.
    const complete = after >= stream.last || (oldest !== 0 && oldest <= after + 1)
    if (oldest !== 0) {
      const from = Math.max(after + 1, oldest)
      const to = Math.min(stream.last, from + historyPageSize(limit) - 1)
      for (let offset = from; offset <= to; offset++) envelopes.push(stream.at(offset))
    }
    return Promise.resolve({ envelopes, complete, oldest_offset: oldest, last_offset: stream.last })
  }

  lastOffset(tenant: string, topic: Topic): Promise<number> {
    return Promise.resolve(this.tenants.get(tenant)?.get(topic)?.last ?? 0)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const topics of this.tenants.values()) for (const stream of topics.values()) stream.subject.complete()
    this.all.complete()
  }

  private stream(tenant: string, topic: Topic): Stream {
    let topics = this.tenants.get(tenant)
    if (!topics) { topics = new Map(); this.tenants.set(tenant, topics) }
    let stream = topics.get(topic)
    if (!stream) { stream = new Stream(this.limits.max_events); topics.set(topic, stream) }
    return stream
  }
}
