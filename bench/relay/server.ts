/**
 * Bench server process (pinned to one core by bench/relay.ts). `kind` picks the implementation:
 * `tfdrift` — the real server (uWS, hub, memory bus); `ws` — the baseline a typical user writes
 * (`ws` + JSON.stringify per client + a broadcast loop); `sse` — a node:http SSE loop.
 * Driven over IPC: publish bursts or a paced rate, report CPU time and RSS.
 */
import http from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { newId } from '../../engine/ids.ts'
import { startServer } from '../../engine/server/index.ts'
import type { Envelope } from '../../engine/envelope.ts'

type Cmd = { cmd: 'publish'; count: number; size: number } | { cmd: 'round'; size: number } | { cmd: 'rate'; rate: number; seconds: number; size: number } | { cmd: 'stats' } | { cmd: 'gc' }

const kind = process.argv[2] as 'tfdrift' | 'ws' | 'sse'
const maxBuffer = Number(process.argv[3] ?? 64 * 1024 * 1024)
const now = () => performance.timeOrigin + performance.now()
let publish: (data: unknown) => void
let port = 0
let offset = 0
let conns = () => -1

if (kind === 'tfdrift') {
  const bus = new MemoryBus({ history: { max_events: 200_000 } })
  const server = await startServer({
    config: { port: 0, host: '127.0.0.1', auth: { anonymous: { tenant: 'bench', scopes: ['read'] } }, limits: { max_buffer_bytes: maxBuffer, max_connections: 50_000, max_connections_per_tenant: 50_000, sse_keepalive_ms: 3_600_000, idle_timeout_s: 960 } },
    bus, store: new MemoryStore(), logger: silentLogger, rest: false,
  })
  port = server.port
  conns = () => server.stats().connections
  publish = (data) => { void bus.publish({ tenant: 'bench', topic: 'events', type: 'bench.tick', data }) }
} else if (kind === 'ws') {
  const clients = new Set<WebSocket>()
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'welcome' }))
    ws.on('message', () => { clients.add(ws); ws.send(JSON.stringify({ type: 'subscribed' })) })
    ws.on('close', () => clients.delete(ws))
  })
  await new Promise((r) => wss.on('listening', r))
  port = (wss.address() as { port: number }).port
  publish = (data) => {
    const env: Envelope = { id: newId(), offset: ++offset, topic: 'events', type: 'bench.tick', tenant: 'bench', time: new Date().toISOString(), data }
    for (const c of clients) c.send(JSON.stringify({ type: 'event', event: env }))
  }
} else {
  const clients = new Set<http.ServerResponse>()
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write('retry: 2000\n\n')
    clients.add(res)
    req.on('close', () => clients.delete(res))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  port = (srv.address() as { port: number }).port
  publish = (data) => {
    const env: Envelope = { id: newId(), offset: ++offset, topic: 'events', type: 'bench.tick', tenant: 'bench', time: new Date().toISOString(), data }
    for (const res of clients) res.write(`id: ${env.offset}\nevent: ${env.type}\ndata: ${JSON.stringify(env)}\n\n`)
  }
}

const pads = new Map<number, string>()
const pad = (n: number) => pads.get(n) ?? (pads.set(n, 'x'.repeat(n)), pads.get(n)!)
let seq = 0

process.on('message', (m: Cmd) => {
  if (m.cmd === 'publish') {
    for (let i = 0; i < m.count; i++) publish({ n: ++seq, t: now(), pad: pad(m.size) })
    process.send!({ ok: true, seq })
  } else if (m.cmd === 'rate') {
    // Paced publishing: catch up to rate × elapsed every millisecond.
    const start = now()
    let sent = 0
    const total = Math.round(m.rate * m.seconds)
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * m.rate))
      while (sent < due) { publish({ n: ++seq, t: now(), pad: pad(m.size) }); sent++ }
      if (sent >= total) { clearInterval(timer); process.send!({ ok: true, seq }) }
    }, 1)
  } else if (m.cmd === 'round') {
    // One message from a timer, as the paced run does; uWS drains its topic queue in the loop's prepare
    // phase, before the check phase that runs setImmediate, so this spans the whole fan-out on both sides.
    setTimeout(() => {
      const t0 = now()
      publish({ n: ++seq, t: t0, pad: pad(m.size) })
      setImmediate(() => process.send!({ ms: now() - t0, seq }))
    }, 1)
  } else if (m.cmd === 'stats') {
    const cpu = process.cpuUsage()
    process.send!({ rss: process.memoryUsage().rss, cpu_us: cpu.user + cpu.system, seq, conns: conns() })
  } else if (m.cmd === 'gc') {
    ;(globalThis as { gc?: () => void }).gc?.()
    process.send!({ ok: true })
  }
})
process.send!({ port })
