/**
 * The webhook transport under the engine's delivery loop, against a real HTTP receiver on loopback:
 * signatures, Retry-After, an outage, dead letters, routing and resuming from the checkpoint.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryBus, MemoryStore, type DeliveryRunner, metricsRegistry, testContext } from 'tfdrift/testing'
import type { Envelope } from 'tfdrift'
import { Receiver } from '../../../test/support/receiver.ts'
import { NODE, publishDrifts, startRunner } from '../../../test/support/delivery.ts'
import { until } from '../../../test/server/support.ts'
import { createWebhookTransport, verifyWebhookSignature, type WebhookOptions } from './index.ts'

const SECRET = 'webhook-test-secret-0123456789'
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c() })

async function setup(options: Partial<WebhookOptions>, handler?: Receiver['handler']) {
  const receiver = await Receiver.start(handler)
  const bus = new MemoryBus()
  const store = new MemoryStore()
  const transport = createWebhookTransport(testContext(), { url: `${receiver.url}/hook`, secret: SECRET, start_from: 'oldest', ...options })
  const runners: DeliveryRunner[] = []
  const start = async () => { const r = await startRunner(bus, store, transport); runners.push(r); return r }
  cleanup.push(async () => { for (const r of runners) await r.stop(); await receiver.down(); await bus.close() })
  return { receiver, bus, store, transport, start }
}

const ids = (r: Receiver) => r.requests.flatMap((q) => String(q.headers['x-tfdrift-event-id']).split(','))

describe('webhook transport', () => {
  it('POSTs each envelope as signed JSON with its id in body and header, custom headers, and saves the checkpoint', async () => {
    const { receiver, bus, store, start } = await setup({ headers: { Authorization: 'Bearer rcv', 'X-Tfdrift-Signature': 'forged' } })
    await start()
    const sent = await publishDrifts(bus, 3)
    await until(() => receiver.requests.length === 3, 'three requests')
    for (const [i, req] of receiver.requests.entries()) {
      const ts = req.headers['x-tfdrift-timestamp'] as string
      const sig = req.headers['x-tfdrift-signature'] as string
      expect(verifyWebhookSignature(SECRET, ts, req.body, sig)).toBe(true)
      expect(verifyWebhookSignature('another-secret-0123456789', ts, req.body, sig)).toBe(false)
      expect(verifyWebhookSignature(SECRET, ts, `${req.body} `, sig)).toBe(false)
      expect(verifyWebhookSignature(SECRET, ts, req.body, sig, { nowSeconds: Number(ts) + 3600 })).toBe(false)
      const body = JSON.parse(req.body) as Envelope
      expect(body).toEqual(sent[i])
      expect(req.headers['x-tfdrift-event-id']).toBe(body.id)
      expect(req.headers.authorization).toBe('Bearer rcv')
      expect(req.headers['content-type']).toBe('application/json')
    }
    await expect.poll(async () => (await store.loadCheckpoints(`p/${NODE}`))[0]?.offset).toBe(3)
  })

  it('honours Retry-After instead of its own (much shorter) backoff', async () => {
    let calls = 0
    const { receiver, bus, start } = await setup({ retry: { base_ms: 1, cap_ms: 5 } }, () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }))
    const runner = await start()
    await publishDrifts(bus, 1)
    // Counted once the answer is processed, not when the receiver got the request.
    await until(() => runner.stats()[0]!.delivered === 1, 'the retry delivered', 5000)
    expect(receiver.requests).toHaveLength(2)
    const gap = receiver.requests[1]!.at - receiver.requests[0]!.at
    expect(gap).toBeGreaterThanOrEqual(950)
    expect(runner.stats()[0]).toMatchObject({ delivered: 1, retries: 1, dead_lettered: 0 })
  })

  it('delivers every event exactly once by id across an outage of the receiver, with batches and concurrency', async () => {
    const { receiver, bus, start } = await setup({ batch_size: 10, concurrency: 4, max_attempts: 1000, retry: { base_ms: 20, cap_ms: 100 } })
    const runner = await start()
    await receiver.down()
    await publishDrifts(bus, 150)
    await until(() => runner.stats()[0]!.retries >= 5, 'failed attempts while down')
    await publishDrifts(bus, 150, 150)
    expect(receiver.requests).toHaveLength(0)
    await receiver.up()
    await until(() => runner.stats()[0]!.delivered === 300, 'all delivered', 10_000)
    const got = ids(receiver)
    expect(new Set(got).size).toBe(300)
    expect(got).toHaveLength(300)
    // Batched: an array body whose ids match the header.
    const first = JSON.parse(receiver.requests[0]!.body) as Envelope[]
    expect(first.map((e) => e.id).join(',')).toBe(receiver.requests[0]!.headers['x-tfdrift-event-id'])
    expect(runner.stats()[0]).toMatchObject({ dead_lettered: 0, lag: 0 })
  })

  it('a receiver down for 30 s, with events arriving meanwhile, then back: every event delivered once, with the default retry', async () => {
    const { receiver, bus, start } = await setup({ batch_size: 50, concurrency: 2, max_attempts: 1000 })
    const runner = await start()
    await receiver.down()
    const downAt = Date.now()
    await publishDrifts(bus, 200)
    // The outage itself is the scenario: events keep coming while it lasts.
    await until(() => Date.now() - downAt >= 15_000, 'half the outage', 20_000)
    await publishDrifts(bus, 200, 200)
    await until(() => Date.now() - downAt >= 30_000, 'the whole outage', 20_000)
    expect(receiver.requests).toHaveLength(0)
    expect(runner.stats()[0]!.retries).toBeGreaterThan(1)
    await receiver.up()
    await until(() => runner.stats()[0]!.delivered === 400, 'all delivered after the outage', 45_000)
    const got = ids(receiver)
    expect(new Set(got).size).toBe(400)
    expect(got).toHaveLength(400)
    expect(runner.stats()[0]).toMatchObject({ dead_lettered: 0, lag: 0 })
  }, 120_000)

  it('dead-letters a refused event at once and a failing one after max_attempts, and moves on', async () => {
    const { receiver, bus, start } = await setup({ max_attempts: 3, retry: { base_ms: 1, cap_ms: 5 }, route: { topics: ['drifts'] } }, (req) => {
      const env = JSON.parse(req.body) as Envelope<{ id: string }>
      if (env.data.id === 'd1') return { status: 422, body: 'bad drift' }
      if (env.data.id === 'd2') return { status: 503 }
      return { status: 200 }
    })
    const dead: Envelope[] = []
    const sub = bus.live('acme', 'system').subscribe((e) => dead.push(e))
    const runner = await start()
    await publishDrifts(bus, 4)
    await until(() => runner.stats()[0]!.delivered + runner.stats()[0]!.dead_lettered === 4, 'all handled')
    sub.unsubscribe()
    expect(runner.stats()[0]).toMatchObject({ delivered: 2, dead_lettered: 2, retries: 2 })
    expect(dead.map((e) => [e.type, (e.data as any).envelope.data.id, (e.data as any).attempts])).toEqual([
      ['delivery.dead_lettered', 'd1', 1], ['delivery.dead_lettered', 'd2', 3],
    ])
    expect((dead[0]!.data as any).reason).toContain('HTTP 422')
    expect((dead[1]!.data as any)).toMatchObject({ node: NODE, topic: 'drifts', offset: 3 })
    expect(receiver.requests.filter((r) => r.body.includes('"d2"'))).toHaveLength(3)
  })

  it('routes by severity, kind, provider and type; filtered events still move the checkpoint', async () => {
    const { receiver, bus, store, start } = await setup({ route: { topics: ['drifts'], min_severity: 'high', kinds: ['modified', 'unmanaged'], providers: ['aws'], types: ['drift.*'] } })
    await start()
    const sevs = ['critical', 'high', 'medium', 'low', 'high', 'high'] as const
    await publishDrifts(bus, 6, 0, (i) => ({ severity: sevs[i], ...(i === 4 ? { kind: 'missing' as const } : {}), ...(i === 5 ? { provider: 'google' } : {}) }))
    await bus.publish({ topic: 'drifts', type: 'other.thing', tenant: 'acme', data: { severity: 'critical' } })
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'beta', data: { severity: 'critical' } })
    await expect.poll(async () => (await store.loadCheckpoints(`p/${NODE}`))[0]?.offset).toBe(7)
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as Envelope<{ id: string }>).data.id)).toEqual(['d0', 'd1'])
  })

  it('resumes after the stored checkpoint when restarted, without a gap', async () => {
    const { receiver, bus, start } = await setup({})
    const first = await start()
    await publishDrifts(bus, 5)
    await until(() => first.stats()[0]!.delivered === 5, 'first run')
    await first.stop()
    await publishDrifts(bus, 5, 5)
    const second = await start()
    await until(() => second.stats()[0]!.delivered === 5, 'second run')
    expect(ids(receiver)).toHaveLength(10)
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as Envelope).offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('exposes delivered, retries, dead-lettered and lag on /metrics', async () => {
    const { receiver, bus, start } = await setup({})
    await start()
    await publishDrifts(bus, 2)
    await until(() => receiver.requests.length === 2, 'delivered')
    await expect.poll(async () => (await metricsRegistry.metrics()).match(/tfdrift_delivery_delivered_total\{[^}]*node="p.transports.0"[^}]*topic="drifts"\} (\d+)/)?.[1]).toBe('2')
    const text = await metricsRegistry.metrics()
    expect(text).toContain('tfdrift_delivery_lag{')
    expect(text).toContain('tfdrift_delivery_dead_lettered_total{')
    expect(text).not.toContain(SECRET)
  })
})
