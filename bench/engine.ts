/**
 * Engine benchmark (`npm run bench:engine`).
 * 1. Overhead: small events/s through a 4-node pipeline (source → 2 analysis → sink) built by the real
 *    runtime (host, DI, supervision, bounded queues, bus publisher and store writer attached), beside the
 *    same work as a bare RxJS chain in the same process. Goal: ≥ 0.5× bare RxJS and ≥ 1M events/s.
 * 2. Memory: a sink ~100× slower than its source (its store takes 1 ms per 100 items ≈ 100k/s; the source
 *    offers ~10M/s), 10M events offered; peak RSS stays bounded. Beside it, a naive RxJS chain
 *    (`concatMap` into the same slow sink) with only 1M offered, to show what unbounded buffering costs.
 *    Each memory scenario runs in its own child process so peak RSS is its own.
 * Env: BENCH_EVENTS (default 1_000_000 per run), BENCH_ROUNDS (9), BENCH_FLOOD (10_000_000), BENCH_SKIP_MEMORY.
 */
import 'reflect-metadata'
import { fork } from 'node:child_process'
import os from 'node:os'
import { Observable, Subject, concatMap, filter, map, type Subscriber } from 'rxjs'
import { startRuntime } from '../engine/runtime.ts'
import { MemoryBus } from '../engine/bus/memory-bus.ts'
import { MemoryStore } from '../engine/store/memory-store.ts'
import { silentLogger } from '../engine/logger.ts'
import { definePlugin, type PipelineItem, type PluginContext, type QueuePolicy } from '../engine/plugin-api.ts'
import type { Drift } from '../engine/model.ts'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const FLOOD = Number(process.env.BENCH_FLOOD ?? 10_000_000)
const SLOW_BATCH = 100
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)

// ---------- the work both variants do ----------
const step1 = (x: PipelineItem): PipelineItem => ({ type: 'e', data: (x.data as number) + 1 })
const step2 = (x: PipelineItem): PipelineItem => ({ type: 'e', data: (x.data as number) * 2 })

/** Emits `count` small events in chunks, awaiting demand when `cooperative`. */
function emitter(count: number, cooperative: boolean, ctx?: PluginContext) {
  return new Observable<PipelineItem>((sub: Subscriber<PipelineItem>) => {
    let stopped = false
    setImmediate(async () => {
      const t0 = performance.now()
      cpuAtStart = process.cpuUsage()
      started.resolve(t0)
      for (let i = 0; i < count && !stopped; i++) {
        if (cooperative && ctx && ctx.demand.paused) await ctx.demand.ready()
        sub.next({ type: 'e', data: i })
        // Yield between chunks like a real source would (timers, I/O, the store writer get to run).
        if ((i & 0x3fff) === 0x3fff) await new Promise((r) => setImmediate(r))
      }
      sub.complete()
    })
    return () => { stopped = true }
  })
}

let started = deferred<number>()
function deferred<T>() { let resolve!: (v: T) => void; const promise = new Promise<T>((r) => { resolve = r }); return { promise, resolve } }

const plugin = <K extends 'source' | 'analysis' | 'remediation'>(name: string, kind: K, create: (ctx: PluginContext) => any) =>
  definePlugin({ name, kind, version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create })

// ---------- 1. overhead ----------
/** Events per wall second and per CPU second of this process (less disturbed by other load on the machine). */
interface Rate { wall: number; cpu: number }
let cpuAtStart: NodeJS.CpuUsage = process.cpuUsage()
function rate(n: number, t0: number, t1: number): Rate {
  const cpu = process.cpuUsage(cpuAtStart)
  return { wall: n / ((t1 - t0) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) }
}

async function engineRun(n: number): Promise<Rate> {
  started = deferred()
  const done = deferred<number>()
  let seen = 0
  const runtime = await startRuntime({
    pipelines: { bench: {
      sources: [{ use: plugin('src', 'source', (ctx) => ({ output: emitter(n, true, ctx) })), id: 'src' }],
      analysis: [
        { use: plugin('a1', 'analysis', () => ({ operator: (in$: Observable<PipelineItem>) => in$.pipe(map(step1)) })), id: 'a1', inputs: ['src'] },
        { use: plugin('a2', 'analysis', () => ({ operator: (in$: Observable<PipelineItem>) => in$.pipe(map(step2)) })), id: 'a2', inputs: ['a1'] },
      ],
      remediation: [{ use: plugin('sink', 'remediation', () => ({ operator: (in$: Observable<PipelineItem>) => in$.pipe(filter(() => { if (++seen === n) done.resolve(performance.now()); return false })) })), id: 'sink', inputs: ['a2'] }],
    } },
  }, { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore() })
  const t0 = await started.promise
  const t1 = await done.promise
  const r = rate(n, t0, t1)
  await runtime.stop()
  return r
}

