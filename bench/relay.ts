/**
 * `npm run bench:relay` — realtime fan-out benchmark: the tfdrift server (uWS) against the baseline a
 * typical user writes (`ws` + JSON.stringify per client + broadcast loop; node:http SSE loop), in the
 * same run. The server process is pinned to CPU 0, this load generator to CPU 1 (raw sockets, frame
 * headers only: see relay/client.ts). Prints one table with ratios.
 *
 * Scenarios: fan-out deliveries/s and server CPU-µs per delivery at 1k and 10k subscribers (~200-byte
 * frames); publish→receive p50/p99 at 10k subscribers at 50% of the measured saturation, and the server's
 * time to write one lone message to all 10k (one send() per socket: the floor under that p99); RSS per idle
 * connection; 1% of clients not reading (their p99 effect, RSS bound, slow-consumer closes and lossless
 * recovery by offset).
 * Env: BENCH_QUICK=1 runs 1k subscribers only; BENCH_SECONDS (default 2) per throughput run.
 */
import { fork, execSync, type ChildProcess } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { openMany, RawClient } from './relay/client.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const QUICK = process.env.BENCH_QUICK === '1'
const PAD = 30 // envelope frame of ~200 bytes
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function pin(pid: number, cpu: number): void {
  try { execSync(`taskset -a -cp ${cpu} ${pid}`, { stdio: 'ignore' }) } catch { /* not Linux / no taskset: unpinned */ }
}
pin(process.pid, 1)

interface Srv { port: number; kind: string; call<T = any>(m: object): Promise<T>; kill(): void }

async function spawn(kind: 'tfdrift' | 'ws' | 'sse', maxBuffer = 64 * 1024 * 1024): Promise<Srv> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./relay/server.ts', import.meta.url)), [kind, String(maxBuffer)], {
    execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const first = await new Promise<{ port: number }>((resolve, reject) => { child.once('message', resolve as never); child.once('exit', () => reject(new Error(`${kind} server exited`))) })
  pin(child.pid!, 0)
  let queue = Promise.resolve<unknown>(undefined)
  return {
    port: first.port, kind,
    call(m) {
      const p = queue.then(() => new Promise((resolve) => { child.once('message', resolve); child.send(m) }))
      queue = p
      return p as Promise<any>
    },
    kill: () => child.kill('SIGKILL'),
  }
}

interface Probe { call<T = any>(m: object): Promise<T>; kill(): void }

/** Starts the latency probe (its sockets count among the subscribers) on CPU 1. */
async function probe(port: number): Promise<Probe> {
  const child = fork(fileURLToPath(new URL('./relay/probe.ts', import.meta.url)), [String(port)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise((resolve, reject) => { child.once('message', resolve); child.once('exit', () => reject(new Error('probe exited'))) })
  pin(child.pid!, 1)
  let queue = Promise.resolve<unknown>(undefined)
  return {
    call(m) {
      const p = queue.then(() => new Promise((resolve) => { child.once('message', resolve); child.send(m) }))
      queue = p
      return p as Promise<any>
    },
    kill: () => child.kill('SIGKILL'),
  }
}

function clientsFor(srv: Srv, transport: 'ws' | 'sse', n: number, opts: { sample?: number; latencies?: number[] } = {}): Promise<RawClient[]> {
  const path = transport === 'ws' ? '/ws' : srv.kind === 'sse' ? '/' : '/api/v1/stream?topic=events'
  return openMany(n, (i) => new RawClient({
    port: srv.port, kind: transport, path, subscribe: '{"type":"subscribe","topic":"events"}',
    sample: i < (opts.sample ?? 0), onLatency: (ms) => opts.latencies?.push(ms),
  }))
}

const total = (cs: RawClient[]) => { let s = 0; for (const c of cs) s += c.frames; return s }
async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) { if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`); await sleep(2) }
}

async function waitForAsync(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) { if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`); await sleep(5) }
}

