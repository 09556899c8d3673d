/**
 * `npm run bench:ingest` — events as evidence of drift (#8): Falco alerts/s and CloudTrail records/s
 * from HTTP ingest (real server on loopback, token auth) through the real runtime (falco / cloudtrail
 * source → drift analyzer) to a drift envelope on the bus, against a Terraform state of 10k resources.
 * Single-record posts (64 in flight) and NDJSON batches; then p50/p99 ingest→drift latency with 10k
 * events/s offered. Goals (issue #8): ≥ 227k events/s (10× TFDrift-Falco's 22.7k/s), p99 < 50 ms.
 * Env: BENCH_EVENTS (default 200000) per batched run; BENCH_SECONDS (default 3) for the latency run.
 *
 * The server runs in a child process pinned to one core (`taskset -c 1`, the load generator on core 0)
 * so the generator's HTTP client neither shares nor steals the measured core, and with the V8 flags
 * tfdrift itself picks on one CPU (single-threaded GC, engine/cli/gc-mode.ts); the table also gives the
 * server's own CPU time per event (events per server-CPU-second: the one-core capacity). Latency is
 * measured on the monotonic clock both processes share. Two floor rows show what merely decoding and
 * parsing the same NDJSON (and serialising one envelope per event) costs on the server's core: on this
 * 2-core VM the 227k/s goal sits just under the parse + serialise floor, before any real work, so the
 * ratio to the floor is the figure to watch. BENCH_INPROCESS=1 runs everything in one process (for
 * --cpu-prof of the whole path). BENCH_ONLY=batch|single|latency (comma-separated) runs only those
 * scenarios, for profiling one path. BENCH_STORE=sqlite runs the server as `tfdrift run` does by default
 * (SQLite store journaling the bus, events and drifts persisted, answers sent once durable).
 */
import { cpus, loadavg, tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'node:http'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startRuntime } from '../engine/runtime.ts'
import { parseJsonBody } from '../engine/server/body.ts'
import { MemoryBus } from '../engine/bus/memory-bus.ts'
import { MemoryStore } from '../engine/store/memory-store.ts'
import { silentLogger } from '../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../engine/plugin-api.ts'
import type { ResourceInstance, Snapshot } from '../engine/model.ts'
import { Subject } from 'rxjs'
import falco from '../plugins/sources/falco/index.ts'
import cloudtrail from '../plugins/sources/cloudtrail/index.ts'
import drift from '../plugins/analysis/drift/index.ts'
import { GC_FLAGS, gcModeFor } from '../engine/cli/gc-mode.ts'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const STORE = process.env.BENCH_STORE === 'sqlite' ? 'sqlite' : 'memory'
const ONLY = new Set((process.env.BENCH_ONLY ?? 'batch,single,latency').split(','))
const RESOURCES = 10_000
const ACCOUNT = '123456789012'
const TOKEN = 'bench-ingest-token-0123456789'
const TYPES = ['t3.large', 't3.xlarge', 't3.2xlarge', 'm5.large', 'm5.xlarge']
/** Milliseconds on CLOCK_MONOTONIC, which every process of the machine shares (unlike performance.now()). */
const now = () => Number(process.hrtime.bigint()) / 1e6

const id = (i: number) => `i-${i.toString(16).padStart(17, '0')}`
function stateOf(): Snapshot {
  const resources: ResourceInstance[] = []
  for (let i = 0; i < RESOURCES; i++) {
    resources.push({
      address: `module.fleet.aws_instance.node["${i}"]`, mode: 'managed', type: 'aws_instance', name: 'node', module: 'module.fleet', index_key: String(i), provider: 'aws',
      resource_id: id(i), arn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${id(i)}`,
      attributes: { id: id(i), arn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${id(i)}`, instance_type: 't3.micro', ami: 'ami-0abc', disable_api_termination: false, monitoring: false, tags: { Name: `node-${i}`, team: 'core' }, vpc_security_group_ids: ['sg-0a'] },
    })
  }
  return { kind: 'expected', source: 'bench.tfstate', taken_at: new Date().toISOString(), serial: 1, lineage: 'bench', resources }
}

