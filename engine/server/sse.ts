/**
 * Server-Sent Events (`GET /api/v1/stream`): the same subscriptions, filters, recovery and slow-consumer
 * policy as WS, over one long HTTP response.
 *
 * `id:` is `<offset>@<epoch>` when the stream carries one topic; with several topics it is a cursor
 * `drifts:12@E,events:40@E` (every topic's last offset and epoch, see realtime-cursor.ts), so the browser's
 * automatic `Last-Event-ID` resumes each topic where it stopped, and is told `recovered: false` when the
 * server no longer has that epoch. `?since=` takes the same forms, with or without epochs.
 *
 * Writes are coalesced: what a connection receives during one event-loop turn goes out in one write.
 * Byte accounting: uWS `res.write` accepts everything and buffers without bound, so this connection
 * stops writing as soon as a write reports backpressure and queues batches itself, exactly counted,
 * until `onWritable`. Past `max_buffer_bytes` buffered, the stream is ended (slow consumer); the client
 * resumes with its Last-Event-ID.
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js'
import { TOPICS, isTopic, type Topic } from '../envelope.ts'
import type { Principal } from './principal.ts'
import { corsHeaders, originAllowed, requireScope } from './auth.ts'
import { parseFilter } from './filter.ts'
import { SinceInFutureError, Sub, type Frames, type Sink, type SubscribedInfo } from './hub.ts'
import { encodeResumeCursor, parseResumeCursor, type CursorPosition } from '../realtime-cursor.ts'
import { captureRequest, headersTooLarge, parseQuery, sendError, trackAbort, type AbortState } from './http.ts'
import type { StreamContext } from './stream-context.ts'
import type { ServerMetrics } from './metrics.ts'

export type SseContext = StreamContext

class SseConn implements Sink {
  readonly kind = 'sse' as const
  closed = false
  /** Written since the last flush; flushed once per event-loop turn (one syscall per connection per turn). */
  private out = ''
  private dirty = false
  /** Flushed batches waiting for `onWritable` (uWS reported backpressure). */
  private queue: string[] = []
  private queuedBytes = 0
  private backpressured = false
  private lastChunk = 0
  private waiters: Array<() => void> = []
  readonly subs: Sub[] = []
  constructor(
    private readonly res: HttpResponse,
    private readonly ctx: SseContext,
    readonly principal: Principal,
    /** Last offset sent and its epoch, per topic (the resume cursor). */
    readonly cursor: Map<Topic, CursorPosition>,
  ) {}

  write(frames: Frames): void {
    if (this.closed) return
    const env = frames.env
    const at = this.cursor.get(env.topic)
    if (at) at.offset = env.offset
    else this.cursor.set(env.topic, { offset: env.offset })
    tallies.deliveries++
    // One topic (the common case) shares one message string across connections; this runs per event per connection.
    if (this.cursor.size === 1) this.raw(frames.sseWithId(at?.epoch))
    else this.raw(`id: ${encodeResumeCursor(this.cursor)}\n${frames.sseData()}`)
  }

  /** A followed stream lost continuity: end, so the client reconnects with its cursor (and epoch). */
  reset(): void {
    this.end()
  }

  /** Appends a chunk for the next flush; past max_buffer_bytes buffered, the client is a slow consumer. */
  raw(chunk: string): void {
    if (this.closed) return
    this.out += chunk
    tallies.bytes += chunk.length
    // A burst inside one turn goes out in 16 KiB writes instead of waiting (and counting) for the flush.
    if (this.out.length >= FLUSH_AT) this.flush()
    if (this.buffered() > this.ctx.limits.max_buffer_bytes) return this.slow()
    if (!this.dirty) {
      this.dirty = true
      dirtyConns.push(this)
      scheduleFlush()
    }
  }

  /** Writes what accumulated this turn, or queues it behind earlier backpressure. */
  flush(): void {
    this.dirty = false
    if (this.closed || this.out === '') return
    const chunk = this.out
    this.out = ''
    if (this.backpressured || this.queue.length) {
      this.queue.push(chunk)
      this.queuedBytes += chunk.length
      return
    }
    this.res.cork(() => {
      this.lastChunk = chunk.length
      if (!this.res.write(chunk)) this.backpressured = true
    })
  }

  /** uWS says the socket can take more: flush the queue until it pushes back again. */
  onWritable(): boolean {
    if (this.closed) return true
    this.backpressured = false
    while (this.queue.length) {
      const chunk = this.queue.shift()!
      this.queuedBytes -= chunk.length
      this.lastChunk = chunk.length
      if (!this.res.write(chunk)) {
        this.backpressured = true
        break
      }
    }
    if (this.buffered() <= this.ctx.limits.max_buffer_bytes / 2) this.wake()
    return true
  }

  /** Bytes accepted for this client that the kernel has not taken yet (exact, plus uWS's last partial chunk). */
  buffered(): number {
    return this.out.length + this.queuedBytes + (this.backpressured ? this.lastChunk : 0)
  }

  writable(): Promise<void> {
    if (this.closed || this.buffered() <= this.ctx.limits.max_buffer_bytes / 2) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  /** Slow consumer: end the stream (the client resumes from its Last-Event-ID). */
  slow(): void {
    if (this.closed) return
    this.ctx.metrics.slowCloses.inc({ kind: 'sse' })
    this.ctx.logger.debug({ tenant: this.principal.tenant }, 'Ending a slow SSE consumer.')
    this.out = ''
    this.end()
  }

  /** Flushes what is pending and ends the response (server side); idempotent. */
  end(): void {
    if (this.closed) return
    this.flush()
    this.res.cork(() => this.res.end())
    this.cleanup()
  }

  /** Releases subscriptions and the connection slot; idempotent. */
  cleanup(): void {
    if (this.closed) return
    this.closed = true
    this.out = ''
    this.queue = []
    this.queuedBytes = 0
    for (const sub of this.subs) this.ctx.hub.stop(sub)
    this.wake()
    this.ctx.connections.release(this.principal.tenant, 'sse')
    sseConns.delete(this)
  }
}