async function bareRun(n: number): Promise<Rate> {
  started = deferred()
  const done = deferred<number>()
  let seen = 0
  emitter(n, false).pipe(map(step1), map(step2), filter(() => { if (++seen === n) done.resolve(performance.now()); return false })).subscribe()
  const t0 = await started.promise
  return rate(n, t0, await done.promise)
}

// ---------- 2. memory with a slow sink ----------
/** A store about 100× slower than the source: 1 ms per 100 drifts (≈ 100k/s). It keeps only a count, so RSS shows buffering, not stored data. */
class SlowStore extends MemoryStore {
  saved = 0
  override async saveDrifts(_tenant: string, drifts: Drift[]): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.ceil(drifts.length / 100)))
    this.saved += drifts.length
  }
}
const toDrift = (x: PipelineItem): PipelineItem => ({ type: 'drift.detected', data: { id: `d${x.data as number}`, kind: 'missing', address: 'aws_s3_bucket.b', type: 'aws_s3_bucket', provider: 'aws', severity: 'low', detected_at: '2026-01-01T00:00:00.000Z', status: 'open' } })

interface MemoryResult { scenario: string; offered: number; delivered: number; dropped: number; seconds: number; rss_start_mb: number; rss_peak_mb: number; queue_peak: number }

function rssSampler() {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)
  return { stop: () => { clearInterval(timer); return Math.max(peak, process.memoryUsage.rss()) } }
}

async function memoryEngine(policy: QueuePolicy, cooperative: boolean, offered: number): Promise<MemoryResult> {
  const rss0 = process.memoryUsage.rss()
  const sampler = rssSampler()
  started = deferred()
  const store = new SlowStore()
  const t0 = performance.now()
  const runtime = await startRuntime({
    pipelines: { bench: {
      sources: [{ use: plugin('src', 'source', (ctx) => ({ output: emitter(offered, cooperative, ctx) })), id: 'src' }],
      analysis: [{ use: plugin('sink', 'analysis', () => ({ operator: (in$: Observable<PipelineItem>) => in$.pipe(map(toDrift)) })), id: 'sink', queue: { size: 1024, policy } }],
    } },
  }, { logger: silentLogger, bus: new MemoryBus(), store, persist: { batch_size: SLOW_BATCH, max_pending: 1000 } })
  const node = (id: string) => runtime.stats().nodes.find((x) => x.node === id)!
  while (node('src').state !== 'completed') await new Promise((r) => setTimeout(r, 10))
  await runtime.stop()
  const sink = node('sink')
  return { scenario: `engine ${policy}${cooperative ? ' (cooperative)' : ' (ignores demand)'}`, offered, delivered: store.saved, dropped: sink.dropped, seconds: (performance.now() - t0) / 1000, rss_start_mb: rss0 / 2 ** 20, rss_peak_mb: sampler.stop() / 2 ** 20, queue_peak: sink.queue_peak }
}

/**
 * What a typical hand-written chain does: concatMap into the slow sink. RxJS queues every item the sink
 * has not reached yet, so memory grows with what was offered. Measured when the source has offered
 * everything; then the chain is dropped (draining it would take minutes: concatMap's buffer is an array).
 */
