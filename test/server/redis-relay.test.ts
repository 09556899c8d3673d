import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisBus } from '../../engine/bus/redis-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { hasBinary } from '../support/system.ts'
import { AUTH, SseClient, TOKENS, until, WsClient } from './support.ts'

let redis: RedisServer
const nodes: Array<{ server: Server; bus: RedisBus; http: string; ws: string }> = []

// File-level hooks do not run when every test of the file is skipped, as here without redis-server.
beforeAll(async () => {
  redis = await startRedis()
  for (let i = 0; i < 2; i++) {
    const bus = await RedisBus.connect({ url: redis.url, prefix: 'relaytest:', history: { max_events: 10_000 } })
    const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH }, bus, store: new MemoryStore(), logger: silentLogger, rest: false })
    nodes.push({ server, bus, http: `http://127.0.0.1:${server.port}`, ws: `ws://127.0.0.1:${server.port}/ws` })
  }
}, 30_000)
afterAll(async () => {
  for (const n of nodes) { await n.server.close(); await n.bus.close() }
  await redis?.stop()
})

async function publish(node: number, count: number, from = 0): Promise<Array<{ offset: number }>> {
  const body = Array.from({ length: count }, (_, i) => JSON.stringify({ topic: 'drifts', type: 'app.drifted', data: { i: from + i } })).join('\n')
  const res = await fetch(`${nodes[node].http}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/x-ndjson' }, body })
  expect(res.status).toBe(200)
  return (await res.json()).data.envelopes
}

describe.skipIf(!hasBinary('redis-server'))('relay nodes sharing a Redis bus', () => {
  it('events published on one node reach WS and SSE subscribers of the other', async () => {
    const ws = await WsClient.connect(nodes[1].ws, TOKENS.acme)
    await ws.request({ type: 'subscribe', topic: 'drifts' })
    const sse = await SseClient.open(`${nodes[1].http}/api/v1/stream?topic=drifts&token=${TOKENS.acme}`)
    await until(() => sse.events.some((e) => e.event === 'subscribed'), 'sse subscribed')
    const sent = await publish(0, 20)
    await until(() => ws.events.length === 20 && sse.envelopes().length === 20, 'cross-node delivery', 10_000)
    expect(ws.events.map((e) => e.offset)).toEqual(sent.map((e) => e.offset))
    expect(sse.envelopes().map((e) => e.offset)).toEqual(sent.map((e) => e.offset))
    ws.close(); sse.close()
  })

  it('a client that leaves node A resumes on node B by offset with no gap or duplicate, while publishing continues', async () => {
    const a = await WsClient.connect(nodes[0].ws, TOKENS.acme)
    await a.request({ type: 'subscribe', topic: 'drifts' })
    const first = await publish(0, 50, 1000)
    await until(() => a.events.length === 50, 'first batch on A', 10_000)
    a.close()
    await a.closed
    const missed = await publish(1, 100, 2000)
    const b = await WsClient.connect(nodes[1].ws, TOKENS.acme)
    const last = a.events[a.events.length - 1].offset
    b.send({ type: 'subscribe', topic: 'drifts', since: last, id: 'resume' })
    // Publish concurrently with the catch-up: the hub's live buffer and history read must stitch exactly.
    const during: Array<{ offset: number }> = []
    for (let k = 0; k < 5; k++) during.push(...(await publish(k % 2, 20, 3000 + k * 20)))
    const want = [...missed, ...during].map((e) => e.offset)
    await until(() => b.events.length >= want.length, 'resumed on B', 10_000)
    expect((b.messages.find((m) => m.id === 'resume') as { recovered: boolean }).recovered).toBe(true)
    const got = b.events.map((e: Envelope) => e.offset)
    expect(got).toEqual(want)
    expect(first.length + got.length).toBe(new Set([...first.map((e) => e.offset), ...got]).size)
    b.close()
  }, 30_000)
})
