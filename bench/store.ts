/**
 * Store and bus benchmark (`npm run bench:store`): batched drift inserts/s, paginated filtered queries
 * over 1M drifts (first page, deep page by keyset cursor and by page number, p50/p99), and MemoryBus
 * publish/s — each beside a baseline written the way a typical user would, with the ratio.
 * Env: BENCH_DRIFTS (default 1_000_000), BENCH_MEASURED (inserted through the store and timed, default
 * 200_000; the rest are prefilled with indexes built afterwards), BENCH_PUBLISHES (default 1_000_000).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Subject } from 'rxjs'
import Database from 'better-sqlite3'
import type { Drift, Severity } from '../engine/model.ts'
import type { DriftQuery } from '../engine/store/store.ts'
import { SqliteStore } from '../engine/store/sqlite-store.ts'
import { encodeCursor, severityRank } from '../engine/store/paging.ts'
import { MemoryBus } from '../engine/bus/memory-bus.ts'
import type { Envelope } from '../engine/envelope.ts'
import { RedisBus } from '../engine/bus/redis-bus.ts'
import { startRedis } from '../test/support/redis.ts'

const DRIFTS = Number(process.env.BENCH_DRIFTS ?? 1_000_000)
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 1_000_000)
/** How many of the drifts are inserted through the store and timed; the rest are prefilled. */
const MEASURED = Math.min(DRIFTS, Number(process.env.BENCH_MEASURED ?? 200_000))
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-bench-'))
const rows: Array<Record<string, string>> = []
/** Figures are from this process's CPU time (user + system), so other load on a shared machine skews them less; `wall` is the same figure by the wall clock. */
const row = (metric: string, ours: number, baseline: number | undefined, unit: string, goal: string, better: 'higher' | 'lower', wall?: number) => rows.push({
  metric, tfdrift: fmt(ours), baseline: baseline === undefined ? '-' : fmt(baseline),
  ratio: baseline === undefined ? '-' : `${(better === 'higher' ? ours / baseline : baseline / ours).toFixed(1)}×`, unit, goal,
  'tfdrift (wall)': wall === undefined ? '-' : fmt(wall),
})
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
/** Runs fn once; returns its CPU and wall milliseconds. */
async function clock(fn: () => unknown): Promise<{ cpu: number; wall: number }> {
  const c = cpuMs(), w = performance.now()
  await fn()
  return { cpu: cpuMs() - c, wall: performance.now() - w }
}
const fmt = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1))