async function memoryNaive(offered: number): Promise<MemoryResult> {
  const rss0 = process.memoryUsage.rss()
  const sampler = rssSampler()
  const store = new SlowStore()
  const t0 = performance.now()
  let batch: Drift[] = []
  let delivered = 0
  const source = new Subject<PipelineItem>()
  const sub = source.pipe(map(toDrift), concatMap(async (item) => {
    batch.push(item.data as Drift)
    if (batch.length === SLOW_BATCH) { const b = batch; batch = []; await store.saveDrifts('default', b); delivered += b.length }
  })).subscribe()
  for (let i = 0; i < offered; i++) {
    source.next({ type: 'e', data: i })
    if ((i & 0x3fff) === 0x3fff) await new Promise((r) => setImmediate(r))
  }
  const peak = sampler.stop()
  const seconds = (performance.now() - t0) / 1000
  sub.unsubscribe()
  return { scenario: 'naive RxJS concatMap (at end of offer)', offered, delivered, dropped: 0, seconds, rss_start_mb: rss0 / 2 ** 20, rss_peak_mb: peak / 2 ** 20, queue_peak: offered - delivered }
}

// ---------- driver ----------
async function child(scenario: string): Promise<void> {
  const result = scenario === 'drop_oldest' ? await memoryEngine('drop_oldest', false, FLOOD)
    : scenario === 'block-ignore' ? await memoryEngine('block', false, FLOOD)
    : scenario === 'block-coop' ? await memoryEngine('block', true, Math.min(FLOOD, 200_000))
    : await memoryNaive(Math.min(FLOOD, 1_000_000))
  process.send!(result)
}

function runChild(scenario: string): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const p = fork(process.argv[1]!, ['--scenario', scenario], { execArgv: process.execArgv })
    p.on('message', (m) => resolve(m as MemoryResult))
    p.on('exit', (code) => { if (code !== 0) reject(new Error(`scenario ${scenario} exited with ${code}`)) })
  })
}

const fmt = (v: number | null, digits = 1): string => (typeof v !== 'number' || Number.isNaN(v) ? '-' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits))

async function main(): Promise<void> {
  const i = process.argv.indexOf('--scenario')
  if (i > 0) return child(process.argv[i + 1]!)

  // Warm up both paths, then alternate runs and keep the best of each.
  const only = process.env.BENCH_ONLY
  await bareRun(200_000); await engineRun(200_000)
  const bare: Rate = { wall: 0, cpu: 0 }, engine: Rate = { wall: 0, cpu: 0 }
  const best = (into: Rate, r: Rate) => { into.wall = Math.max(into.wall, r.wall); into.cpu = Math.max(into.cpu, r.cpu) }
  for (let r = 0; r < ROUNDS; r++) {
    if (only !== 'engine') best(bare, await bareRun(EVENTS))
    if (only !== 'bare') best(engine, await engineRun(EVENTS))
  }
  console.log(`\nEngine overhead: ${fmt(EVENTS)} small events, source → 2 analysis → sink (best of ${ROUNDS} alternating runs; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)\n`)
  console.table([
    { variant: 'bare RxJS chain', 'events/s (wall)': fmt(bare.wall), 'events per CPU-second': fmt(bare.cpu) },
    { variant: 'tfdrift runtime (4 nodes)', 'events/s (wall)': fmt(engine.wall), 'events per CPU-second': fmt(engine.cpu) },
    { variant: 'ratio engine / bare (goal ≥ 0.5×)', 'events/s (wall)': `${(engine.wall / bare.wall).toFixed(2)}×`, 'events per CPU-second': `${(engine.cpu / bare.cpu).toFixed(2)}×` },
  ])
  console.log(`Goal ≥ 1M events/s: ${engine.wall >= 1e6 ? 'met' : 'NOT met'} (${fmt(engine.wall)}/s wall).`)

  if (process.env.BENCH_SKIP_MEMORY) return
  const results: MemoryResult[] = []
  for (const s of ['drop_oldest', 'block-ignore', 'block-coop', 'naive']) results.push(await runChild(s))
  console.log(`\nSlow sink (store ≈ 100k items/s, source ≈ 100× faster), peak RSS per scenario (own process)\n`)
  console.table(results.map((r) => ({
    scenario: r.scenario, offered: fmt(r.offered), delivered: fmt(r.delivered), dropped: fmt(r.dropped), 'queue peak': fmt(r.queue_peak, 0),
    seconds: fmt(r.seconds), 'RSS start MB': fmt(r.rss_start_mb), 'RSS peak MB': fmt(r.rss_peak_mb), 'RSS growth MB': fmt(r.rss_peak_mb - r.rss_start_mb),
  })))
}

main().catch((error) => { console.error(error); process.exit(1) })
