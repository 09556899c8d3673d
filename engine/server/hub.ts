/**
 * The fan-out hub between the bus and client connections (WS and SSE alike).
 *
 * One bus subscription per live (tenant, topic) stream, shared by every connection. Each envelope is
 * serialised once (lazily, per wire format) and handed to each filter group of the stream: WS members of
 * a group share one uWS pub/sub topic (`channel`), so uWS copies the same bytes to every socket in C++;
 * SSE members are written individually (HTTP responses have no pub/sub).
 *
 * Recovery without gap or duplicate: a subscription starts "catching up". It first joins the stream's
 * catch-up set (so every live envelope from now on is collected in its `pending` list), then reads
 * history after `since` page by page, writing as the socket drains, then writes the pending envelopes
 * it has not sent yet (deduplicated by offset) and joins its group — the last two steps run in one
 * synchronous block, so no envelope can slip between them. `pending` is byte-bounded: when it
 * overflows it is dropped and history is read again (history covers what was dropped), so a slow
 * catch-up costs bounded memory.
 *
 * Epochs: a client resumes with the offset and the epoch it last saw. When the stream's epoch differs,
 * its offsets mean nothing here, so the replay starts at the stream's beginning and says
 * `recovered: false`. When live delivery loses continuity (the bus's live stream errors: Redis lost its
 * data), every subscription of the stream is reset — its connection is told to resubscribe — rather
 * than going on with offsets that skip or repeat.
 *
 * With a remote bus (Redis), history can run ahead of live delivery: an envelope already read from the
 * stream may still be in flight on pub/sub. Joining the shared channel then would deliver it twice, so a
 * subscription whose history is ahead of the stream's live head "tails" instead: live envelopes up to
 * what it already sent are skipped, the first newer one is written directly, and only then does it join.
 */
import type { Subscription as RxSubscription } from 'rxjs'
import type { Bus } from '../bus/bus.ts'
import type { Envelope, Topic } from '../envelope.ts'
import { filterKey, matches, type Filter } from './filter.ts'
import type { SubscribedInfo } from '../realtime-protocol.ts'

/** The wire forms of one envelope, each built at most once however many connections receive it. */
export class Frames {
  private json?: string
  private wsFrame?: string
  private sseFrame?: string
  private sseOne?: string
  private sseOneEpoch?: string
  constructor(readonly env: Envelope) {}
  private body(): string {
    return (this.json ??= JSON.stringify(this.env))
  }
  /** `{"type":"event","event":<envelope>}` */
  ws(): string {
    return (this.wsFrame ??= `{"type":"event","event":${this.body()}}`)
  }
  /** `event:`/`data:` block; the SSE connection puts the `id:` line (it may be a multi-topic cursor) before it. */
  sseData(): string {
    return (this.sseFrame ??= `event: ${this.env.type.replace(/[\r\n]/g, ' ')}\ndata: ${this.body()}\n\n`)
  }
  /** The whole message for a one-topic SSE stream, `id: offset@epoch` included: built once, not per connection. */
  sseWithId(epoch: string | undefined): string {
    if (this.sseOne === undefined || this.sseOneEpoch !== epoch) {
      this.sseOneEpoch = epoch
      this.sseOne = `id: ${epoch ? `${this.env.offset}@${epoch}` : this.env.offset}\n${this.sseData()}`
    }
    return this.sseOne
  }
  /** Approximate size used for pending-buffer accounting. */
  size(): number {
    return this.body().length + 32
  }
}

/** One client connection as the hub sees it. */
export interface Sink {
  readonly kind: 'ws' | 'sse'
  readonly closed: boolean
  /** Writes one event straight to this connection (catch-up, and SSE live delivery). */
  write(frames: Frames): void
  /** Bytes queued for this connection that the kernel has not accepted yet. */
  buffered(): number
  /** Resolves once buffered() is under half the limit, or the connection closed. */
  writable(): Promise<void>
  /** Ends the connection because a stream it follows lost continuity; the client resubscribes with its epoch and offset. */
  reset(reason: string): void
  /** WS only: join / leave a uWS pub/sub topic. */
  join?(channel: string): void
  leave?(channel: string): void
}

export type { SubscribedInfo }

/** One (connection, tenant, topic, filter) subscription. */
export class Sub {
  state: 'catching_up' | 'tailing' | 'live' | 'closed' = 'catching_up'
  /** While tailing: the highest offset already written; live envelopes up to it are skipped. */
  tail = 0
  pending: Frames[] = []
  pendingBytes = 0
  /** Bumped when `pending` overflowed and was dropped. */
  epoch = 0
  /** Highest offset written to the sink (catch-up) or 0 once live. */
  lastSent = 0
  readonly key: string
  readonly channel: string
  constructor(readonly sink: Sink, readonly tenant: string, readonly topic: Topic, readonly filter: Filter | undefined) {
    this.key = filterKey(filter)
    this.channel = JSON.stringify([tenant, topic, this.key])
  }
}