const FLUSH_AT = 16 * 1024

/** Deliveries and bytes, folded into the Prometheus counters at each flush (cheaper than per write). */
const tallies = { deliveries: 0, bytes: 0 }
let dirtyConns: SseConn[] = []
let flushScheduled = false
let metricsSink: ServerMetrics | undefined

function scheduleFlush(): void {
  if (flushScheduled) return
  flushScheduled = true
  setImmediate(() => {
    flushScheduled = false
    const conns = dirtyConns
    dirtyConns = []
    for (const c of conns) c.flush()
    if (metricsSink && tallies.deliveries) {
      metricsSink.deliveries.inc({ kind: 'sse' }, tallies.deliveries)
      metricsSink.bytes.inc({ kind: 'sse' }, tallies.bytes)
    }
    tallies.deliveries = 0
    tallies.bytes = 0
  })
}

const sseConns = new Set<SseConn>()

/** Registers `GET /api/v1/stream`; returns a shutdown function. */
export function mountSse(ctx: SseContext): { close(): void; count(): number } {
  const { limits } = ctx
  metricsSink = ctx.metrics
  const keepAlive = setInterval(() => {
    for (const c of sseConns) c.raw(': keep-alive\n\n')
  }, limits.sse_keepalive_ms)
  keepAlive.unref()
  ctx.app.get('/api/v1/stream', (res: HttpResponse, req: HttpRequest) => {
    const state = trackAbort(res)
    const info = captureRequest(req)
    void open(ctx, res, state, info).catch((err) => {
      ctx.logger.error({ err }, 'Opening an SSE stream failed.')
      sendError(res, state, 500, 'internal', 'The stream could not be opened; retry.')
    })
  })
  return {
    close() {
      clearInterval(keepAlive)
      for (const c of [...sseConns]) c.end()
    },
    count: () => sseConns.size,
  }
}

