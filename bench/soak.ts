/**
 * `npm run bench:soak` — the relay kept busy for a while, to catch what short benches cannot: memory
 * that creeps, and envelopes lost or repeated across slow-consumer closes and reconnects.
 *
 * A real `tfdrift relay` (child process: memory bus and store) is published to through its HTTP API
 * for --minutes while --clients WS and as many SSE subscribers follow the topic from offset 0. 1% of
 * each are slow: they stop reading until the server closes them (WS 4008, SSE stream ended), then
 * read what was buffered, reconnect and resume from their last offset. Random others drop their
 * connection and resume. Every envelope is checked per client by offset (bench/soak/client.ts).
 *
 * Reports the server's RSS and JS heap in use over time (a line per minute; every 10 s in runs under 5 minutes) and their
 * flatness after warm-up (slope and last/first), lost = acknowledged by publish and never received by
 * a subscribed client (expected 0), duplicates (expected 0), and apart from those the gaps the server
 * announced with `recovered: false` ("unrecoverable (told)"). Exits 1 when anything was lost or repeated.
 *
 * Options (or env): --minutes (SOAK_MINUTES, 10), --clients per transport (SOAK_CLIENTS, 100),
 * --rate events/s (SOAK_RATE, 200), --size payload bytes (SOAK_SIZE, 300).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { newBooks, SoakClient, type Books } from './soak/client.ts'
import { flatness, type Sample } from './soak/flatness.ts'

const { values: args } = parseArgs({ options: { minutes: { type: 'string' }, clients: { type: 'string' }, rate: { type: 'string' }, size: { type: 'string' } } })
const MINUTES = Number(args.minutes ?? process.env.SOAK_MINUTES ?? 10)
const CLIENTS = Number(args.clients ?? process.env.SOAK_CLIENTS ?? 100)
const RATE = Number(args.rate ?? process.env.SOAK_RATE ?? 200)
const SIZE = Number(args.size ?? process.env.SOAK_SIZE ?? 300)
// Two minutes: a slow client's pause lasts until the kernel's socket buffers (MBs on loopback) and
// max_buffer_bytes are full — about a minute at the default rate — and history must still cover it.
const HISTORY = RATE * 120
const MAX_BUFFER = 256 * 1024
const DROP_PER_CLIENT_PER_S = 1 / 120
const MAX_PAUSE_MS = 90_000
const TOKEN = 'soak-token'
const TOPIC = 'events'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`
const random = (lo: number, hi: number) => lo + Math.random() * (hi - lo)
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

// --- the relay --------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-soak-'))
writeFileSync(join(dir, 'soak.json'), JSON.stringify({
  server: {
    auth: { tokens: [{ token: TOKEN, tenant: 'soak', scopes: ['read', 'publish', 'metrics'], name: 'soak' }] },
    limits: { max_buffer_bytes: MAX_BUFFER, max_connections: 10_000, max_connections_per_tenant: 10_000 },
  },
  bus: { kind: 'memory', history: { max_events: HISTORY } },
  store: { kind: 'memory' },
  pipelines: {},
}))
const relay = spawn(process.execPath, [fileURLToPath(new URL('../bin/tfdrift.mjs', import.meta.url)), 'relay', '--config', 'soak.json', '--host', '127.0.0.1', '--port', '0'], {
  cwd: dir, env: { ...process.env, TFDRIFT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
})
process.on('exit', () => { relay.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) })
process.on('SIGINT', () => process.exit(130))
const port = await new Promise<number>((resolve, reject) => {
  createInterface({ input: relay.stdout! }).on('line', (line) => {
    try { const l = JSON.parse(line); if (l.msg === 'tfdrift relay running.') resolve(l.port) } catch { /* not a log line */ }
  })
  relay.once('exit', (code) => reject(new Error(`the relay exited with ${code} before it ran`)))
})
const base = `http://127.0.0.1:${port}`

