/**
 * The realtime client: one logical subscription that survives disconnects. It opens WS (or SSE, or
 * WS then SSE), tracks the last offset delivered per topic, and on every reconnect resumes each topic
 * from that offset — so the caller sees each event once, in order, and hears `gap` (with
 * `recovered: false`) when the server's history no longer covered what was missed.
 */
import { TOPICS, type Envelope, type SubscriptionTopic, type Topic } from '../envelope.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import { Emitter } from './emitter.ts'
import { openEventStream } from './sse-transport.ts'
import { loadWebSocket, openWebSocket, type WebSocketConstructor } from './ws-transport.ts'
import type { Filter, ServerError, SubscribedInfo, Transport, TransportHandlers, TransportKind, WelcomeMessage } from './types.ts'

export interface ConnectOptions {
  /** Server base URL: `http(s)://host:port` (or `ws(s)://`). */
  url: string
  /** Bearer token (sent as `?token=` on WS, `Authorization` on SSE). */
  token?: string
  /** Topics to follow; `all` expands to every topic. Default `['all']`. */
  topics?: SubscriptionTopic[]
  filter?: Filter
  /** `auto` (default): WS first, SSE when WS cannot connect. */
  transport?: TransportKind | 'auto'
  /** Resume after this offset: one number for every topic, or per topic. Default: live only. */
  since?: number | Partial<Record<Topic, number>>
  /** The epoch of `since` (from `lastEpochs` of an earlier client): one for every topic, or per topic. */
  epoch?: string | Partial<Record<Topic, string>>
  /** Reconnect after a drop (default true). */
  reconnect?: boolean
  /** Backoff between reconnects (default 1 s doubling to a 30 s cap, full jitter). */
  backoff?: BackoffOptions
  /** A connection up this long resets the backoff (default 10 s). */
  stable_ms?: number
  /** Bound of each `events()` iterator's queue; a full queue pauses the connection (default 10000). */
  max_queue?: number
  /** Overrides (tests, custom environments). */
  WebSocket?: WebSocketConstructor
  fetch?: typeof fetch
}

export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'paused' | 'closed'

/** Events a client emits. */
export interface ClientEvents {
  [key: string]: unknown
  /** A transport connected (before subscriptions are confirmed). */
  open: { transport: TransportKind; client_id?: string }
  welcome: WelcomeMessage
  /** A topic's replay started; `recovered: false` means events were lost (see `gap`). */
  subscribed: SubscribedInfo & { transport: TransportKind }
  event: Envelope
  /** Events between `since` and `oldest_offset` of `topic` could not be recovered. */
  gap: { topic: Topic; since: number; oldest_offset: number; recovered: false }
  /** `fatal` errors stop the client (bad token, unknown topic, invalid filter). */
  error: ServerError & { fatal: boolean }
  close: { transport: TransportKind; code?: number; reason: string; reconnect_in_ms?: number }
  reconnecting: { attempt: number; delay_ms: number }
  state: ClientState
}

/** Server error codes that retrying cannot fix. */
const FATAL_CODES = new Set(['unauthorized', 'invalid_token', 'token_expired', 'forbidden', 'no_tenant', 'origin_not_allowed', 'unknown_topic', 'invalid_filter', 'TFD_ERR_SCOPE_MISSING'])

/** A live, self-healing subscription to a tfdrift server. */
export class TfdriftClient extends Emitter<ClientEvents> {
  state: ClientState = 'connecting'
  /** The transport in use (or last used). */
  transport?: TransportKind
  private readonly topics: Topic[]
  private readonly offsets = new Map<Topic, number>()
  /** The epoch each offset belongs to (from `subscribed`). */
  private readonly epochs = new Map<Topic, string>()
  /** Topics whose next `subscribed` must report `recovered: false` (the client dropped its offset). */
  private readonly forcedGaps = new Map<Topic, number>()
  private readonly backoff: Backoff
  private current?: Transport
  private timer?: ReturnType<typeof setTimeout>
  private openedAt = 0
  private preferred: TransportKind
  private readonly iterators = new Set<Queue>()
  private readonly subscribedOnce = new Set<Topic>()
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = []
  private fatal?: ServerError

  constructor(private readonly options: ConnectOptions) {
    super()
    const requested = options.topics?.length ? options.topics : (['all'] as SubscriptionTopic[])
    this.topics = requested.includes('all') ? [...TOPICS] : [...new Set(requested as Topic[])]
    const since = options.since
    for (const topic of this.topics) {
      const offset = typeof since === 'number' ? since : since?.[topic]
      if (offset !== undefined) this.offsets.set(topic, offset)
      const epoch = typeof options.epoch === 'string' ? options.epoch : options.epoch?.[topic]
      if (epoch !== undefined) this.epochs.set(topic, epoch)
    }
    this.backoff = new Backoff(options.backoff)
    this.preferred = options.transport === 'sse' ? 'sse' : 'ws'
  }

  /** Last offset delivered per topic (what a later `connect({ since })` can resume from). */
  get lastOffsets(): Partial<Record<Topic, number>> {
    return Object.fromEntries(this.offsets) as Partial<Record<Topic, number>>
  }

