import { describe, it, expect, vi, afterEach } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Subject, filter, map, of } from 'rxjs'
import { startRuntime, RecordingIngress } from '../../engine/runtime.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { openStore } from '../../engine/store/open.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { metricsRegistry } from '../../engine/metrics.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { collector, counterSource, mapper, toDrift, subjectSource } from './support/plugins.ts'
import { GatedStore } from './support/gated-store.ts'

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000; i++) { if (cond()) return; await new Promise((r) => setImmediate(r)) }
  throw new Error('condition not reached')
}

let dir: string | undefined
afterEach(() => { vi.useRealTimers(); if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined })

/** Tags each drift with the `drifts` topic so the engine publishes it. */
const publishDrifts = definePlugin({
  name: 'publish-drifts', kind: 'remediation', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: () => ({ operator: (input$) => input$.pipe(map((item): PipelineItem => ({ ...item, topic: 'drifts' }))) }),
})

describe('startRuntime', () => {
  it('publishes topic items to the bus under the pipeline tenant, persists them to a real SQLite file, and a transport receives them', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-runtime-'))
    const received: Envelope[] = []
    const tap = definePlugin({
      name: 'tap', kind: 'transport', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: (ctx) => {
        let sub: { unsubscribe(): void } | undefined
        return { start: () => { sub = ctx.bus.live(ctx.tenant, 'drifts').subscribe((e) => received.push(e)) }, close: () => sub?.unsubscribe() }
      },
    })
    const runtime = await startRuntime({
      store: { kind: 'sqlite', path: 'state/tfdrift.db' },
      pipelines: { prod: { tenant: 'acme', sources: [{ use: counterSource('c', { count: 250 }) }], analysis: [{ use: toDrift() }], remediation: [{ use: publishDrifts }], transports: [{ use: tap }] } },
    }, { logger: silentLogger, cwd: dir })
    await waitFor(() => received.length === 250)
    expect(received[0]).toMatchObject({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', offset: 1 })
    expect(received[249]!.offset).toBe(250)
    const text = await metricsRegistry.getSingleMetricAsString('tfdrift_node_emitted_total')
    expect(text).toContain('node="prod.analysis.0"')
    await runtime.stop()
    const reopened = await openStore({ kind: 'sqlite', path: 'state/tfdrift.db' }, { cwd: dir })
    // The analysis and the remediation node both emit drift.* items; saveDrifts upserts by id.
    expect((await reopened.listDrifts('acme', { limit: 1 })).total).toBe(250)
    expect((await reopened.listDrifts('default', { limit: 1 })).total).toBe(0)
    await reopened.close()
  })

  it('refuses to start with every plugin problem listed (TfdriftError), opening nothing', async () => {
    const err = await startRuntime({ pipelines: { p: { sources: [{ use: 'no-such-plugin' }], analysis: [{ use: 'another-missing', inputs: ['ghost'] }] } } }, { logger: silentLogger, cwd: tmpdir() })
      .then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(TfdriftError)
    const problems = (err as TfdriftError).problems
    expect(problems.map((p) => p.code).sort()).toEqual(['TFD_ERR_PLUGIN_NOT_FOUND', 'TFD_ERR_PLUGIN_NOT_FOUND', 'TFD_ERR_WIRING'])
  })

  it('pulls an AsyncIterable producer only while downstream has room', async () => {
    const store = new GatedStore()
    let pulled = 0
    const gen = definePlugin({
      name: 'gen', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: () => ({ output: (async function* () { for (let i = 0; i < 100_000; i++) { pulled++; yield { type: 'tick', data: { i } } } })() }),
    })
    const runtime = await startRuntime({ pipelines: { p: { discovery: [{ use: gen, id: 'gen' }], analysis: [{ use: toDrift(), id: 'a', queue: { size: 8 } }] } } },
      { logger: silentLogger, bus: new MemoryBus(), store, persist: { batch_size: 10, max_pending: 20 } })
    await waitFor(() => (store as unknown as { waiting: unknown[] }).waiting.length > 0)
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r))
    expect(pulled).toBeLessThan(100)
    const stuck = pulled
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r))
    expect(pulled).toBe(stuck)
    store.release()
    await waitFor(() => runtime.stats().nodes.find((n) => n.node === 'gen')!.state === 'completed')
    await runtime.stop()
    expect(pulled).toBe(100_000)
    expect(runtime.stats().nodes.find((n) => n.node === 'a')!.dropped).toBe(0)
  })

  it('lets a restarted source register its ingress route again (routes of a failed instance are released)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const trigger = new Subject<PipelineItem>()
    let creates = 0
    const webhook = definePlugin({
      name: 'webhook', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: (ctx) => {
        creates++
        ctx.ingress.register({ method: 'POST', path: '/api/v1/hooks', scope: 'publish', handle: async () => ({ status: 202 }) })
        return { output: trigger.pipe(map((x) => { if (creates === 1) throw new Error('first instance dies'); return x })) }
      },
    })
    const runtime = await startRuntime({ pipelines: { p: { sources: [{ use: webhook, id: 'hook' }] } } }, { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore() })
    expect((runtime.ingress as RecordingIngress).routes.has('POST /api/v1/hooks')).toBe(true)
    trigger.next({ type: 'tick', data: 1 })
    for (let i = 0; i < 10; i++) await Promise.resolve()
    await vi.advanceTimersByTimeAsync(100)
    for (let i = 0; i < 10; i++) await Promise.resolve()
    expect(creates).toBe(2)
    expect(runtime.stats().nodes[0]).toMatchObject({ state: 'running', errors: 1, restarts: 1 })
    expect((runtime.ingress as RecordingIngress).routes.has('POST /api/v1/hooks')).toBe(true)
    vi.useRealTimers()
    await runtime.stop()
    expect((runtime.ingress as RecordingIngress).routes.size).toBe(0)
  })

  it('tells an operator which discovery nodes feed it, through other operators, and stamps their items with their node id', async () => {
    const seen: PipelineItem[] = []
    let wiring: readonly string[] | undefined
    const snapshots = definePlugin({
      name: 'snapshots', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: () => ({ output: of<PipelineItem>({ type: 'snapshot', data: {} }) }),
    })
    const probe = collector('probe', seen)
    const runtime = await startRuntime({
      pipelines: {
        p: {
          discovery: [{ use: snapshots, id: 'state-a' }, { use: snapshots, id: 'state-b' }],
          sources: [{ use: counterSource('events', { count: 1 }), id: 'events' }],
          analysis: [{ use: mapper('pass', (item) => item), id: 'pass' }],
          remediation: [{ use: { ...probe, create: (ctx, options) => { wiring = ctx.discovery; return probe.create(ctx, options) } }, id: 'probe' }],
        },
      },
    }, { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore(), persist: false })
    await waitFor(() => seen.length === 3)
    await runtime.stop()
    expect([...wiring!].sort()).toEqual(['state-a', 'state-b'])
    expect(seen.filter((i) => i.type === 'snapshot').map((i) => i.origin).sort()).toEqual(['state-a', 'state-b'])
    expect(seen.find((i) => i.type === 'tick')!.origin).toBeUndefined()
  })
})
