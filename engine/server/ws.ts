/**
 * The WebSocket endpoint (`GET /ws`): the realtime protocol of ARCHITECTURE.md on uWS.
 *
 * Close codes (documented in schemas/ws-server-message.schema.json):
 * 1001 server shutting down · 1006/1009 frame over max_payload_bytes (uWS cuts the socket) ·
 * 4008 slow consumer (outbound buffer past max_buffer_bytes; reconnect with your last offset) ·
 * 4009 stream reset (a followed stream lost continuity; reconnect with your last offset and epoch) ·
 * 4029 inbound rate limit exceeded persistently. Auth, origin and connection-limit failures are
 * refused at the HTTP upgrade (401/403/503) so a client never holds an unauthenticated socket.
 */
import { TextDecoder } from 'node:util'
import type { HttpRequest, HttpResponse, WebSocket, us_socket_context_t } from 'uWebSockets.js'
import { TOPICS, isTopic, type Topic } from '../envelope.ts'
import { newId } from '../ids.ts'
import type { Principal } from './principal.ts'
import { originAllowed, requireScope } from './auth.ts'
import { parseFilter } from './filter.ts'
import { Frames, SinceInFutureError, Sub, type Sink } from './hub.ts'
import type { StreamContext } from './stream-context.ts'
import { captureRequest, headersTooLarge, parseQuery, statusLine } from './http.ts'
import type { ResolvedLimits } from './limits.ts'
import { TOO_DEEP, tooDeepMessage } from './body.ts'
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.ts'

export const CLOSE_SHUTDOWN = 1001
export const CLOSE_SLOW_CONSUMER = 4008
export const CLOSE_STREAM_RESET = 4009
export const CLOSE_RATE_LIMITED = 4029

const utf8 = new TextDecoder('utf-8', { fatal: true })

interface UserData { conn: WsConn }

/** Per-socket state; also the hub's Sink for this socket. */
class WsConn implements Sink {
  readonly kind = 'ws' as const
  readonly id = newId()
  ws?: WebSocket<UserData>
  closed = false
  readonly subs = new Map<Topic, Sub>()
  tokens: number
  lastRefill = Date.now()
  violations = 0
  waiters: Array<() => void> = []
  constructor(readonly principal: Principal, readonly ctx: WsContext) {
    this.tokens = ctx.limits.inbound_messages_per_second * 2
  }
  write(frames: Frames): void {
    if (this.closed || !this.ws) return
    const frame = frames.ws()
    this.ws.send(frame, false, false)
    this.ctx.onDirectSend(frame.length)
  }
  buffered(): number {
    return this.closed || !this.ws ? 0 : this.ws.getBufferedAmount()
  }
  reset(): void {
    if (!this.closed) this.ws?.end(CLOSE_STREAM_RESET, 'stream reset: resubscribe with your since and epoch')
  }
  writable(): Promise<void> {
    if (this.closed || this.buffered() <= this.ctx.limits.max_buffer_bytes / 2) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }
  wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
  join(channel: string): void {
    this.ws?.subscribe(channel)
  }
  leave(channel: string): void {
    if (!this.closed) this.ws?.unsubscribe(channel)
  }
  /** Sends a control message; returns false when the socket is gone. */
  reply(msg: Record<string, unknown>): void {
    if (this.closed || !this.ws) return
    this.ws.send(JSON.stringify(msg), false, false)
    if (this.ws.getBufferedAmount() > this.ctx.limits.max_buffer_bytes) this.ctx.slowClose(this)
  }
  error(code: string, message: string, id?: unknown): void {
    this.ctx.metrics.protocolErrors.inc({ code })
    this.reply({ type: 'error', code, message, ...(id !== undefined ? { id } : {}) })
  }
}

export interface WsContext extends StreamContext {
  slowClose(conn: WsConn): void
  /** Counts a direct (catch-up) send for the metrics. */
  onDirectSend(bytes: number): void
}