async function open(ctx: SseContext, res: HttpResponse, state: AbortState, info: ReturnType<typeof captureRequest>): Promise<void> {
  const cors = corsHeaders(info.headers.origin, ctx.config.cors, info.headers.host)
  const fail = (status: number, code: string, message: string) => {
    ctx.metrics.protocolErrors.inc({ code })
    sendError(res, state, status, code, message, cors)
  }
  const big = headersTooLarge(info, ctx.limits.max_header_bytes)
  if (big) return fail(big.status, big.code, big.message)
  if (!originAllowed(info.headers.origin, ctx.config.cors, info.headers.host)) return fail(403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
  const q = parseQuery(info.query)
  const auth = ctx.authenticate({ headers: info.headers, query: q.one })
  if (!auth.ok) return fail(auth.status, auth.code, auth.message)
  const denied = requireScope(auth.principal, 'read')
  if (denied) return fail(403, denied.code, denied.message)
  const tenant = auth.principal.tenant
  if (q.one.tenant !== undefined && q.one.tenant !== tenant) return fail(403, 'forbidden', 'Your token is bound to another tenant; you can only stream your own tenant.')

  const requested = (q.all.topic ?? ['all']).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean)
  const topics = new Set<Topic>()
  for (const t of requested.length ? requested : ['all']) {
    if (t === 'all') TOPICS.forEach((x) => topics.add(x))
    else if (isTopic(t)) topics.add(t)
    else return fail(400, 'unknown_topic', `Unknown topic ${JSON.stringify(t)}; topics are ${TOPICS.join(', ')} and all.`)
  }
  const parsed = parseFilter({ severity_min: q.one.severity_min, resource_type: q.one.resource_type, provider: q.one.provider })
  if (!parsed.ok) return fail(400, 'invalid_filter', parsed.message)

  const topicList = [...topics]
  const resumeFrom = info.headers['last-event-id'] ?? q.one.since
  let since: Map<Topic, CursorPosition> | undefined
  if (resumeFrom !== undefined && resumeFrom !== '') {
    since = parseResumeCursor(resumeFrom, topicList)
    if (!since) return fail(400, 'invalid_since', 'Last-Event-ID / since must be an offset (`12`, `12@EPOCH`) or a cursor (`drifts:12@EPOCH,events:40@EPOCH`) as sent in `id:`.')
  }
  // Resolve every topic's starting point before answering, so `since` in the future is a clean 400.
  const cursor = new Map<Topic, CursorPosition>()
  for (const t of topicList) {
    const { last_offset: last, epoch } = await ctx.bus.position(tenant, t)
    const s = since?.get(t)
    const sameEpoch = s?.epoch === undefined || s.epoch === epoch
    if (s !== undefined && sameEpoch && s.offset > last) return fail(400, 'since_in_future', new SinceInFutureError(s.offset, last).message + ` (topic ${t})`)
    cursor.set(t, { offset: s && sameEpoch ? s.offset : s ? 0 : last, epoch })
  }
  if (state.aborted) return
  const slot = ctx.connections.acquire(tenant, 'sse')
  if (!slot.ok) return fail(503, 'too_many_connections', slot.message)

  const conn = new SseConn(res, ctx, auth.principal, cursor)
  sseConns.add(conn)
  state.onAbort = () => conn.cleanup()
  res.onWritable(() => conn.onWritable())
  res.cork(() => {
    res.writeStatus('200 OK')
    res.writeHeader('content-type', 'text/event-stream; charset=utf-8')
    res.writeHeader('cache-control', 'no-cache, no-transform')
    res.writeHeader('x-accel-buffering', 'no')
    for (const [k, v] of Object.entries(cors)) res.writeHeader(k, v)
  })
  conn.raw(`retry: ${ctx.limits.sse_retry_ms}\n: tfdrift stream for tenant ${tenant.replace(/[\r\n]/g, '')}\n\n`)
  for (const topic of topicList) {
    const sub = new Sub(conn, tenant, topic, parsed.filter)
    conn.subs.push(sub)
    const startAt = since?.get(topic)
    ctx.hub.start(sub, startAt?.offset ?? cursor.get(topic)!.offset, (info: SubscribedInfo) => {
      // Replayed events carry the epoch the replay really runs in.
      conn.cursor.set(topic, { offset: info.since, epoch: info.epoch })
      conn.raw(`event: subscribed\ndata: ${JSON.stringify(info)}\n\n`)
    }, startAt?.epoch).catch((err) => {
      ctx.logger.error({ err, topic }, 'Starting an SSE subscription failed.')
      conn.end()
    })
  }
}