let seq = 0
/** A Falco CloudTrail-plugin alert (the shape of fixtures/falco/tfdrift-falco__demo__ModifyInstanceAttribute.json). */
function falcoAlert(): { body: string; key: string } {
  const n = seq++
  const key = `bench-${n}`
  return { key, body: JSON.stringify({ priority: 'Warning', rule: 'Terraform Managed Resource Modified', source: 'aws_cloudtrail', time: '2026-08-10T09:30:00.000000000Z',
    output_fields: { 'ct.name': 'ModifyInstanceAttribute', 'ct.id': key, 'ct.region': 'eu-west-1', 'ct.request': `{"instanceId":"${id(n % RESOURCES)}","instanceType":{"value":"${TYPES[Math.floor(n / RESOURCES) % TYPES.length]}"}}`,
      'ct.user': 'alice', 'ct.user.arn': `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`, 'ct.user.accountid': ACCOUNT, 'ct.srcip': '203.0.113.24' } }) }
}
/** A CloudTrail record as CloudTrail writes it; `lat-` keys are the latency run's, timed by the server. */
function cloudTrailRecord(prefix = 'bench'): { body: string; key: string } {
  const n = seq++
  const key = `${prefix}-${n}`
  return { key, body: JSON.stringify({ eventVersion: '1.09', eventTime: '2026-08-10T09:30:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'ModifyInstanceAttribute', awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.24', userAgent: 'aws-cli/2.15.0', eventID: key, eventType: 'AwsApiCall', readOnly: false, recipientAccountId: ACCOUNT,
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`, accountId: ACCOUNT },
    requestParameters: { instanceId: id(n % RESOURCES), instanceType: { value: TYPES[Math.floor(n / RESOURCES) % TYPES.length] } }, responseElements: { _return: true } }) }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
function post(port: number, path: string, body: string, ndjson: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** What the driver asks of the server (in-process: direct calls; otherwise over IPC). */
interface Server {
  port: number
  /** Waits until `target` drifts arrived; the server's CPU time so far (ms). */
  waitFor(target: number): Promise<{ cpuMs: number }>
  /** Arrival time (monotonic ms) of each drift of a `lat-` event. */
  arrivals(): Promise<Array<[string, number]>>
  /** The floor on the server's core (see `floor`). */
  floor(): Promise<{ parse: number; parseAndSerialise: number }>
  stop(): Promise<void>
}

/** The measured side: the runtime with its state, counting drifts and timing `lat-` ones. */
async function startServer(): Promise<Server & { count(): number }> {
  const state = new Subject<PipelineItem>()
  const discovery = definePlugin({ name: 'bench-state', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create: () => ({ output: state.asObservable() }) })
  const pipelines = { prod: { tenant: 'acme', discovery: [{ use: discovery, id: 'state' }], sources: [{ use: 'falco', with: { queue_size: 100_000, body_limit: 64 * 1024 * 1024 } }, { use: 'cloudtrail', with: { queue_size: 100_000, body_limit: 64 * 1024 * 1024 } }], analysis: [{ use: 'drift' }] } }
  const server = { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read' as const, 'publish' as const], name: 'bench' }] } }
  // BENCH_STORE=sqlite: as `tfdrift run` does by default — SQLite store journaling the bus, every event and drift
  // persisted, each ingest answered once durable. Otherwise the in-memory bus and store, nothing persisted.
  const dir = STORE === 'sqlite' ? mkdtempSync(join(tmpdir(), 'bench-ingest-')) : undefined
  const runtime = dir
    ? await startRuntime({ server, pipelines, store: { kind: 'sqlite', path: join(dir, 'tfdrift.db') } }, { logger: silentLogger, builtins: [falco, cloudtrail, drift] })
    : await startRuntime({ server, pipelines }, { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore(), persist: false, builtins: [falco, cloudtrail, drift] })
  const bus = runtime.bus
  state.next({ type: 'snapshot', data: stateOf() })
  await new Promise((r) => setTimeout(r, 500))
  let drifts = 0
  const arrived: Array<[string, number]> = []
  bus.live('acme', 'drifts').subscribe((e) => {
    drifts++
    const key = (e.data as { actor?: { event_id?: string } }).actor?.event_id
    if (key?.startsWith('lat-')) arrived.push([key, now()])
  })
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
  return {
    port: runtime.server!.port,
    count: () => drifts,
    async waitFor(target) {
      const deadline = Date.now() + 120_000
      while (drifts < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2))
      if (drifts < target) throw new Error(`only ${drifts} of ${target} drifts arrived`)
      return { cpuMs: cpuMs() }
    },
    async arrivals() { return arrived.splice(0) },
    async floor() { return floor() },
    async stop() {
      await runtime.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
      else await bus.close()
    },
  }
}

/** The server in a child process on core 1 (this process moves to core 0), driven over IPC. */
async function spawnServer(): Promise<{ server: Server; pinned: boolean; gcFlags: readonly string[] }> {
  const pin = cpus().length >= 2 && spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' }).status === 0
  // What `tfdrift run` does when it may use one CPU (TFDRIFT_GC applies here too).
  const gcFlags = pin ? GC_FLAGS[gcModeFor(process.env.TFDRIFT_GC, () => 1)] : []
  const args = [...gcFlags, ...process.execArgv, fileURLToPath(import.meta.url)]
  const child: ChildProcess = pin
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_ROLE: 'server' } })
    : spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_ROLE: 'server' } })
  let seqNo = 0
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  let ready!: (port: number) => void
  const port = new Promise<number>((r) => { ready = r })
  child.on('message', (m: { id?: number; port?: number; result?: unknown; error?: string }) => {
    if (m.port !== undefined) return ready(m.port)
    const w = waiting.get(m.id!)
    waiting.delete(m.id!)
    if (m.error) w?.reject(new Error(m.error))
    else w?.resolve(m.result)
  })
  child.on('exit', (code) => { for (const w of waiting.values()) w.reject(new Error(`the server exited (${code})`)) })
  const call = <T>(cmd: string, arg?: unknown) => new Promise<T>((resolve, reject) => {
    const id = ++seqNo
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
    child.send({ id, cmd, arg })
  })
  return {
    pinned: pin,
    gcFlags,
    server: {
      port: await port,
      waitFor: (target) => call('waitFor', target),
      arrivals: () => call('arrivals'),
      floor: () => call('floor'),
      stop: async () => { await call('stop'); child.disconnect() },
    },
  }
}

/**
 * The floor on this core: what only reading the same NDJSON bodies costs (the server's reader:
 * UTF-8 check, depth bound, JSON.parse per line), and that plus serialising one drift-sized envelope per event — work no ingest path can skip.
 * Events per CPU-second; the runtime's figures compare against these, not against another machine's.
 */
function floor(): { parse: number; parseAndSerialise: number } {
  const n = 100_000
  const bodies: Buffer[] = []
  for (let i = 0; i < n; i += 1000) bodies.push(Buffer.from(Array.from({ length: 1000 }, () => cloudTrailRecord('floor').body).join('\n')))
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
  const run = (serialise: boolean) => {
    const started = cpu()
    let sink = 0
    for (const body of bodies) {
      // The server's own reader (UTF-8 check, depth bound, a JSON.parse per line), not a copy of it.
      const parsed = parseJsonBody(body, 'application/x-ndjson')
      if (!parsed.ok) throw new Error(parsed.message)
      for (const r of parsed.value as Array<{ eventID: string; requestParameters: { instanceId: string; instanceType: { value: string } }; userIdentity: { arn: string } }>) {
        if (serialise) {
          sink += JSON.stringify({ id: r.eventID, offset: sink, topic: 'drifts', type: 'drift.updated', tenant: 'acme', time: '2026-08-10T09:30:00.000Z', data: {
            id: 'drift_0123456789abcdef', kind: 'modified', type: 'aws_instance', provider: 'aws', severity: 'medium', detected_at: '2026-08-10T09:30:00.000Z', status: 'open', evidence: 'event',
            resource_id: r.requestParameters.instanceId, actor: { user: 'alice', arn: r.userIdentity.arn, event_id: r.eventID },
            changes: [{ path: 'instance_type', expected: 't3.micro', actual: r.requestParameters.instanceType.value, sensitive: false }] } }).length
        } else sink += r.eventID.length
      }
    }
    if (sink < 0) throw new Error('unreachable')
    return n / ((cpu() - started) / 1000)
  }
  run(true) // warm up
  return { parse: run(false), parseAndSerialise: run(true) }
}

async function serve(): Promise<void> {
  const server = await startServer()
  process.on('message', async (m: { id: number; cmd: 'waitFor' | 'arrivals' | 'stop' | 'floor'; arg?: number }) => {
    try {
      const result = m.cmd === 'waitFor' ? await server.waitFor(m.arg!) : m.cmd === 'arrivals' ? await server.arrivals() : m.cmd === 'floor' ? floor() : await server.stop()
      process.send!({ id: m.id, result: result ?? null })
    } catch (error) {
      process.send!({ id: m.id, error: (error as Error).message })
    }
  })
  process.send!({ port: server.port })
}

async function main(): Promise<void> {
  const inProcess = process.env.BENCH_INPROCESS === '1'
  console.log(`bench:ingest — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; state of ${RESOURCES} resources; ${STORE === 'sqlite' ? 'SQLite store, everything persisted (the default run)' : 'in-memory bus and store, nothing persisted'}`)
  let server: Server
  if (inProcess) {
    server = await startServer()
    console.log('server and load generator in this one process (BENCH_INPROCESS=1)')
  } else {
    const spawned = await spawnServer()
    server = spawned.server
    console.log(spawned.pinned
      ? `server in a child process pinned to core 1 (taskset -c 1${spawned.gcFlags.length ? `, ${spawned.gcFlags.join(' ')} as tfdrift picks on one CPU` : ''}), load generator on core 0`
      : 'server in a child process (not pinned: taskset or a second core is missing)')
  }
  const port = server.port

  const rows: Array<[string, number, number]> = []
  let drifts = 0
  let cpuBefore = (await server.waitFor(0)).cpuMs
  const measure = async (target: number) => {
    const { cpuMs } = await server.waitFor(target)
    const used = cpuMs - cpuBefore
    cpuBefore = cpuMs
    return used
  }
  for (const [label, path, make] of [['Falco alerts', '/api/v1/falco/events', falcoAlert], ['CloudTrail records', '/api/v1/cloudtrail/events', () => cloudTrailRecord()]] as const) {
    // Batched NDJSON: 1000 per request, 8 requests in flight.
    if (ONLY.has('batch')) {
      const lines = Array.from({ length: EVENTS }, () => make().body)
      await measure(drifts)
      const started = now()
      let next = 0
      const worker = async () => {
        while (next < EVENTS) {
          const from = next
          next += 1000
          const status = await post(port, path, lines.slice(from, from + 1000).join('\n'), true)
          if (status !== 202) throw new Error(`batch answered ${status}`)
        }
      }
      await Promise.all(Array.from({ length: 8 }, worker))
      drifts += EVENTS
      const cpu = await measure(drifts)
      rows.push([`${label}, NDJSON batches of 1000`, EVENTS / ((now() - started) / 1000), EVENTS / (cpu / 1000)])
    }
    // Single: one record per POST, 64 in flight.
    if (ONLY.has('single')) {
      const n = Math.min(EVENTS, 20_000)
      const bodies = Array.from({ length: n }, () => make().body)
      await measure(drifts)
      const started = now()
      let next = 0
      const worker = async () => { while (next < n) { const status = await post(port, path, bodies[next++]!, false); if (status !== 202) throw new Error(`post answered ${status}`) } }
      await Promise.all(Array.from({ length: 64 }, worker))
      drifts += n
      const cpu = await measure(drifts)
      rows.push([`${label}, one per request (64 in flight)`, n / ((now() - started) / 1000), n / (cpu / 1000)])
    }
  }

  // Latency at 10k events/s offered: 100 CloudTrail records every 10 ms, NDJSON.
  const seen = new Map<string, number>()
  let latencies: number[] = []
  let offered = 0
  if (ONLY.has('latency')) {
    const ticks = SECONDS * 100
    const startedAt = now()
    for (let t = 0; t < ticks; t++) {
      const batch = Array.from({ length: 100 }, () => cloudTrailRecord('lat'))
      const at = now()
      for (const b of batch) seen.set(b.key, at)
      void post(port, '/api/v1/cloudtrail/events', batch.map((b) => b.body).join('\n'), true)
      const wait = startedAt + (t + 1) * 10 - now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
    drifts += ticks * 100
    await server.waitFor(drifts)
    offered = (ticks * 100) / ((now() - startedAt) / 1000)
    latencies = (await server.arrivals()).flatMap(([key, t]) => (seen.has(key) ? [t - seen.get(key)!] : []))
    latencies.sort((a, b) => a - b)
  }
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!

  const bound = await server.floor()
  const fmt = (rate: number) => Math.round(rate).toLocaleString('en-US')
  console.log('\n| scenario | events/s | goal ≥ 227,000/s | server CPU: events per CPU-second |')
  console.log('| --- | ---: | --- | ---: |')
  for (const [label, rate, perCpu] of rows) console.log(`| ${label} | ${fmt(rate)} | ${rate >= 227_000 ? 'met' : `not met (${(rate / 227_000 * 100).toFixed(0)}%)`} | ${fmt(perCpu)} |`)
  console.log(`| floor on the same core: the server's NDJSON reader (UTF-8, depth bound, JSON.parse per line), nothing else | | | ${fmt(bound.parse)} |`)
  console.log(`| floor: that + serialising one drift-sized envelope per event | | | ${fmt(bound.parseAndSerialise)} |`)
  if (latencies.length) console.log(`\nIngest→drift latency, CloudTrail NDJSON at ${fmt(offered)} events/s offered (${latencies.length} samples): p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms — goal p99 < 50 ms: ${pct(0.99) < 50 ? 'met' : 'not met'}`)
  await server.stop()
  agent.destroy()
}

if (process.env.BENCH_ROLE === 'server') serve().catch((error) => { console.error(error); process.exit(1) })
else main().catch((error) => { console.error(error); process.exit(1) })