/** Registers `/ws` on the app; returns the open-socket set and a shutdown function. */
export function mountWebSocket(ctx: Omit<WsContext, 'slowClose' | 'onDirectSend'>): { conns: Set<WsConn>; sweep(): void; close(): void } {
  const conns = new Set<WsConn>()
  const full = ctx as WsContext
  full.onDirectSend = (bytes) => {
    ctx.metrics.deliveries.inc({ kind: 'ws' })
    ctx.metrics.bytes.inc({ kind: 'ws' }, bytes)
  }
  full.slowClose = (conn) => {
    if (conn.closed || !conn.ws) return
    ctx.metrics.slowCloses.inc({ kind: 'ws' })
    ctx.logger.debug({ client_id: conn.id, tenant: conn.principal.tenant }, 'Closing a slow WebSocket consumer.')
    conn.ws.end(CLOSE_SLOW_CONSUMER, 'slow consumer')
  }
  const { limits } = ctx
  // Slow consumers are found by a sweep over the open sockets: the server runs it synchronously after
  // every max_buffer_bytes/4 of fan-out (so no buffer passes 1.25 × the limit plus one frame) and every
  // 50 ms as a backstop. uWS's own hard cap (maxBackpressure below) only fires for a single frame
  // bigger than the limit; it cuts the socket (1006) instead of 4008 — recovery is the same.
  const sweep = () => {
    for (const conn of conns) if (!conn.closed && conn.ws && conn.ws.getBufferedAmount() > limits.max_buffer_bytes) full.slowClose(conn)
  }
  const timer = setInterval(sweep, 50)
  timer.unref()

  ctx.app.ws<UserData>('/ws', {
    maxPayloadLength: limits.max_payload_bytes,
    idleTimeout: limits.idle_timeout_s,
    sendPingsAutomatically: true,
    maxBackpressure: limits.max_buffer_bytes * 2 + limits.body_limit_bytes + 64 * 1024,
    closeOnBackpressureLimit: true as unknown as number,
    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const info = captureRequest(req)
      const refuse = (status: number, code: string, message: string) => {
        ctx.metrics.rejected.inc({ reason: code })
        res.cork(() => {
          res.writeStatus(statusLine(status)).writeHeader('content-type', 'application/json')
          res.end(JSON.stringify({ success: false, error: { code, message } }), true)
        })
      }
      const big = headersTooLarge(info, limits.max_header_bytes)
      if (big) return refuse(big.status, big.code, big.message)
      if (!originAllowed(info.headers.origin, ctx.config.cors, info.headers.host)) return refuse(403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
      const auth = ctx.authenticate({ headers: info.headers, query: parseQuery(info.query).one })
      if (!auth.ok) return refuse(auth.status, auth.code, auth.message)
      const denied = requireScope(auth.principal, 'read')
      if (denied) return refuse(403, denied.code, denied.message)
      const slot = ctx.connections.acquire(auth.principal.tenant, 'ws')
      if (!slot.ok) return refuse(503, 'too_many_connections', slot.message)
      const conn = new WsConn(auth.principal, full)
      // Echo one offered subprotocol (RFC 6455 lets the server pick exactly one); none is required.
      const protocol = (info.headers['sec-websocket-protocol'] ?? '').split(',')[0].trim()
      res.upgrade<UserData>({ conn }, info.headers['sec-websocket-key'] ?? '', protocol, info.headers['sec-websocket-extensions'] ?? '', context)
    },
    open: (ws) => {
      const conn = ws.getUserData().conn
      conn.ws = ws
      conns.add(conn)
      conn.reply({
        type: 'welcome', client_id: conn.id, tenant: conn.principal.tenant, protocol: 1,
        topics: [...TOPICS, 'all'],
        limits: {
          max_payload_bytes: limits.max_payload_bytes, max_buffer_bytes: limits.max_buffer_bytes,
          inbound_messages_per_second: limits.inbound_messages_per_second, idle_timeout_s: limits.idle_timeout_s,
          max_subscriptions: limits.max_subscriptions_per_connection,
        },
      })
    },
    message: (ws, message, isBinary) => {
      const conn = ws.getUserData().conn
      if (!rateOk(conn, limits)) return
      let text: string
      try {
        text = utf8.decode(new Uint8Array(message))
      } catch {
        return conn.error('invalid_utf8', 'The frame is not valid UTF-8.')
      }
      if (isBinary) return conn.error('binary_not_supported', 'Send protocol messages as JSON text frames.')
      // Parsing copes with any depth, but echoing a deep `id` in a reply would overflow the stack.
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH) !== undefined) return conn.error(TOO_DEEP, tooDeepMessage('The message'))
      let msg: unknown
      try {
        msg = JSON.parse(text)
      } catch {
        return conn.error('invalid_json', 'The frame is not valid JSON; send one JSON object per frame.')
      }
      try {
        handleMessage(full, conn, msg)
      } catch (err) {
        ctx.logger.error({ err, client_id: conn.id }, 'A WebSocket message handler failed.')
        conn.error('internal', 'The server failed to handle this message.')
      }
    },
    drain: (ws) => {
      const conn = ws.getUserData().conn
      if (ws.getBufferedAmount() <= limits.max_buffer_bytes / 2) conn.wake()
    },
    close: (ws) => {
      const conn = ws.getUserData().conn
      conn.closed = true
      conns.delete(conn)
      for (const sub of conn.subs.values()) ctx.hub.stop(sub)
      conn.subs.clear()
      conn.wake()
      ctx.connections.release(conn.principal.tenant, 'ws')
    },
  })
  return {
    conns,
    sweep,
    close() {
      clearInterval(timer)
      for (const conn of [...conns]) conn.ws?.end(CLOSE_SHUTDOWN, 'server shutting down')
    },
  }
}

