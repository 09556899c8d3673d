/**
 * The live graph end to end: the real runtime with two tenants whose discovery the test drives, the real
 * server on loopback, a real WebSocket client. A new expected snapshot publishes one `graph.delta` with
 * exactly the nodes and edges added and removed, to its tenant only; a drift opened (and resolved) on a
 * node publishes `nodes_changed`; graph pages read while snapshots and drifts change, replayed from
 * their `cursor` over the `graph` stream, end exactly at the final graph; graph pages take `limit`
 * up to 10,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Subject } from 'rxjs'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import { validateEnvelope } from '../../engine/events.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { Drift, ResourceInstance } from '../../engine/model.ts'
import type { GraphDelta } from '../../engine/graph/delta.ts'
import { WsClient } from '../server/support.ts'

const TOKENS = { acme: 'acme-graph-token', globex: 'globex-graph-token' }
const feeds = { acme: new Subject<PipelineItem>(), globex: new Subject<PipelineItem>() }
const feed = (tenant: keyof typeof feeds) => definePlugin({
  name: `feed-${tenant}`, kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: () => ({ output: feeds[tenant].asObservable() }),
})

const res = (address: string, deps: string[] = []): ResourceInstance =>
  ({ address, mode: 'managed', type: address.split('.')[0]!, name: address.split('.')[1]!, provider: 'aws', attributes: { id: `id-${address}` }, resource_id: `id-${address}`, dependencies: deps })
let clock = Date.parse('2026-11-22T10:00:00.000Z')
const snapshot = (tenant: keyof typeof feeds, resources: ResourceInstance[]) =>
  feeds[tenant].next({ type: 'snapshot', data: { kind: 'expected', source: 'main.tfstate', taken_at: new Date(clock += 1000).toISOString(), resources } })
const drift = (tenant: keyof typeof feeds, id: string, address: string, severity: Drift['severity'], status: Drift['status'] = 'open') =>
  feeds[tenant].next({
    type: status === 'open' ? 'drift.detected' : 'drift.resolved', topic: 'drifts',
    data: { id, kind: 'modified', type: address.split('.')[0]!, provider: 'aws', address, severity, status, detected_at: new Date(clock).toISOString(), ...(status === 'resolved' ? { resolved_at: new Date(clock).toISOString() } : {}) },
  })

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('live graph deltas on the graph topic', () => {
  const bus = new MemoryBus()
  let runtime: Runtime
  let base: string
  const clients: WsClient[] = []
  const deltas = async (tenant: string) => (await bus.history(tenant, 'graph', 0)).envelopes as Array<Envelope<GraphDelta>>
  const get = async (path: string, token = TOKENS.acme) => {
    const r = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })
    return { status: r.status, body: await r.json() as any }
  }

  beforeAll(async () => {
    runtime = await startRuntime({
      server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKENS.acme, tenant: 'acme', scopes: ['read'] }, { token: TOKENS.globex, tenant: 'globex', scopes: ['read'] }] } },
      pipelines: {
        acme: { tenant: 'acme', discovery: [{ use: feed('acme'), id: 'feed' }] },
        globex: { tenant: 'globex', discovery: [{ use: feed('globex'), id: 'feed' }] },
      },
    }, { logger: silentLogger, bus, store: new MemoryStore(), persist: { max_delay_ms: 5 } })
    base = `http://127.0.0.1:${runtime.server!.port}`
  }, 30_000)
  afterAll(async () => {
    for (const c of clients) c.close()
    await runtime?.stop()
    await bus.close()
  })

  it('publishes exactly the nodes and edges a new snapshot adds and removes, to its own tenant only', async () => {
    snapshot('acme', [res('aws_vpc.main'), res('aws_subnet.a', ['aws_vpc.main']), res('aws_instance.web', ['aws_subnet.a'])])
    await until(async () => (await deltas('acme')).length === 1, 'the first acme delta')
    const [first] = await deltas('acme')
    expect(validateEnvelope(first)).toEqual({ ok: true })
    expect(first!.data.nodes_added.map((n) => n.id).sort()).toEqual(['aws_instance.web', 'aws_subnet.a', 'aws_vpc.main'])
    expect(first!.data.edges_added.map((e) => e.id).sort()).toEqual(['aws_instance.web->aws_subnet.a', 'aws_subnet.a->aws_vpc.main'])

    snapshot('acme', [res('aws_vpc.main'), res('aws_subnet.a', ['aws_vpc.main']), res('aws_subnet.b', ['aws_vpc.main'])])
    await until(async () => (await deltas('acme')).length === 2, 'the second acme delta')
    const second = (await deltas('acme'))[1]!
    expect(second.data.nodes_added.map((n) => n.id)).toEqual(['aws_subnet.b'])
    expect(second.data.nodes_removed).toEqual(['aws_instance.web'])
    expect(second.data.edges_added.map((e) => e.id)).toEqual(['aws_subnet.b->aws_vpc.main'])
    expect(second.data.edges_removed).toEqual(['aws_instance.web->aws_subnet.a'])
    expect(second.data.nodes_changed).toEqual([])
    expect(await deltas('globex')).toEqual([])

    // The same snapshot again (a new read, nothing changed) publishes nothing.
    snapshot('acme', [res('aws_vpc.main'), res('aws_subnet.a', ['aws_vpc.main']), res('aws_subnet.b', ['aws_vpc.main'])])
    snapshot('globex', [res('aws_s3_bucket.globex_logs')])
    await until(async () => (await deltas('globex')).length === 1, 'the globex delta')
    await new Promise((r) => setTimeout(r, 200))
    expect((await deltas('acme')).length).toBe(2)
    expect((await deltas('globex'))[0]!.data.nodes_added.map((n) => n.id)).toEqual(['aws_s3_bucket.globex_logs'])
  })

  it('publishes nodes_changed when a drift opens on a node and when it resolves', async () => {
    const before = (await deltas('acme')).length
    drift('acme', 'd-subnet', 'aws_subnet.a', 'high')
    await until(async () => (await deltas('acme')).length === before + 1, 'the drift delta')
    const opened = (await deltas('acme'))[before]!
    expect(validateEnvelope(opened)).toEqual({ ok: true })
    expect(opened.data).toEqual({ nodes_added: [], nodes_removed: [], edges_added: [], edges_removed: [], nodes_changed: [{ id: 'aws_subnet.a', drift_severity: 'high', drift_count: 1 }] })
    expect((await get('/api/v1/graph/nodes?limit=100')).body.data.items.find((n: any) => n.id === 'aws_subnet.a')).toMatchObject({ drift_severity: 'high', drift_count: 1 })

    drift('acme', 'd-subnet', 'aws_subnet.a', 'high', 'resolved')
    await until(async () => (await deltas('acme')).length === before + 2, 'the resolution delta')
    expect((await deltas('acme'))[before + 1]!.data.nodes_changed).toEqual([{ id: 'aws_subnet.a', drift_severity: null, drift_count: 0 }])
    expect(await deltas('globex')).toHaveLength(1)
  })

  it('a page read while the graph changes, replayed from its cursor over the graph stream, ends at the final graph', async () => {
    type Page = { items: any[]; cursor: { graph: { offset: number; epoch: string }; drifts: { offset: number; epoch: string } } }
    const pages: Array<{ kind: 'nodes' | 'edges'; page: Page }> = []
    let reading = true
    const reader = (async () => {
      while (reading) {
        for (const kind of ['nodes', 'edges'] as const) {
          const r = await get(`/api/v1/graph/${kind}?limit=10000`)
          expect(r.status).toBe(200)
          pages.push({ kind, page: r.body.data })
        }
      }
    })()
    const finalSet = (i: number) => [res('aws_vpc.main'), ...Array.from({ length: 3 + (i % 4) }, (_, k) => res(`aws_subnet.s${i + k}`, ['aws_vpc.main'])), res(`aws_instance.i${i}`, [`aws_subnet.s${i}`])]
    for (let i = 0; i < 12; i++) {
      snapshot('acme', finalSet(i))
      if (i % 3 === 0) drift('acme', `d-${i}`, `aws_subnet.s${i + 1}`, i % 2 ? 'low' : 'critical')
      if (i % 3 === 1) drift('acme', `d-${i - 1}`, `aws_subnet.s${i}`, 'low', 'resolved')
      await new Promise((r) => setTimeout(r, 5 + (i % 4) * 15))
    }
    // Quiet: the last snapshot's nodes are served and the stream has stopped growing.
    await until(async () => (await get('/api/v1/graph/nodes?limit=10000')).body.data.items.some((n: any) => n.id === 'aws_instance.i11'), 'the final graph')
    let last = -1
    await until(async () => { const now = await bus.lastOffset('acme', 'graph'); const quiet = now === last; last = now; await new Promise((r) => setTimeout(r, 150)); return quiet }, 'a quiet graph stream')
    reading = false
    await reader
    const final = { nodes: (await get('/api/v1/graph/nodes?limit=10000')).body.data.items, edges: (await get('/api/v1/graph/edges?limit=10000')).body.data.items }
    expect(pages.length).toBeGreaterThan(4)

    // Replay through a real WebSocket subscription from the oldest cursor, then per page from its own.
    const ws = await WsClient.connect(`ws://127.0.0.1:${runtime.server!.port}/ws`, TOKENS.acme)
    clients.push(ws)
    const from = Math.min(...pages.map((p) => p.page.cursor.graph.offset))
    expect((await ws.request({ type: 'subscribe', topic: 'graph', since: from, epoch: pages[0]!.page.cursor.graph.epoch })).type).toBe('subscribed')
    const lastOffset = await bus.lastOffset('acme', 'graph')
    await until(() => ws.events.some((e) => e.offset === lastOffset), 'the replayed deltas')
    const stream = ws.events.filter((e) => e.topic === 'graph') as Array<Envelope<GraphDelta>>
    expect(stream.map((e) => e.offset)).toEqual(Array.from({ length: lastOffset - from }, (_, i) => from + 1 + i))

    const byId = (items: any[]) => new Map(items.map((x) => [x.id, x]))
    for (const { kind, page } of pages) {
      expect(page.cursor.graph.epoch).toBe(pages[0]!.page.cursor.graph.epoch)
      expect(page.cursor.drifts.offset).toBeGreaterThanOrEqual(0)
      const items = byId(page.items)
      for (const { offset, data } of stream) {
        if (offset <= page.cursor.graph.offset) continue
        if (kind === 'nodes') {
          for (const id of data.nodes_removed) items.delete(id)
          for (const n of data.nodes_added) items.set(n.id, n)
          for (const c of data.nodes_changed) {
            const n = items.get(c.id)
            if (!n) continue
            const { drift_severity: _s, drift_count: _c, ...rest } = n
            items.set(c.id, c.drift_severity === null ? rest : { ...rest, drift_severity: c.drift_severity, drift_count: c.drift_count })
          }
        } else {
          for (const id of data.edges_removed) items.delete(id)
          for (const e of data.edges_added) items.set(e.id, e)
        }
      }
      expect(items, `a ${kind} page at graph offset ${page.cursor.graph.offset}`).toEqual(byId(final[kind]))
    }
  }, 60_000)

  it('serves graph node and edge pages of up to 10,000 items, and no more', async () => {
    for (const kind of ['nodes', 'edges']) {
      const ok = await get(`/api/v1/graph/${kind}?limit=10000`)
      expect(ok.status).toBe(200)
      expect(ok.body.data.limit).toBe(10000)
      const over = await get(`/api/v1/graph/${kind}?limit=10001`)
      expect(over.status).toBe(400)
      expect(over.body.error.code).toBe('TFD_ERR_REQUEST_INVALID')
    }
    expect((await get('/api/v1/graph/nodes')).body.data.limit).toBe(50)
    expect((await get('/api/v1/drifts?limit=10000')).status).toBe(400)
  })
})