/** Waits for setup frames (welcome/subscribed/retry), then zeroes the counters. */
async function settle(cs: RawClient[], setup: number): Promise<void> {
  await waitFor(() => cs.every((c) => c.frames >= setup), 'subscriptions')
  for (const c of cs) c.frames = 0
}

const SETUP: Record<string, number> = { 'tfdrift/ws': 2, 'tfdrift/sse': 2, 'ws/ws': 2, 'sse/sse': 1 }

interface Fanout { dps: number; cpuPerDelivery: number; msgsPerSec: number }

/**
 * Pipelined bursts for SECONDS on already-connected subscribers (bulk `cs` plus the probe's `extra`);
 * the next burst goes out once the previous one reached every bulk subscriber.
 */
async function fanout(srv: Srv, cs: RawClient[], extra: number, pr?: Probe): Promise<Fanout> {
  const n = cs.length + extra
  for (const c of cs) c.frames = 0
  await pr?.call({ cmd: 'reset' })
  const burst = Math.max(5, Math.ceil(100_000 / n))
  const s0 = await srv.call({ cmd: 'stats' })
  const t0 = now()
  let published = 0
  while (now() - t0 < SECONDS * 1000) {
    await srv.call({ cmd: 'publish', count: burst, size: PAD })
    published += burst
    await waitFor(() => total(cs) >= cs.length * (published - burst), 'burst delivery')
  }
  await waitFor(() => total(cs) >= cs.length * published, 'all deliveries')
  if (pr) await waitForAsync(async () => (await pr.call({ cmd: 'frames' })).min >= published, 'probe deliveries')
  const t1 = now()
  const s1 = await srv.call({ cmd: 'stats' })
  const deliveries = n * published
  if (total(cs) !== cs.length * published) throw new Error(`bench: ${total(cs)} deliveries, expected ${cs.length * published}`)
  return { dps: deliveries / ((t1 - t0) / 1000), cpuPerDelivery: (s1.cpu_us - s0.cpu_us) / deliveries, msgsPerSec: published / ((t1 - t0) / 1000) }
}

function pct(values: number[], p: number): number {
  if (!values.length) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/**
 * Paced publishing at `rate` msgs/s for up to 2 s; latency measured by the probe process. The bulk
 * subscribers stop reading during the run (the kernel buffers hold the few KB each one gets; they read
 * it all afterwards and are checked): the server does the same fan-out work, but the load generator's
 * own CPU (≈30 µs per socket read in Node, 0.3 s per message at 10k) no longer delays the probe.
 */
async function latency(srv: Srv, cs: RawClient[], pr: Probe, rate: number): Promise<Lat> {
  for (const c of cs) c.frames = 0
  await pr.call({ cmd: 'reset' })
  // Short enough that a paused socket's share (≈250 B per message) stays inside its kernel buffers.
  const seconds = Math.min(2, (96 * 1024) / (rate * 250))
  for (const c of cs) c.pause()
  await srv.call({ cmd: 'rate', rate, seconds, size: PAD })
  const expected = Math.round(rate * seconds)
  await waitForAsync(async () => (await pr.call({ cmd: 'frames' })).min >= expected, 'probe deliveries')
  const { latencies } = await pr.call<{ latencies: number[] }>({ cmd: 'collect' })
  // Server-side time of one lone message's fan-out round (publish → write to the last socket): one
  // send() per subscriber, so no subscriber's latency can beat it by much (the p99 subscriber is ~last).
  const rounds: number[] = []
  for (let i = 0; i < ROUNDS; i++) rounds.push((await srv.call<{ ms: number }>({ cmd: 'round', size: PAD })).ms)
  for (const c of cs) c.resume()
  await waitFor(() => cs.every((c) => c.frames >= expected + ROUNDS), 'latency run deliveries')
  await waitForAsync(async () => (await pr.call({ cmd: 'frames' })).min >= expected + ROUNDS, 'probe deliveries')
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), round: pct(rounds, 50) }
}