interface Group {
  filter: Filter | undefined
  channel: string
  ws: Set<Sub>
  sse: Set<Sub>
}

interface Stream {
  tenant: string
  topic: Topic
  rx?: RxSubscription
  groups: Map<string, Group>
  /** Highest offset delivered live on this stream so far. */
  liveHead: number
  catching: Set<Sub>
}

export interface HubOptions {
  bus: Bus
  /** uWS `app.publish`: copies the frame to every socket of the channel; returns how many received it. */
  publish(channel: string, frame: string): number
  maxBufferBytes: number
  historyPageSize: number
  /** WS pub/sub deliveries of one envelope (SSE and catch-up writes are counted by their connections). */
  onDeliver?(count: number, bytes: number): void
  onError?(err: unknown, where: string): void
}

export class SinceInFutureError extends Error {
  constructor(readonly since: number, readonly last: number) {
    super(`since ${since} is past the last offset ${last} of this topic; resume from an offset you received.`)
  }
}

export class Hub {
  private readonly streams = new Map<string, Stream>()
  constructor(private readonly opts: HubOptions) {}

  /** Live (tenant, topic) streams with at least one subscriber or catch-up. */
  get streamCount(): number {
    return this.streams.size
  }

  /** Live streams of one tenant (what that tenant may see of the figure above). */
  streamCountOf(tenant: string): number {
    let n = 0
    for (const stream of this.streams.values()) if (stream.tenant === tenant) n++
    return n
  }

  /**
   * Starts `sub`: replays history after `since` (live only from the current head when omitted), then
   * switches it to live delivery. `onSubscribed` runs before the first replayed event is written.
   * `epoch` is the epoch `since` belongs to, when the client knows it: another epoch replays from the
   * stream's beginning with `recovered: false`. Rejects with SinceInFutureError when `since` is past
   * the stream's last offset in the same epoch (or one not given).
   */
  async start(sub: Sub, since: number | undefined, onSubscribed: (info: SubscribedInfo) => void, epoch?: string): Promise<void> {
    const stream = this.ensure(sub.tenant, sub.topic)
    stream.catching.add(sub)
    try {
      await this.catchUp(stream, sub, since, epoch, onSubscribed)
    } catch (err) {
      this.stop(sub)
      throw err
    }
  }

  private async catchUp(stream: Stream, sub: Sub, requested: number | undefined, epoch: string | undefined, onSubscribed: (info: SubscribedInfo) => void): Promise<void> {
    const { bus, historyPageSize, maxBufferBytes } = this.opts
    const gone = () => sub.state === 'closed' || sub.sink.closed
    const position = await bus.position(sub.tenant, sub.topic)
    if (gone()) return
    const last = position.last_offset
    const epochChanged = epoch !== undefined && epoch !== position.epoch
    const since = epochChanged ? 0 : requested
    if (since !== undefined && since > last) throw new SinceInFutureError(since, last)
    let after = since ?? last
    let first = true
    let gapRetries = 0
    for (;;) {
      const epoch = sub.epoch
      const page = await bus.history(sub.tenant, sub.topic, after, historyPageSize)
      if (gone()) return
      if (first) {
        first = false
        onSubscribed({ topic: sub.topic, since: since ?? last, recovered: page.complete && !epochChanged, epoch: page.epoch, oldest_offset: page.oldest_offset, last_offset: page.last_offset, ...(sub.filter ? { filter: sub.filter } : {}) })
      }
      for (const env of page.envelopes) {
        if (env.offset <= after) continue
        after = env.offset
        if (!matches(sub.filter, env)) continue
        sub.sink.write(new Frames(env))
        if (sub.sink.buffered() > maxBufferBytes / 2) {
          await sub.sink.writable()
          if (gone()) return
        }
      }
      // More history than one page held (judged by the stream's head, not the page length: a bus may cap pages).
      if (after < page.last_offset && page.envelopes.length > 0) continue
      if (sub.epoch !== epoch) continue // pending overflowed during the read: what it dropped is in history now
      const head = sub.pending.find((f) => f.env.offset > after)
      if (head && head.env.offset > after + 1 && ++gapRetries <= 5) continue // live ran ahead of history (remote bus): read again
      // From here to the end: synchronous, so no envelope can arrive between draining and joining.
      for (const f of sub.pending) {
        if (f.env.offset <= after) continue
        after = f.env.offset
        if (matches(sub.filter, f.env)) sub.sink.write(f)
      }
      sub.pending = []
      sub.pendingBytes = 0
      if (after > stream.liveHead) {
        // Live has not yet delivered everything history held: joining now could repeat envelopes.
        sub.state = 'tailing'
        sub.tail = after
        return
      }
      stream.catching.delete(sub)
      this.join(stream, sub)
      return
    }
  }