const SEVERITIES: Severity[] = ['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'low', 'info', 'info']
const TYPES = Array.from({ length: 40 }, (_, i) => ['aws_instance', 'aws_security_group', 'aws_s3_bucket', 'aws_iam_role', 'aws_db_instance', 'aws_lambda_function', 'aws_subnet', 'aws_vpc'][i % 8] + (i >= 8 ? `_${i}` : ''))
const PROVIDERS = ['aws', 'aws', 'aws', 'google', 'azurerm']
const STATUSES = ['open', 'open', 'open', 'acknowledged', 'resolved'] as const
const start = Date.parse('2026-10-01T00:00:00.000Z')

function makeDrift(i: number): Drift {
  const h = Math.imul(i + 1, 2654435761) >>> 0 // spreads the fields independently of each other
  const type = TYPES[h % TYPES.length]
  return {
    id: `01JD${String(i).padStart(22, '0')}`,
    kind: (['modified', 'modified', 'missing', 'unmanaged'] as const)[(h >>> 20) % 4],
    address: `module.net["eu-west-1"].${type}.r${i}`,
    type,
    provider: PROVIDERS[(h >>> 8) % PROVIDERS.length],
    resource_id: `r-${h.toString(16)}`,
    changes: [{ path: 'tags.Owner', expected: 'platform', actual: 'alice', sensitive: false }],
    severity: SEVERITIES[(h >>> 12) % SEVERITIES.length],
    actor: { user: 'alice', event_name: 'CreateTags', source_ip: '203.0.113.7' },
    detected_at: new Date(start + i * 2500).toISOString(),
    status: STATUSES[(h >>> 16) % STATUSES.length],
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
async function timeQueries(runs: number, fn: () => unknown): Promise<{ p50: number; p99: number; wall50: number; wall99: number }> {
  for (let i = 0; i < Math.min(5, Math.ceil(runs / 5)); i++) await fn() // warm the page cache and statement cache
  const cpu: number[] = []
  const wall: number[] = []
  for (let i = 0; i < runs; i++) { const t = await clock(fn); cpu.push(t.cpu); wall.push(t.wall) }
  cpu.sort((a, b) => a - b); wall.sort((a, b) => a - b)
  return { p50: percentile(cpu, 50), p99: percentile(cpu, 99), wall50: percentile(wall, 50), wall99: percentile(wall, 99) }
}

async function benchInserts(): Promise<SqliteStore> {
  // Baseline: what a typical user writes first — one autocommitted INSERT per drift (WAL, synchronous=NORMAL).
  const naive = new Database(join(dir, 'naive.db'))
  naive.pragma('journal_mode = WAL'); naive.pragma('synchronous = NORMAL')
  naive.exec('CREATE TABLE drifts (tenant TEXT, id TEXT, severity TEXT, detected_at TEXT, data TEXT, PRIMARY KEY (tenant, id))')
  const ins = naive.prepare('INSERT INTO drifts VALUES (?, ?, ?, ?, ?)')
  const naiveN = 20_000
  const naiveDrifts = Array.from({ length: naiveN }, (_, i) => makeDrift(i))
  const naiveTime = await clock(() => { for (const d of naiveDrifts) ins.run('acme', d.id, d.severity, d.detected_at, JSON.stringify(d)) })
  const naiveRate = naiveN / (naiveTime.cpu / 1000)
  naive.close()

  // Prefill the first DRIFTS - MEASURED rows the fast way (no secondary indexes, then build them),
  // so the timed inserts below go into a table and indexes already near 1M rows.
  const path = join(dir, 'store.db')
  await new SqliteStore({ path }).close()
  const prefill = DRIFTS - MEASURED
  const fill = new Database(path)
  const indexes = fill.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'drifts' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>
  for (const index of indexes) fill.exec(`DROP INDEX ${index.name}`)
  const put = fill.prepare('INSERT INTO drifts (tenant, id, detected_ms, severity, status, kind, provider, type, address, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  fill.transaction(() => {
    for (let i = 0; i < prefill; i++) {
      const d = makeDrift(i)
      put.run('acme', d.id, Date.parse(d.detected_at), severityRank(d.severity), d.status, d.kind, d.provider, d.type, d.address ?? null, JSON.stringify(d))
    }
    for (const index of indexes) fill.exec(index.sql)
    fill.exec('INSERT INTO drift_counts SELECT tenant, severity, status, kind, provider, type, COUNT(*) FROM drifts GROUP BY 1, 2, 3, 4, 5, 6')
  })()
  fill.close()

  const store = new SqliteStore({ path })
  const batch = 5000
  // Only the store's calls are timed; building the drift objects is the producer's cost.
  const time = { cpu: 0, wall: 0 }
  const add = (t: { cpu: number; wall: number }) => { time.cpu += t.cpu; time.wall += t.wall }
  for (let i = prefill; i < DRIFTS; i += batch) {
    const drifts = new Array<Drift>(Math.min(batch, DRIFTS - i))
    for (let j = 0; j < drifts.length; j++) drifts[j] = makeDrift(i + j)
    add(await clock(() => store.saveDrifts('acme', drifts)))
  }
  const beta = Array.from({ length: 1000 }, (_, i) => makeDrift(i))
  add(await clock(async () => { await store.saveDrifts('beta', beta); await store.flush() }))
  const n = MEASURED + 1000
  row(`drift inserts/s, batched (${fmt(n)} rows into ${fmt(prefill)})`, n / (time.cpu / 1000), naiveRate, 'rows/s', '≥ 100,000', 'higher', n / (time.wall / 1000))
  return store
}

async function benchQueries(store: SqliteStore): Promise<void> {
  const raw = new Database(join(dir, 'store.db'), { readonly: true })
  const runs = 100
  const measure = async (label: string, query: DriftQuery, baselineSql?: { where: string; params: unknown[]; offset: number }) => {
    let last = 0
    const ours = await timeQueries(runs, async () => { last = (await store.listDrifts('acme', query)).items.length })
    let base: { p50: number; p99: number } | undefined
    if (baselineSql) {
      // Baseline: COUNT(*) plus ORDER BY … LIMIT/OFFSET selecting full rows, the usual first implementation.
      const count = raw.prepare(`SELECT COUNT(*) FROM drifts WHERE ${baselineSql.where}`).pluck()
      const page = raw.prepare(`SELECT data FROM drifts WHERE ${baselineSql.where} ORDER BY detected_ms DESC, id DESC LIMIT 50 OFFSET ?`)
      base = await timeQueries(5, () => { count.get(...baselineSql.params); page.all(...baselineSql.params, baselineSql.offset) })
    }
    if (last === 0) throw new Error(`query ${label} returned nothing`)
    row(`${label} p50`, ours.p50, base?.p50, 'ms', '< 20', 'lower', ours.wall50)
    row(`${label} p99`, ours.p99, base?.p99, 'ms', '< 20', 'lower', ours.wall99)
  }
  await measure('page 1, no filter', { limit: 50 }, { where: "tenant = 'acme'", params: [], offset: 0 })
  await measure('page 1, severity_min=high', { limit: 50, severity_min: 'high' }, { where: "tenant = 'acme' AND severity <= 1", params: [], offset: 0 })
  await measure('page 1, status=open provider=google', { limit: 50, status: 'open', provider: 'google' }, { where: "tenant = 'acme' AND status = 'open' AND provider = 'google'", params: [], offset: 0 })
  await measure('page 1, resource_type=aws_iam_role', { limit: 50, resource_type: 'aws_iam_role' }, { where: "tenant = 'acme' AND type = 'aws_iam_role'", params: [], offset: 0 })
  // A cursor in the middle of the table: what page 10,000 of 50 becomes when walked with next_cursor.
  const middle = raw.prepare("SELECT detected_ms AS time, rowid AS seq FROM drifts WHERE tenant = 'acme' ORDER BY detected_ms DESC, rowid DESC LIMIT 1 OFFSET ?").get(Math.floor(DRIFTS / 2)) as { time: number; seq: number }
  const deepPage = Math.floor(DRIFTS / 2 / 50)
  await measure(`deep page ${fmt(deepPage)} by cursor, severity_min=medium`, { limit: 50, severity_min: 'medium', cursor: encodeCursor(middle) },
    { where: "tenant = 'acme' AND severity <= 2", params: [], offset: Math.floor(DRIFTS / 2 * 0.6) })
  const byPage = await timeQueries(20, () => store.listDrifts('acme', { limit: 50, page: deepPage }))
  row(`deep page ${fmt(deepPage)} by page number (OFFSET) p50`, byPage.p50, undefined, 'ms', 'use cursor', 'lower', byPage.wall50)
  await measure('by address', { address: makeDrift(7).address })
  raw.close()
}

async function benchBus(): Promise<void> {
  const bus = new MemoryBus()
  let seen = 0
  bus.live('acme', 'drifts').subscribe(() => { seen++ })
  bus.liveAll().subscribe(() => { seen++ })
  const data = { id: 'd1', severity: 'high' }
  for (let i = 0; i < 100_000; i++) bus.publishSync({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data })
  const sync = await clock(() => { for (let i = 0; i < PUBLISHES; i++) bus.publishSync({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data }) })
  const n = PUBLISHES / 4
  const viaPromise = await clock(async () => { for (let i = 0; i < n; i++) await bus.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data }) })
  if (seen < 2 * PUBLISHES) throw new Error('subscribers missed envelopes')
  await bus.close()

  // Baseline: a bare RxJS Subject handed ready-made envelopes — no ids, offsets, history or routing.
  const subject = new Subject<Envelope>()
  let bare = 0
  subject.subscribe(() => { bare++ }); subject.subscribe(() => { bare++ })
  const bareTime = await clock(() => { for (let i = 0; i < PUBLISHES; i++) subject.next({ id: 'x', offset: i, topic: 'drifts', type: 'drift.detected', tenant: 'acme', time: '', data }) })
  const bareRate = PUBLISHES / (bareTime.cpu / 1000)
  if (bare !== 2 * PUBLISHES) throw new Error('baseline miscounted')
  row('MemoryBus publishSync/s (2 subscribers, 10k history)', PUBLISHES / (sync.cpu / 1000), bareRate, 'events/s', '≥ 1,000,000', 'higher', PUBLISHES / (sync.wall / 1000))

  await benchDurablePublish(bareRate)
  row('MemoryBus await publish()/s', n / (viaPromise.cpu / 1000), bareRate, 'events/s', '-', 'higher', n / (viaPromise.wall / 1000))
}