const ROUNDS = 3
interface Lat { p50: number; p99: number; round: number }
interface KindResult { fan: Record<number, Fanout>; memPerConn: number; lat?: Lat; lat2?: Lat }

/**
 * One server process per implementation: subscribers are added 1k → 10k (a 100-socket latency probe
 * among them for WS, spread evenly over the final subscriber list), fan-out is measured at each size, RSS per idle connection from the growth
 * between the sizes, then latency at the largest size at the given rates.
 */
async function measure(kind: 'tfdrift' | 'ws' | 'sse', transport: 'ws' | 'sse', latencyRates: (own: Fanout) => number[] = () => []): Promise<KindResult> {
  const srv = await spawn(kind)
  const out: KindResult = { fan: {}, memPerConn: NaN }
  let pr: Probe | undefined
  try {
    const setup = SETUP[`${kind}/${transport}`]
    const probeCount = transport === 'ws' ? 100 : 0
    const cs: RawClient[] = []
    let rssPrev = 0, nPrev = 0, probesOpen = 0
    for (const n of SIZES) {
      if (nPrev === 0 && probeCount) pr = await probe(srv.port)
      // Probe sockets spread evenly over the WHOLE subscriber list at the largest size: each size step
      // gets its share, one probe after each slice of bulk subscribers. The ws baseline sends in Set
      // insertion order, so probes that all joined in the first 1k of 10k saw only the first ~11% of its
      // broadcast loop (p50 10 ms while the loop takes ~200 ms); uWS sends in its own (address) order.
      const probesNow = probeCount ? Math.round((probeCount * n) / SIZES[SIZES.length - 1]) - probesOpen : 0
      const add = n - nPrev - probesNow
      const slices = Math.max(1, probesNow)
      for (let k = 0; k < slices; k++) {
        const part = await clientsFor(srv, transport, Math.floor((add * (k + 1)) / slices) - Math.floor((add * k) / slices))
        await settle(part, setup)
        cs.push(...part)
        if (probesNow && pr) await pr.call({ cmd: 'open', count: 1 })
      }
      probesOpen += probesNow
      await srv.call({ cmd: 'gc' })
      const rss = (await srv.call({ cmd: 'stats' })).rss
      if (nPrev) out.memPerConn = (rss - rssPrev) / (n - nPrev)
      rssPrev = rss
      nPrev = n
      out.fan[n] = await fanout(srv, cs, probesOpen, pr)
      console.error(`  ${kind}/${transport} ${n} subs: ${fmt(out.fan[n].dps)} deliveries/s, ${fmt(out.fan[n].cpuPerDelivery, 3)} µs CPU/delivery`)
    }
    if (pr) {
      const [r1, r2] = latencyRates(out.fan[SIZES[SIZES.length - 1]])
      if (r1) out.lat = await latency(srv, cs, pr, r1)
      if (r2) out.lat2 = await latency(srv, cs, pr, r2)
    }
    for (const c of cs) c.close()
    return out
  } finally { pr?.kill(); srv.kill() }
}

interface SlowResult { p99Without: number; p99With: number; rssBefore: number; rssAfter: number; slowClosed: string; sent: number; received: number; recovered: number; lost: number; dup: number }

