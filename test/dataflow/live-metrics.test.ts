/**
 * Live metrics end to end: the real runtime with the demo pipeline (tenant acme) and a ticking pipeline
 * (tenant beta), the real server on loopback, real WebSocket clients. A `metrics` subscriber gets a
 * schema-valid `metrics.pipeline` within 3 s whose counters grow; each tenant sees only its own pipelines
 * and clients; `stats.summary` follows drifts, equals `GET /api/v1/stats`, and stays quiet while nothing
 * changes; after `stop()` nothing publishes and no timer is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Observable, map } from 'rxjs'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import { validateEnvelope } from '../../engine/events.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { BUILTIN_PLUGINS } from '../../plugins/index.ts'
import { WsClient } from '../server/support.ts'

const INTERVAL = 250
const TOKENS = { acme: 'acme-live-token', beta: 'beta-live-token' }

/** A source that emits a tick every 20 ms until it is stopped. */
const ticker = definePlugin({
  name: 'ticker', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: () => ({ output: new Observable<PipelineItem>((sub) => { const t = setInterval(() => sub.next({ type: 'tick', data: 1 }), 20); return () => clearInterval(t) }) }),
})
const pass = definePlugin({
  name: 'pass', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: () => ({ operator: (input$) => input$.pipe(map((x) => x)) }),
})

type Node = { pipeline: string; node: string; received: number; emitted: number; state: string; latency_us?: { samples: number; p50: number | null; p95: number | null; p99: number | null } }
type Metrics = { nodes: Node[]; clients: { ws: number; sse: number; total: number }; bus_lag_ms: { samples: number } }
const isMetrics = (m: Record<string, any>) => m.type === 'event' && m.event.type === 'metrics.pipeline'
const isStats = (m: Record<string, any>) => m.type === 'event' && m.event.type === 'stats.summary'
const data = <T>(m: Record<string, any>) => (m.event as Envelope<T>).data
const activity = (m: Metrics) => m.nodes.reduce((sum, n) => sum + n.received + n.emitted, 0)