/**
 * What `POST /api/v1/publish` does on the default setup (memory bus journaled to SQLite): 50-event
 * batches from 16 publishers at once, each awaited until durable (group commit per event-loop turn).
 * Baseline: the same rows committed in one transaction per batch before acknowledging it, as a
 * publisher that wants durability without group commit would write it.
 */
async function benchDurablePublish(bareRate: number): Promise<void> {
  const total = Math.max(50_000, Math.floor(PUBLISHES / 4))
  const batches = Math.floor(total / 50)
  const data = { id: 'd1', severity: 'high', address: 'aws_security_group.web' }
  const store = new SqliteStore({ path: join(dir, 'journal.db') })
  const bus = new MemoryBus({ journal: store.busJournal(), history: { max_events: 10_000 } })
  let next = 0
  const ours = await clock(() => Promise.all(Array.from({ length: 16 }, async () => {
    while (next < batches) {
      next++
      await bus.publishBatch(Array.from({ length: 50 }, () => ({ tenant: 'acme', topic: 'events' as const, type: 'change.received', data })))
    }
  })))
  if (await bus.lastOffset('acme', 'events') !== batches * 50) throw new Error('durable publish miscounted')
  await bus.close(); await store.close()

  const raw = new Database(join(dir, 'naive-journal.db'))
  raw.pragma('journal_mode = WAL'); raw.pragma('synchronous = NORMAL')
  raw.exec('CREATE TABLE journal (tenant TEXT, topic TEXT, offset INTEGER, at INTEGER, envelope TEXT, PRIMARY KEY (tenant, topic, offset)); CREATE TABLE offsets (tenant TEXT, topic TEXT, last INTEGER, PRIMARY KEY (tenant, topic))')
  const insert = raw.prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?)')
  const mark = raw.prepare('INSERT INTO offsets VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET last = excluded.last')
  let offset = 0
  const commitBatch = raw.transaction(() => {
    for (let i = 0; i < 50; i++) { offset++; insert.run('acme', 'events', offset, Date.now(), JSON.stringify({ id: String(offset), offset, topic: 'events', type: 'change.received', tenant: 'acme', time: '', data })) }
    mark.run('acme', 'events', offset)
  })
  next = 0
  const naive = await clock(() => Promise.all(Array.from({ length: 16 }, async () => {
    while (next < batches) { next++; commitBatch(); await Promise.resolve() }
  })))
  raw.close()
  row('durable acknowledged publish, 50-event batches, 16 publishers', total / (ours.cpu / 1000), total / (naive.cpu / 1000), 'events/s', '≥ 100,000', 'higher', total / (ours.wall / 1000))
  void bareRate
}