/** 1% of subscribers stop reading; the others' p99, RSS, slow closes, then lossless recovery of the slow ones. */
async function slowConsumers(n = 200, rate = 600, size = 1000, seconds = 5): Promise<SlowResult> {
  const srv = await spawn('tfdrift', 1024 * 1024)
  try {
    const PROBE = 20
    const run = async (slowCount: number) => {
      const pr = await probe(srv.port)
      const cs: RawClient[] = []
      for (let k = 0; k < PROBE; k++) {
        cs.push(...(await clientsFor(srv, 'ws', (n - PROBE) / PROBE)))
        await pr.call({ cmd: 'open', count: 1 })
      }
      await settle(cs, 2)
      await pr.call({ cmd: 'reset' })
      const slow = slowCount ? cs.slice(cs.length - slowCount) : []
      for (const c of slow) { c.offsets = []; c.pause() }
      const readers = cs.slice(0, cs.length - slowCount)
      const startSeq = (await srv.call({ cmd: 'stats' })).seq
      const rssBefore = (await srv.call({ cmd: 'stats' })).rss
      // Without slow clients: `seconds`. With them: the same, then on until the server has closed them all.
      await srv.call({ cmd: 'rate', rate, seconds, size })
      for (let extra = 0; slowCount && (await srv.call({ cmd: 'stats' })).conns > n - slowCount; extra++) {
        if (extra > 20) throw new Error('bench: the slow consumers were never closed')
        await srv.call({ cmd: 'rate', rate, seconds: 1, size })
      }
      const endSeq = (await srv.call({ cmd: 'stats' })).seq
      await waitFor(() => readers.every((c) => c.frames >= endSeq - startSeq || c.ended), 'readers caught up')
      const dropped = readers.filter((c) => c.frames < endSeq - startSeq)
      if (dropped.length) throw new Error(`bench: ${dropped.length} readers were closed (codes ${[...new Set(dropped.map((c) => c.closeCode))]}) — the load generator cannot keep up; lower the rate`)
      const rssAfter = (await srv.call({ cmd: 'stats' })).rss
      const readerLat = (await pr.call<{ latencies: number[] }>({ cmd: 'collect' })).latencies
      pr.kill()
      return { cs, slow, readers, startSeq, endSeq, rssBefore, rssAfter, readerLat }
    }
    const base = await run(0)
    for (const c of base.cs) c.close()
    const withSlow = await run(Math.max(1, Math.round(n / 100)))
    // Let the slow ones read what the kernel and server held for them, up to the 4008 close.
    for (const c of withSlow.slow) c.resume()
    await waitFor(() => withSlow.slow.every((c) => c.ended || c.closeCode !== 0), 'slow clients closed', 30_000)
    const codes = withSlow.slow.map((c) => c.closeCode)
    let recovered = 0, lost = 0, dup = 0, received = 0
    for (const c of withSlow.slow) {
      const first = c.offsets!.slice()
      received += first.filter((o) => o > withSlow.startSeq).length
      const last = first.length ? first[first.length - 1] : 0
      const again = new RawClient({ port: srv.port, kind: 'ws', path: '/ws', subscribe: `{"type":"subscribe","topic":"events","since":${last}}`, sample: true })
      again.offsets = []
      await again.ready
      const want = withSlow.endSeq
      await waitFor(() => again.offsets!.length > 0 && again.offsets![again.offsets!.length - 1] >= want, 'recovery', 30_000)
      recovered += again.offsets!.filter((o) => o > Math.max(last, withSlow.startSeq)).length
      const all = [...first, ...again.offsets!].filter((o) => o > withSlow.startSeq)
      dup += all.length - new Set(all).size
      lost += (withSlow.endSeq - withSlow.startSeq) - new Set(all).size
      again.close()
    }
    for (const c of withSlow.cs) c.close()
    return {
      p99Without: pct(base.readerLat, 99), p99With: pct(withSlow.readerLat, 99),
      rssBefore: withSlow.rssBefore, rssAfter: withSlow.rssAfter, slowClosed: codes.join(','),
      sent: (withSlow.endSeq - withSlow.startSeq) * withSlow.slow.length, received, recovered, lost, dup,
    }
  } finally { srv.kill() }
}

const fmt = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a')
const rows: Array<[string, string, string, string]> = []
const row = (name: string, ours: number, base: number, unit: string, d = 0, higherIsBetter = true) =>
  rows.push([name, `${fmt(ours, d)} ${unit}`, `${fmt(base, d)} ${unit}`, `${fmt(higherIsBetter ? ours / base : base / ours, 1)}×`])