describe('live metrics on the metrics and stats topics', () => {
  const bus = new MemoryBus()
  let runtime: Runtime
  let base: string
  let wsUrl: string
  let timersBefore: number
  const clients: WsClient[] = []
  const connect = async (token: string, topic: string) => {
    const c = await WsClient.connect(wsUrl, token)
    clients.push(c)
    expect((await c.request({ type: 'subscribe', topic })).type).toBe('subscribed')
    return c
  }
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

  beforeAll(async () => {
    timersBefore = timers()
    runtime = await startRuntime({
      server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKENS.acme, tenant: 'acme', scopes: ['read'] }, { token: TOKENS.beta, tenant: 'beta', scopes: ['read'] }] } },
      metrics: { interval_ms: INTERVAL },
      pipelines: {
        demo: {
          tenant: 'acme',
          discovery: [{ use: 'demo', with: { size: 60, interval: 100, initial_changes: 3, max_open_changes: 3, revert_probability: 1, max_changes: 15 } }],
          analysis: [{ use: 'drift' }],
          remediation: [{ use: 'terraform-remediation', with: { mode: 'propose' } }],
        },
        ticks: { tenant: 'beta', sources: [{ use: ticker, id: 'ticker' }], analysis: [{ use: pass, id: 'pass' }] },
      },
    }, { logger: silentLogger, bus, store: new MemoryStore(), builtins: [...BUILTIN_PLUGINS], persist: { max_delay_ms: 5 } })
    base = `http://127.0.0.1:${runtime.server!.port}`
    wsUrl = `ws://127.0.0.1:${runtime.server!.port}/ws`
  }, 30_000)
  afterAll(async () => {
    for (const c of clients) c.close()
    await runtime?.stop()
    await bus.close()
  })

  it('delivers a schema-valid metrics.pipeline within 3 s, with per-node figures whose counters grow', async () => {
    const ws = await connect(TOKENS.acme, 'metrics')
    const started = Date.now()
    const first = await ws.next(isMetrics, 3000)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(validateEnvelope(first.event)).toEqual({ ok: true })
    expect(first.event).toMatchObject({ topic: 'metrics', tenant: 'acme' })
    const m1 = data<Metrics>(first)
    expect(m1.nodes.map((n) => n.node).sort()).toEqual(['demo.analysis.0', 'demo.discovery.0', 'demo.remediation.0'])
    expect(m1.clients).toEqual({ ws: 1, sse: 0, total: 1 })
    let later: Metrics
    do later = data<Metrics>(await ws.next(isMetrics, 3000))
    while (activity(later) <= activity(m1))
    const drift = later.nodes.find((n) => n.node === 'demo.analysis.0')!
    expect(drift.received).toBeGreaterThan(m1.nodes.find((n) => n.node === 'demo.analysis.0')!.received)
    // The operator was timed: its percentiles are ordered, and the bus lag was sampled on the tenant's publishes.
    const timed = ws.events.filter((e) => e.type === 'metrics.pipeline').map((e) => (e.data as Metrics).nodes.find((n) => n.node === 'demo.analysis.0')!.latency_us!).find((l) => l.samples > 0)!
    expect(timed.p50!).toBeLessThanOrEqual(timed.p95!)
    expect(timed.p95!).toBeLessThanOrEqual(timed.p99!)
    expect(ws.events.some((e) => e.type === 'metrics.pipeline' && (e.data as Metrics).bus_lag_ms.samples > 0)).toBe(true)
  })

  it("shows a second tenant only its own pipelines and clients, and the first tenant none of them", async () => {
    const beta = await connect(TOKENS.beta, 'metrics')
    const msg = await beta.next(isMetrics, 3000)
    expect(validateEnvelope(msg.event)).toEqual({ ok: true })
    expect(msg.event.tenant).toBe('beta')
    const m = data<Metrics>(msg)
    expect(m.nodes.map((n) => `${n.pipeline}/${n.node}`).sort()).toEqual(['ticks/pass', 'ticks/ticker'])
    expect(m.clients.ws).toBe(1)
    const acme = clients[0]!
    const after = data<Metrics>(await acme.next(isMetrics, 3000))
    expect(after.clients.ws).toBe(1)
    expect(acme.events.flatMap((e) => (e.data as Metrics).nodes ?? []).some((n) => n.pipeline === 'ticks')).toBe(false)
    expect(acme.events.every((e) => e.tenant === 'acme')).toBe(true)
  })

  it('publishes stats.summary after drifts, equal to GET /api/v1/stats, and not again while nothing changes', async () => {
    const ws = await connect(TOKENS.acme, 'stats')
    const rest = async () => {
      const body = await (await fetch(`${base}/api/v1/stats`, { headers: { authorization: `Bearer ${TOKENS.acme}` } })).json() as { data: Record<string, unknown> }
      const { runtime: _runtime, ...numbers } = body.data
      return numbers
    }
    let latest = await ws.next((m) => isStats(m) && data<{ drifts: { total: number } }>(m).drifts.total > 0, 10_000)
    expect(validateEnvelope(latest.event)).toEqual({ ok: true })
    // The demo stops changing after max_changes (its node completes); from then on the published summary must equal REST.
    const metrics = await connect(TOKENS.acme, 'metrics')
    await metrics.next((m) => isMetrics(m) && data<Metrics>(m).nodes.some((n) => n.node === 'demo.discovery.0' && n.state === 'completed'), 10_000)
    const deadline = Date.now() + 10_000
    while (JSON.stringify(await rest()) !== JSON.stringify(latest.event.data)) {
      latest = await ws.next(isStats, Math.max(1, deadline - Date.now()))
    }
    expect(latest.event.data).toEqual(await rest())
    expect(latest.event.data).toMatchObject({ drifts: { total: expect.any(Number) }, resources: 60 })
    // Quiet now: metrics keep ticking, stats stays put.
    const statsBefore = ws.events.length
    for (let i = 0; i < 4; i++) await metrics.next(isMetrics, 3000)
    expect(ws.events.length).toBe(statsBefore)
  }, 40_000)

  it('stops cleanly: nothing publishes after stop() and no timer is left', async () => {
    await runtime.stop()
    const offset = await bus.lastOffset('acme', 'metrics')
    expect(offset).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 4 * INTERVAL))
    expect(await bus.lastOffset('acme', 'metrics')).toBe(offset)
    expect(await bus.lastOffset('beta', 'metrics')).toBeGreaterThan(0)
    expect(timers()).toBeLessThanOrEqual(timersBefore)
  })
})