function rss(): number {
  try { return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${relay.pid}/status`, 'utf8'))![1]) * 1024 } catch { return NaN }
}
/** The relay's JS heap in use (its process metrics on /metrics): tells a JS leak from native memory when RSS creeps. */
async function heapUsed(): Promise<number> {
  try {
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
    return Number(/^tfdrift_process_nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? NaN)
  } catch { return NaN }
}

async function slowCloses(kind: 'ws' | 'sse'): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
  return Number(new RegExp(`tfdrift_server_slow_consumer_closes_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0)
}

// --- publishing: what the relay acknowledged, by offset ------------------------------------------
let acked = new Uint8Array(1 << 16)
let ackedCount = 0
let lastAcked = 0
let publishFailures = 0
const isAcked = (offset: number) => offset < acked.length && acked[offset] === 1
const pad = 'x'.repeat(SIZE)
let seq = 0

async function publish(count: number): Promise<void> {
  const body = Array.from({ length: count }, () => JSON.stringify({ topic: TOPIC, type: 'soak.tick', data: { n: ++seq, pad } })).join('\n')
  try {
    const res = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' }, body })
    if (res.status !== 200) { publishFailures += count; console.error(`soak: publish answered ${res.status}: ${(await res.text()).slice(0, 200)}`); return }
    for (const { offset } of (await res.json()).data.envelopes as Array<{ offset: number }>) {
      while (offset >= acked.length) { const grown = new Uint8Array(acked.length * 2); grown.set(acked); acked = grown }
      if (!acked[offset]) ackedCount++
      acked[offset] = 1
      lastAcked = Math.max(lastAcked, offset)
    }
  } catch (error) {
    publishFailures += count
    console.error(`soak: publish failed: ${(error as Error).message}`)
  }
}

// --- subscribers -------------------------------------------------------------------------------------
let stopping = false
const books = { ws: newBooks(), sse: newBooks() }
const onDown = (client: SoakClient) => {
  if (stopping && client.last >= lastAcked) return
  client.books.reconnects++
  setTimeout(() => client.connect(), random(50, 500))
}
const clients: SoakClient[] = []
for (const kind of ['ws', 'sse'] as const) {
  for (let i = 0; i < CLIENTS; i++) clients.push(new SoakClient(kind, { port, token: TOKEN, topic: TOPIC }, books[kind], onDown))
}
for (const c of clients) c.connect()
const slowCount = Math.max(1, Math.round(CLIENTS / 100))
const slow = { ws: clients.filter((c) => c.kind === 'ws').slice(0, slowCount), sse: clients.filter((c) => c.kind === 'sse').slice(0, slowCount) }
const steady = clients.filter((c) => !slow.ws.includes(c) && !slow.sse.includes(c))
await sleep(1000)

/** One slow phase per kind at a time: stop reading until the server has closed them all, then read on. */
const slowStats = { phases: 0, closedByServer: 0, longestPauseMs: 0 }
async function slowCycle(kind: 'ws' | 'sse'): Promise<void> {
  while (!stopping) {
    for (const readUntil = Date.now() + random(5_000, 15_000); !stopping && Date.now() < readUntil;) await sleep(250)
    if (stopping) return
    const before = await slowCloses(kind)
    const started = Date.now()
    for (const c of slow[kind]) c.pause()
    slowStats.phases++
    while (!stopping && Date.now() - started < MAX_PAUSE_MS && (await slowCloses(kind)) - before < slow[kind].length) await sleep(500)
    slowStats.closedByServer += Math.min(slow[kind].length, (await slowCloses(kind)) - before)
    slowStats.longestPauseMs = Math.max(slowStats.longestPauseMs, Date.now() - started)
    for (const c of slow[kind]) c.resume()
  }
}

