/** Test helpers for the realtime server: a real server on a random loopback port, WS and SSE clients. */
import http from 'node:http'
import WebSocket from 'ws'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server, type StartServerOptions } from '../../engine/server/index.ts'
import type { ServerConfig } from '../../engine/config/types.ts'
import type { Envelope } from '../../engine/envelope.ts'

export const TOKENS = {
  acme: 'acme-rw-token',
  acmeRead: 'acme-read-token',
  globex: 'globex-rw-token',
  /** The monitoring system's: /metrics only. */
  metrics: 'ops-metrics-token',
} as const

export const AUTH: ServerConfig['auth'] = {
  tokens: [
    { token: TOKENS.acme, tenant: 'acme', scopes: ['read', 'publish'], name: 'acme-rw' },
    { token: TOKENS.acmeRead, tenant: 'acme', scopes: ['read'], name: 'acme-read' },
    { token: TOKENS.globex, tenant: 'globex', scopes: ['read', 'publish'], name: 'globex-rw' },
    { token: TOKENS.metrics, tenant: 'ops', scopes: ['metrics'], name: 'prometheus' },
  ],
}

export interface TestServer {
  server: Server
  bus: MemoryBus
  store: MemoryStore
  http: string
  ws: string
  close(): Promise<void>
}

/** Starts a server on 127.0.0.1:0 with a memory bus (large history unless given) and memory store. */
export async function startTestServer(config: Partial<ServerConfig> = {}, opts: { history?: { max_events?: number }; rest?: StartServerOptions['rest'] } = {}): Promise<TestServer> {
  const bus = new MemoryBus({ history: { max_events: opts.history?.max_events ?? 100_000 } })
  const store = new MemoryStore()
  const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH, ...config }, bus, store, logger: silentLogger, rest: opts.rest ?? false })
  return {
    server, bus, store,
    http: `http://127.0.0.1:${server.port}`,
    ws: `ws://127.0.0.1:${server.port}/ws`,
    async close() {
      await server.close()
      await bus.close()
      await store.close()
    },
  }
}

/** Resolves when `check()` is true (polled each macrotask), failing with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

type Msg = Record<string, any>

/** A `ws` client that queues parsed messages and lets a test await the next matching one. */
export class WsClient {
  readonly messages: Msg[] = []
  readonly events: Envelope[] = []
  private waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = []
  readonly closed: Promise<{ code: number; reason: string }>
  readonly opened: Promise<void>
  closeInfo?: { code: number; reason: string }
  private readonly consumed = new Set<number>()

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Msg
      this.messages.push(msg)
      if (msg.type === 'event') this.events.push(msg.event)
      const index = this.messages.length - 1
      for (const w of [...this.waiters]) if (!this.consumed.has(index) && w.pred(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1)
        this.consumed.add(index)
        w.resolve(msg)
      }
    })
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: String(reason) }
      resolve(this.closeInfo)
    }))
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
  }

  static async connect(url: string, token?: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const c = new WsClient(new WebSocket(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } }))
    await c.opened
    await c.next((m) => m.type === 'welcome')
    return c
  }

  send(msg: unknown): void {
    this.socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg))
  }

  /** The first message matching `pred` not consumed yet by an earlier `next`, else the next one to arrive. */
  next(pred: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    for (let i = 0; i < this.messages.length; i++) {
      if (!this.consumed.has(i) && pred(this.messages[i])) {
        this.consumed.add(i)
        return Promise.resolve(this.messages[i])
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`)), timeoutMs)
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m) } })
    })
  }

  /** Sends a request and awaits the reply carrying the same `id`. */
  async request(msg: Msg): Promise<Msg> {
    const id = msg.id ?? Math.random().toString(36).slice(2)
    const reply = this.next((m) => m.id === id)
    this.send({ ...msg, id })
    return reply
  }

  close(): void {
    this.socket.close()
  }
}

/** Fails with the HTTP status when the upgrade is refused. */
export function wsRefusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.on('open', () => { ws.close(); reject(new Error('upgrade was accepted')) })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    ws.on('error', () => {})
  })
}

export interface SseEvent { id?: string; event?: string; data: string }

/** A streaming SSE reader over node:http (so tests see raw `id:`/`event:`/`retry:` lines). */
export class SseClient {
  readonly events: SseEvent[] = []
  readonly raw: string[] = []
  status = 0
  headers: http.IncomingHttpHeaders = {}
  ended = false
  body = ''
  private buf = ''
  private res?: http.IncomingMessage
  private req?: http.ClientRequest

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient()
    return new Promise((resolve, reject) => {
      c.req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        c.res = res
        c.status = res.statusCode ?? 0
        c.headers = res.headers
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => c.feed(chunk))
        res.on('end', () => { c.ended = true })
        res.on('close', () => { c.ended = true })
        resolve(c)
      })
      c.req.on('error', (err) => { c.ended = true; if (!c.res) reject(err) })
    })
  }

  private feed(chunk: string): void {
    this.body += this.status === 200 ? '' : chunk
    this.buf += chunk
    let i: number
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i)
      this.buf = this.buf.slice(i + 2)
      this.raw.push(block)
      const ev: SseEvent = { data: '' }
      let hasData = false
      for (const line of block.split('\n')) {
        const c = line.indexOf(':')
        if (c === 0) continue
        const field = c < 0 ? line : line.slice(0, c)
        const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '')
        if (field === 'id') ev.id = value
        else if (field === 'event') ev.event = value
        else if (field === 'data') { ev.data += (hasData ? '\n' : '') + value; hasData = true }
      }
      if (hasData) this.events.push(ev)
    }
  }

  envelopes(): Envelope[] {
    return this.events.filter((e) => e.event !== 'subscribed').map((e) => JSON.parse(e.data) as Envelope)
  }

  pause(): void { this.res?.pause() }
  resume(): void { this.res?.resume() }
  close(): void { this.req?.destroy() }
}

/** Publishes `n` envelopes on (tenant, topic) with a payload of about `size` bytes. */
export async function publishMany(bus: MemoryBus, tenant: string, topic: 'drifts' | 'events', n: number, size = 100, data: (i: number) => Record<string, unknown> = () => ({})): Promise<Envelope[]> {
  const pad = 'x'.repeat(size)
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) out.push(await bus.publish({ tenant, topic, type: topic === 'drifts' ? 'drift.detected' : 'change.received', data: { i, pad, ...data(i) } }))
  return out
}

/** The admin token of `startIngressServer` (tenant acme, scopes read and admin). */
export const ADMIN_TOKEN = 'acme-admin-token'

/** A server with REST, an admin token and an ingress route at `/api/v1/falco/events` that records each body it is handed. */
export async function startIngressServer(): Promise<{ server: TestServer; handled: unknown[] }> {
  const { createRestApp } = await import('../../engine/server/rest/index.ts')
  const server = await startTestServer(
    { auth: { tokens: [...AUTH!.tokens!, { token: ADMIN_TOKEN, tenant: 'acme', scopes: ['read', 'admin'], name: 'acme-admin' }] } },
    { rest: createRestApp },
  )
  const handled: unknown[] = []
  server.server.ingress.register({
    method: 'POST', path: '/api/v1/falco/events', scope: 'publish',
    async handle(body) {
      handled.push(body)
      return { status: 202, data: { accepted: 1 } }
    },
  })
  return { server, handled }
}

/** GET /metrics with the metrics-scoped token (the Prometheus text spans every tenant). */
export function fetchMetrics(base: string): Promise<string> {
  return fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKENS.metrics}` } }).then((r) => r.text())
}