const started = Date.now()
const SIZES = QUICK ? [1000, 2000] : [1000, 10_000]
const big = SIZES[SIZES.length - 1]
console.error('measuring (server on CPU 0, load generator on CPU 1)…')
const wsBase = await measure('ws', 'ws', (own) => [Math.max(1, Math.floor(own.msgsPerSec / 2))])
// Same offered load for both servers: 50% of the baseline's saturation; then 50% of tfdrift's own.
const baseRate = Math.max(1, Math.floor(wsBase.fan[big].msgsPerSec / 2))
let ownRate = 0
const wsOurs = await measure('tfdrift', 'ws', (own) => { ownRate = Math.max(1, Math.floor(own.msgsPerSec / 2)); return [baseRate, ownRate] })
const sseOurs = await measure('tfdrift', 'sse')
const sseBase = await measure('sse', 'sse')
for (const n of SIZES) {
  row(`WS fan-out ${n / 1000}k subs: deliveries/s`, wsOurs.fan[n].dps, wsBase.fan[n].dps, '/s')
  row(`WS fan-out ${n / 1000}k subs: server CPU per delivery`, wsOurs.fan[n].cpuPerDelivery, wsBase.fan[n].cpuPerDelivery, 'µs', 3, false)
}
for (const n of SIZES) {
  row(`SSE fan-out ${n / 1000}k subs: deliveries/s`, sseOurs.fan[n].dps, sseBase.fan[n].dps, '/s')
  row(`SSE fan-out ${n / 1000}k subs: server CPU per delivery`, sseOurs.fan[n].cpuPerDelivery, sseBase.fan[n].cpuPerDelivery, 'µs', 3, false)
}
row(`WS latency p50 @${big / 1000}k subs, ${baseRate} msg/s`, wsOurs.lat!.p50, wsBase.lat!.p50, 'ms', 2, false)
row(`WS latency p99 @${big / 1000}k subs, ${baseRate} msg/s`, wsOurs.lat!.p99, wsBase.lat!.p99, 'ms', 2, false)
row(`WS one-message fan-out round @${big / 1000}k (server)`, wsOurs.lat!.round, wsBase.lat!.round, 'ms', 2, false)
row('RSS per idle WS connection', wsOurs.memPerConn / 1024, wsBase.memPerConn / 1024, 'KiB', 1, false)
row('RSS per idle SSE connection', sseOurs.memPerConn / 1024, sseBase.memPerConn / 1024, 'KiB', 1, false)
const latOurs50 = wsOurs.lat2!
const oursRate = ownRate
console.error('measuring slow consumers…')
const slow = await slowConsumers()
const n = big

const w = [Math.max(...rows.map((r) => r[0].length)), 20, 20, 8]
const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')
console.log(`\nrealtime relay bench — server pinned to CPU 0, load generator to CPU 1, ~200-byte frames, ${SECONDS}s per fan-out run; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`)
console.log(line(['scenario', 'tfdrift (uWS)', 'baseline (ws/http)', 'ratio']))
console.log(line(w.map((x) => '-'.repeat(x))))
for (const r of rows) console.log(line(r))
console.log(`\nWS latency at 50% of tfdrift's own saturation (${oursRate} msg/s × ${n} subs = ${fmt(oursRate * n)} deliveries/s): p50 ${fmt(latOurs50.p50, 2)} ms, p99 ${fmt(latOurs50.p99, 2)} ms`)
console.log(`\n1% slow consumers (200 subs, 2 not reading from the start, 600 msg/s of ~1 KB until both are closed, max_buffer_bytes 1 MiB):`)
console.log(`  readers' p99: ${fmt(slow.p99Without, 2)} ms without slow clients → ${fmt(slow.p99With, 2)} ms with (${fmt((slow.p99With / slow.p99Without - 1) * 100, 0)}%)`)
console.log(`  server RSS: ${fmt(slow.rssBefore / 2 ** 20, 1)} MiB before → ${fmt(slow.rssAfter / 2 ** 20, 1)} MiB after; slow clients closed with code ${slow.slowClosed}`)
console.log(`  slow clients: sent ${slow.sent}, received before close ${slow.received}, recovered after reconnect ${slow.recovered}, lost ${slow.lost}, duplicates ${slow.dup}`)
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`)