/** Token bucket; a client that keeps flooding past its burst is closed with 4029. */
function rateOk(conn: WsConn, limits: ResolvedLimits): boolean {
  const rate = limits.inbound_messages_per_second
  const now = Date.now()
  conn.tokens = Math.min(rate * 2, conn.tokens + ((now - conn.lastRefill) / 1000) * rate)
  conn.lastRefill = now
  if (conn.tokens >= 1) {
    conn.tokens -= 1
    conn.violations = 0
    return true
  }
  if (++conn.violations > rate * 2) {
    conn.ctx.metrics.protocolErrors.inc({ code: 'rate_limited' })
    conn.ws?.end(CLOSE_RATE_LIMITED, 'rate limited')
  } else if (conn.violations === 1) {
    conn.error('rate_limited', `Over ${rate} messages per second; this message was ignored. Keep flooding and the socket is closed with 4029.`)
  }
  return false
}

function handleMessage(ctx: WsContext, conn: WsConn, msg: unknown): void {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return conn.error('invalid_message', 'A message must be a JSON object with a "type".')
  const m = msg as Record<string, unknown>
  switch (m.type) {
    case 'ping':
      return conn.reply({ type: 'pong', time: new Date().toISOString(), ...(m.id !== undefined ? { id: m.id } : {}) })
    case 'subscribe':
      return subscribe(ctx, conn, m)
    case 'unsubscribe':
      return unsubscribe(ctx, conn, m)
    case 'query':
      void query(ctx, conn, m)
      return
    default:
      return conn.error('unknown_type', `Unknown message type ${JSON.stringify(m.type)}; use subscribe, unsubscribe, ping or query.`, m.id)
  }
}

/** Resolves `topic` (a concrete topic or `all`) after checking the tenant; reports the error itself. */
function topicsOf(conn: WsConn, m: Record<string, unknown>): Topic[] | undefined {
  if (m.tenant !== undefined && m.tenant !== conn.principal.tenant) {
    conn.error('forbidden', 'Your token is bound to another tenant; you can only subscribe to your own tenant.', m.id)
    return undefined
  }
  if (m.topic === 'all') return [...TOPICS]
  if (!isTopic(m.topic)) {
    conn.error('unknown_topic', `Unknown topic ${JSON.stringify(m.topic)}; topics are ${TOPICS.join(', ')} and all.`, m.id)
    return undefined
  }
  return [m.topic]
}

/** `epoch` is a string (one topic, or every topic of `all`) or a `{ topic: epoch }` map for `all`. */
function epochFor(topic: Topic, epoch: unknown): string | undefined | 'invalid' {
  if (epoch === undefined || epoch === null) return undefined
  if (typeof epoch === 'string') return epoch.length > 0 && epoch.length <= 64 ? epoch : 'invalid'
  if (typeof epoch === 'object' && !Array.isArray(epoch)) return epochFor(topic, (epoch as Record<string, unknown>)[topic])
  return 'invalid'
}

/** `since` is a number (one topic, or every topic of `all`) or a `{ topic: offset }` map for `all`. */
function sinceFor(topic: Topic, since: unknown): number | undefined | 'invalid' {
  if (since === undefined || since === null) return undefined
  if (typeof since === 'number') return Number.isSafeInteger(since) && since >= 0 ? since : 'invalid'
  if (typeof since === 'object' && !Array.isArray(since)) return sinceFor(topic, (since as Record<string, unknown>)[topic])
  return 'invalid'
}