  /** The epoch of each of `lastOffsets` (pass as `connect({ since, epoch })`). */
  get lastEpochs(): Partial<Record<Topic, string>> {
    return Object.fromEntries(this.epochs) as Partial<Record<Topic, string>>
  }

  /** Resolves once every topic has been subscribed at least once; rejects on a fatal error or close. */
  ready(): Promise<void> {
    if (this.subscribedOnce.size === this.topics.length) return Promise.resolve()
    if (this.fatal) return Promise.reject(toError(this.fatal))
    if (this.state === 'closed') return Promise.reject(new Error('The client is closed.'))
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }))
  }

  /** Envelopes as an async iterator with a bounded queue; ends when the client closes. */
  events(): AsyncIterableIterator<Envelope> {
    const queue = new Queue(this.options.max_queue ?? 10_000, () => this.maybeResume())
    this.iterators.add(queue)
    queue.onReturn = () => this.iterators.delete(queue)
    if (this.state === 'closed') queue.end(this.fatal ? toError(this.fatal) : undefined)
    return queue
  }

  /** Stops for good: closes the connection, cancels reconnects, ends iterators. */
  close(): void {
    if (this.state === 'closed') return
    clearTimeout(this.timer)
    this.setState('closed')
    const t = this.current
    this.current = undefined
    t?.close()
    this.finish()
  }

  /** Starts connecting (called by `connect`). */
  start(): void {
    void this.attempt()
  }

  private setState(state: ClientState): void {
    if (this.state === state) return
    this.state = state
    this.emit('state', state)
  }

  private async attempt(fallbackTried = false): Promise<void> {
    if (this.state === 'closed' || this.state === 'paused') return
    const kind: TransportKind = fallbackTried ? other(this.preferred) : this.preferred
    const since = new Map(this.offsets)
    const request = { base: this.options.url, token: this.options.token, topics: this.topics, filter: this.options.filter, since, epochs: new Map(this.epochs) }
    let transport: Transport
    try {
      transport = kind === 'ws'
        ? openWebSocket(this.options.WebSocket ?? (await loadWebSocket()), request, this.handlers(kind, fallbackTried))
        : openEventStream(this.options.fetch ?? globalThis.fetch.bind(globalThis), request, this.handlers(kind, fallbackTried))
    } catch (err) {
      return this.handlers(kind, fallbackTried).closed({ opened: false, reason: 'could not start', error: { code: 'transport_unavailable', message: (err as Error).message } })
    }
    // The client may have been closed or paused while the `ws` module loaded.
    if ((this.state as ClientState) === 'closed' || (this.state as ClientState) === 'paused') return transport.close()
    this.current = transport
    this.transport = kind
  }

  private handlers(kind: TransportKind, fallbackTried: boolean): TransportHandlers {
    let mine = true
    const active = () => mine && this.state !== 'closed'
    return {
      opened: ({ welcome }) => {
        if (!active()) return
        this.openedAt = Date.now()
        this.preferred = kind
        this.setState('open')
        this.emit('open', { transport: kind, ...(welcome ? { client_id: welcome.client_id } : {}) })
        if (welcome) this.emit('welcome', welcome)
      },
      subscribed: (info) => {
        if (!active()) return
        const forced = this.forcedGaps.get(info.topic)
        this.forcedGaps.delete(info.topic)
        const recovered = info.recovered && forced === undefined
        const known = this.epochs.get(info.topic)
        // Another epoch: the offsets held belong to data the server no longer has; the replay restarts.
        const newEpoch = info.epoch !== undefined && known !== undefined && info.epoch !== known
        if (info.epoch !== undefined) this.epochs.set(info.topic, info.epoch)
        const previous = this.offsets.get(info.topic)
        // A topic followed live from here on: later reconnects resume from this point.
        if (previous === undefined || forced !== undefined || newEpoch) this.offsets.set(info.topic, info.since)
        this.emit('subscribed', { ...info, recovered, transport: kind })
        if (!recovered) this.emit('gap', { topic: info.topic, since: forced ?? (newEpoch ? previous! : info.since), oldest_offset: info.oldest_offset, recovered: false })
        this.subscribedOnce.add(info.topic)
        if (this.subscribedOnce.size === this.topics.length) {
          const waiters = this.readyWaiters
          this.readyWaiters = []
          for (const w of waiters) w.resolve()
        }
      },
      event: (envelope) => {
        if (active()) this.deliver(envelope)
      },
      error: (error) => {
        if (!active()) return
        if ((error.code === 'since_in_future' || error.code === 'invalid_since') && error.topic && this.current?.resubscribe) {
          // The server's offsets restarted (memory bus restarted); follow live and say events may be lost.
          this.forcedGaps.set(error.topic, this.offsets.get(error.topic) ?? 0)
          this.offsets.delete(error.topic)
          this.epochs.delete(error.topic)
          this.current.resubscribe(error.topic, undefined)
          return
        }
        const fatal = FATAL_CODES.has(error.code)
        this.emit('error', { ...error, fatal })
        if (fatal) this.fail(error)
      },
      closed: (info) => {
        if (!mine) return
        mine = false
        if (this.current && this.current.kind === kind) this.current = undefined
        if (this.state === 'closed' || this.state === 'paused') return
        const error = info.error
        if (error && (error.code === 'since_in_future' || error.code === 'invalid_since')) {
          for (const [topic, offset] of this.offsets) this.forcedGaps.set(topic, offset)
          this.offsets.clear()
          this.epochs.clear()
          this.emit('close', { transport: kind, code: info.code, reason: `${info.reason}: ${error.message}`, reconnect_in_ms: 0 })
          return void this.attempt(fallbackTried)
        }
        if (error && (FATAL_CODES.has(error.code) || error.status === 401 || error.status === 403)) {
          this.emit('close', { transport: kind, code: info.code, reason: info.reason })
          this.emit('error', { ...error, fatal: true })
          return this.fail(error)
        }
        if (!info.opened && this.options.transport !== 'ws' && this.options.transport !== 'sse' && !fallbackTried) {
          // auto: the preferred transport could not connect; try the other one right away.
          this.emit('close', { transport: kind, code: info.code, reason: info.reason, reconnect_in_ms: 0 })
          return void this.attempt(true)
        }
        if (info.opened && Date.now() - this.openedAt >= (this.options.stable_ms ?? 10_000)) this.backoff.reset()
        if (this.options.reconnect === false) {
          this.emit('close', { transport: kind, code: info.code, reason: info.reason })
          return this.close()
        }
        const delay = this.backoff.next()
        this.emit('close', { transport: kind, code: info.code, reason: info.reason, reconnect_in_ms: delay })
        this.setState('reconnecting')
        this.emit('reconnecting', { attempt: this.backoff.attempts, delay_ms: delay })
        this.timer = setTimeout(() => void this.attempt(), delay)
      },
    }
  }

  /** Delivers one envelope: drops duplicates, advances the topic offset, feeds listeners and iterators. */
  private deliver(envelope: Envelope): void {
    const last = this.offsets.get(envelope.topic)
    if (last !== undefined && envelope.offset <= last) return
    for (const q of this.iterators) {
      if (q.full()) return this.pause()
    }
    this.offsets.set(envelope.topic, envelope.offset)
    this.emit('event', envelope)
    for (const q of this.iterators) q.push(envelope)
  }

  /** An iterator's consumer fell behind: disconnect (the server keeps history) until it drains. */
  private pause(): void {
    if (this.state === 'paused') return
    this.setState('paused')
    const t = this.current
    this.current = undefined
    t?.close()
  }

  private maybeResume(): void {
    if (this.state !== 'paused') return
    for (const q of this.iterators) if (q.size > q.capacity / 2) return
    this.setState('connecting')
    void this.attempt()
  }

  private fail(error: ServerError): void {
    this.fatal = error
    const waiters = this.readyWaiters
    this.readyWaiters = []
    for (const w of waiters) w.reject(toError(error))
    this.close()
  }

  private finish(): void {
    const waiters = this.readyWaiters
    this.readyWaiters = []
    for (const w of waiters) w.reject(this.fatal ? toError(this.fatal) : new Error('The client was closed.'))
    for (const q of this.iterators) q.end(this.fatal ? toError(this.fatal) : undefined)
    this.iterators.clear()
  }
}