  /** Removes `sub` from every set; drops the bus subscription of a stream nobody listens to. */
  stop(sub: Sub): void {
    const wasLive = sub.state === 'live'
    sub.state = 'closed'
    sub.pending = []
    const key = streamKey(sub.tenant, sub.topic)
    const stream = this.streams.get(key)
    if (!stream) return
    stream.catching.delete(sub)
    const group = stream.groups.get(sub.key)
    if (group) {
      if (sub.sink.kind === 'ws') {
        if (group.ws.delete(sub) && wasLive && !sub.sink.closed) sub.sink.leave?.(group.channel)
      } else group.sse.delete(sub)
      if (group.ws.size === 0 && group.sse.size === 0) stream.groups.delete(sub.key)
    }
    if (stream.groups.size === 0 && stream.catching.size === 0) {
      stream.rx?.unsubscribe()
      this.streams.delete(key)
    }
  }

  /** Unsubscribes every live stream from the bus (server shutdown). */
  close(): void {
    for (const stream of this.streams.values()) stream.rx?.unsubscribe()
    this.streams.clear()
  }

  private join(stream: Stream, sub: Sub): void {
    let group = stream.groups.get(sub.key)
    if (!group) {
      group = { filter: sub.filter, channel: sub.channel, ws: new Set(), sse: new Set() }
      stream.groups.set(sub.key, group)
    }
    sub.state = 'live'
    if (sub.sink.kind === 'ws') {
      group.ws.add(sub)
      sub.sink.join?.(group.channel)
    } else group.sse.add(sub)
  }

  private ensure(tenant: string, topic: Topic): Stream {
    const key = streamKey(tenant, topic)
    let stream = this.streams.get(key)
    if (stream) return stream
    stream = { tenant, topic, groups: new Map(), catching: new Set(), liveHead: 0 }
    this.streams.set(key, stream)
    const s = stream
    stream.rx = this.opts.bus.live(tenant, topic).subscribe({
      next: (env) => this.dispatch(s, env),
      error: (err) => {
        this.opts.onError?.(err, `bus.live(${topic})`)
        this.reset(s, (err as Error)?.message ?? 'live delivery failed')
      },
    })
    return stream
  }

  /** Live delivery of `stream` lost continuity: every subscription on it starts over through its client. */
  private reset(stream: Stream, reason: string): void {
    if (this.streams.get(streamKey(stream.tenant, stream.topic)) === stream) this.streams.delete(streamKey(stream.tenant, stream.topic))
    const subs = [...stream.catching]
    for (const group of stream.groups.values()) subs.push(...group.ws, ...group.sse)
    stream.catching.clear()
    stream.groups.clear()
    for (const sub of subs) {
      sub.state = 'closed'
      sub.pending = []
      sub.sink.reset(reason)
    }
  }

  private dispatch(stream: Stream, env: Envelope): void {
    // Buses deliver live without gaps (the Redis bus reads back what pub/sub lost). Should one ever skip,
    // its subscribers resume from history by offset rather than silently jump.
    if (stream.liveHead > 0 && env.offset > stream.liveHead + 1) {
      this.opts.onError?.(new Error(`live delivery jumped from offset ${stream.liveHead} to ${env.offset}`), `bus.live(${stream.topic})`)
      stream.rx?.unsubscribe()
      return this.reset(stream, `offsets ${stream.liveHead + 1}..${env.offset - 1} did not arrive live`)
    }
    const frames = new Frames(env)
    let count = 0
    let bytes = 0
    if (env.offset > stream.liveHead) stream.liveHead = env.offset
    try {
      for (const group of stream.groups.values()) {
        if (!matches(group.filter, env)) continue
        if (group.ws.size > 0) {
          const frame = frames.ws()
          const n = this.opts.publish(group.channel, frame)
          count += n
          bytes += n * frame.length
        }
        for (const sub of group.sse) sub.sink.write(frames)
      }
      for (const sub of stream.catching) {
        if (sub.state === 'tailing') {
          if (env.offset <= sub.tail) continue
          // Live has passed what history gave this subscription: from here on the channel carries it.
          if (matches(sub.filter, env)) sub.sink.write(frames)
          stream.catching.delete(sub)
          this.join(stream, sub)
          continue
        }
        sub.pending.push(frames)
        sub.pendingBytes += frames.size()
        if (sub.pendingBytes > this.opts.maxBufferBytes) {
          sub.pending = []
          sub.pendingBytes = 0
          sub.epoch++
        }
      }
    } catch (err) {
      this.opts.onError?.(err, 'dispatch')
    }
    if (count) this.opts.onDeliver?.(count, bytes)
  }
}

function streamKey(tenant: string, topic: Topic): string {
  return `${topic}\u0000${tenant}`
}