function subscribe(ctx: WsContext, conn: WsConn, m: Record<string, unknown>): void {
  const topics = topicsOf(conn, m)
  if (!topics) return
  const parsed = parseFilter(m.filter)
  if (!parsed.ok) return conn.error('invalid_filter', parsed.message, m.id)
  const newCount = topics.filter((t) => !conn.subs.has(t)).length
  if (conn.subs.size + newCount > ctx.limits.max_subscriptions_per_connection) {
    return conn.error('too_many_subscriptions', `At most ${ctx.limits.max_subscriptions_per_connection} subscriptions per connection.`, m.id)
  }
  for (const topic of topics) {
    const since = sinceFor(topic, m.since)
    if (since === 'invalid') return conn.error('invalid_since', 'since must be a non-negative integer offset (or a { topic: offset } map for "all").', m.id)
    if (epochFor(topic, m.epoch) === 'invalid') return conn.error('invalid_epoch', 'epoch must be the string sent in `subscribed` (or a { topic: epoch } map for "all").', m.id)
  }
  for (const topic of topics) {
    const since = sinceFor(topic, m.since) as number | undefined
    const previous = conn.subs.get(topic)
    if (previous) ctx.hub.stop(previous) // a new subscribe on the same topic replaces the old one (new filter/since)
    const sub = new Sub(conn, conn.principal.tenant, topic, parsed.filter)
    conn.subs.set(topic, sub)
    ctx.hub.start(sub, since, (info) => {
      conn.reply({ type: 'subscribed', ...info, ...(m.topic === 'all' ? { via: 'all' } : {}), ...(m.id !== undefined ? { id: m.id } : {}) })
    }, epochFor(topic, m.epoch) as string | undefined).catch((err) => {
      if (conn.subs.get(topic) === sub) conn.subs.delete(topic)
      if (err instanceof SinceInFutureError) return conn.error('since_in_future', err.message, m.id)
      ctx.logger.error({ err, topic }, 'Starting a subscription failed.')
      conn.error('internal', 'The subscription could not be started; retry.', m.id)
    })
  }
}

function unsubscribe(ctx: WsContext, conn: WsConn, m: Record<string, unknown>): void {
  const topics = topicsOf(conn, m)
  if (!topics) return
  const held = topics.filter((t) => conn.subs.has(t))
  if (held.length === 0) return conn.error('not_subscribed', `Not subscribed to ${String(m.topic)}.`, m.id)
  for (const t of held) {
    ctx.hub.stop(conn.subs.get(t)!)
    conn.subs.delete(t)
  }
  conn.reply({ type: 'unsubscribed', topic: m.topic, ...(m.id !== undefined ? { id: m.id } : {}) })
}

async function query(ctx: WsContext, conn: WsConn, m: Record<string, unknown>): Promise<void> {
  const tenant = conn.principal.tenant
  const reply = (data: unknown) => conn.reply({ type: 'query_result', id: m.id, what: m.what, data })
  try {
    switch (m.what) {
      case 'topics':
        return reply({ topics: [...TOPICS], subscribed: [...conn.subs.values()].map((s) => ({ topic: s.topic, state: s.state, ...(s.filter ? { filter: s.filter } : {}) })) })
      case 'last_offset': {
        const topics = topicsOf(conn, m)
        if (!topics) return
        const out: Record<string, number> = {}
        for (const t of topics) out[t] = await ctx.bus.lastOffset(tenant, t)
        return reply(m.topic === 'all' ? { last_offsets: out } : { topic: m.topic, last_offset: out[m.topic as Topic] })
      }
      case 'history': {
        if (m.tenant !== undefined && m.tenant !== tenant) return conn.error('forbidden', 'Your token is bound to another tenant.', m.id)
        if (!isTopic(m.topic)) return conn.error('unknown_topic', `history needs one topic of ${TOPICS.join(', ')}.`, m.id)
        const after = m.after === undefined ? 0 : m.after
        const limit = m.limit === undefined ? 100 : m.limit
        if (!Number.isSafeInteger(after) || (after as number) < 0) return conn.error('invalid_message', 'after must be a non-negative integer offset.', m.id)
        if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > 1000) return conn.error('invalid_message', 'limit must be an integer from 1 to 1000.', m.id)
        const page = await ctx.bus.history(tenant, m.topic, after as number, limit as number)
        return reply({ topic: m.topic, ...page })
      }
      default:
        return conn.error('invalid_message', 'query.what must be one of history, last_offset, topics.', m.id)
    }
  } catch (err) {
    ctx.logger.error({ err }, 'A WebSocket query failed.')
    conn.error('internal', 'The query failed; retry.', m.id)
  }
}