function other(kind: TransportKind): TransportKind {
  return kind === 'ws' ? 'sse' : 'ws'
}

function toError(error: ServerError): Error {
  return Object.assign(new Error(`${error.code}: ${error.message}`), { code: error.code, status: error.status })
}

/** A bounded async-iterator queue. */
class Queue implements AsyncIterableIterator<Envelope> {
  private items: Envelope[] = []
  private head = 0
  private waiting?: { resolve: (r: IteratorResult<Envelope>) => void; reject: (e: Error) => void }
  private ended = false
  private error?: Error
  onReturn?: () => void

  constructor(readonly capacity: number, private readonly drained: () => void) {}

  get size(): number {
    return this.items.length - this.head
  }

  full(): boolean {
    return this.size >= this.capacity
  }

  push(envelope: Envelope): void {
    if (this.ended) return
    if (this.waiting) {
      const w = this.waiting
      this.waiting = undefined
      return w.resolve({ value: envelope, done: false })
    }
    this.items.push(envelope)
  }

  end(error?: Error): void {
    this.ended = true
    this.error = error
    if (this.waiting && this.size === 0) {
      const w = this.waiting
      this.waiting = undefined
      if (error) w.reject(error)
      else w.resolve({ value: undefined, done: true })
    }
  }

  next(): Promise<IteratorResult<Envelope>> {
    if (this.size > 0) {
      const value = this.items[this.head++]!
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }
      if (this.size <= this.capacity / 2) this.drained()
      return Promise.resolve({ value, done: false })
    }
    if (this.ended) return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true })
    this.drained()
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject } })
  }

  return(): Promise<IteratorResult<Envelope>> {
    this.ended = true
    this.items = []
    this.head = 0
    this.onReturn?.()
    this.drained()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Envelope> {
    return this
  }
}