/** RedisBus publish/s from one node with 64 publishes in flight, and how many of them a second node saw live. */
async function benchRedis(): Promise<void> {
  let server
  try { server = await startRedis() } catch (error) {
    console.log(`RedisBus rows skipped: ${(error as Error).message}`)
    return
  }
  try {
    const a = await RedisBus.connect({ url: server.url, prefix: 'bench:' })
    const b = await RedisBus.connect({ url: server.url, prefix: 'bench:' })
    const total = 50_000
    let seen = 0
    let resolveSeen: () => void = () => {}
    const allSeen = new Promise<void>((r) => { resolveSeen = r })
    b.live('acme', 'drifts').subscribe(() => { if (++seen === total) resolveSeen() })
    const data = { id: 'd1', severity: 'high', address: 'aws_security_group.web' }
    let next = 0
    const t = performance.now()
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < total) { next++; await a.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data }) }
    }))
    await allSeen
    const wall = performance.now() - t
    row('RedisBus publish/s → other node live (64 in flight, wall)', total / (wall / 1000), undefined, 'events/s', '-', 'higher', total / (wall / 1000))
    await Promise.all([a.close(), b.close()])
  } finally {
    await server.stop()
  }
}

const began = performance.now()
try {
  const store = await benchInserts()
  await benchQueries(store)
  await store.close()
  await benchBus()
  await benchRedis()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores; figures are per CPU-second of this process (wall-clock column beside them)`)
console.table(rows)
console.log(`bench:store finished in ${((performance.now() - began) / 1000).toFixed(1)} s (baseline column: naive per-row INSERT / COUNT(*)+OFFSET query / bare RxJS Subject; ratio >1 = tfdrift better)`)