// --- the run -------------------------------------------------------------------------------------------
console.log(`soak: ${MINUTES} min, ${CLIENTS} WS + ${CLIENTS} SSE subscribers (${slowCount} + ${slowCount} slow), ${RATE} events/s of ~${SIZE + 150} B, max_buffer_bytes ${MAX_BUFFER}, history ${HISTORY} events, relay pid ${relay.pid} on port ${port}`)
const started = Date.now()
const durationMs = MINUTES * 60_000
const reportEveryMs = MINUTES >= 5 ? 60_000 : 10_000
const samples: Sample[] = []
let drops = 0
const cycles = [slowCycle('ws'), slowCycle('sse')]
const heapSamples: Sample[] = []
const sampler = setInterval(() => {
  const minutes = (Date.now() - started) / 60_000
  samples.push({ minutes, bytes: rss() })
  void heapUsed().then((bytes) => heapSamples.push({ minutes, bytes }))
}, 5_000)
let nextReport = reportEveryMs
let nextDropCheck = 1_000
while (Date.now() - started < durationMs) {
  const elapsed = Date.now() - started
  const due = Math.floor((elapsed / 1000) * RATE) - seq
  if (due > 0) await publish(Math.min(due, 1000))
  else await sleep(20)
  if (elapsed >= nextDropCheck) {
    nextDropCheck += 1_000
    for (const c of steady) if (c.connected && Math.random() < DROP_PER_CLIENT_PER_S) { c.drop(); drops++ }
  }
  if (elapsed >= nextReport) {
    nextReport += reportEveryMs
    const connected = clients.filter((c) => c.connected).length
    console.log(`  ${clock(elapsed).padStart(5)}  server RSS ${mib(rss()).padStart(6)} MiB  heap ${mib(await heapUsed()).padStart(5)} MiB  published ${lastAcked} (${Math.round(lastAcked / (elapsed / 1000))}/s)  connected ${connected}/${clients.length}  slow closes ws ${await slowCloses('ws')} sse ${await slowCloses('sse')}  drops ${drops}`)
  }
}
stopping = true
clearInterval(sampler)
await Promise.all(cycles)
for (const c of clients) { c.resume(); if (!c.connected) c.connect() }
const drainStarted = Date.now()
while (clients.some((c) => c.last < lastAcked) && Date.now() - drainStarted < 60_000) await sleep(100)
const behind = clients.filter((c) => c.last < lastAcked).length

// --- the books -----------------------------------------------------------------------------------------
let lost = 0, told = 0
for (const c of clients) { const s = c.settle(lastAcked, isAcked); lost += s.lost; told += s.told }
const sum = (f: (b: Books) => number) => f(books.ws) + f(books.sse)
const closes = (b: Books) => [...b.closes].map(([how, n]) => `${how}×${n}`).join(' ') || 'none'
const flat = flatness(samples, HISTORY / RATE / 60)
const heapFlat = flatness(heapSamples, HISTORY / RATE / 60)
console.log(`\nsoak result after ${clock(Date.now() - started)} (drained in ${((Date.now() - drainStarted) / 1000).toFixed(1)} s${behind ? `; ${behind} clients still behind` : ''}):`)
console.log(`  published: ${ackedCount} acknowledged (last offset ${lastAcked}), ${publishFailures} refused or failed`)
console.log(`  delivered: ${sum((b) => b.received)} envelopes to ${clients.length} clients; reconnects ${sum((b) => b.reconnects)} (random drops ${drops})`)
console.log(`  connection ends: ws ${closes(books.ws)}; sse ${closes(books.sse)}`)
console.log(`  slow phases: ${slowStats.phases}, closed by the server ${slowStats.closedByServer} of ${slowStats.phases * slowCount}, longest pause ${(slowStats.longestPauseMs / 1000).toFixed(1)} s`)
console.log(`  server RSS: ${flat.line}`)
console.log(`  server JS heap in use: ${heapFlat.line}`)
console.log(`  lost: ${lost} (expected 0)   duplicates: ${sum((b) => b.duplicates)} (expected 0)   unrecoverable (told): ${told}${sum((b) => b.epochChanges) ? `   epoch changes: ${sum((b) => b.epochChanges)} (books do not compare across them)` : ''}`)
for (const c of clients) c.drop()
process.exit(lost || sum((b) => b.duplicates) ? 1 : 0)
