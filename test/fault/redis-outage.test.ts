/**
 * Redis goes away and comes back while clients are connected to two relay nodes that share it.
 * Pub/sub loses every message published while a node's subscriber connection is down, so without
 * gap filling the open connections would silently miss acknowledged envelopes. And when Redis comes
 * back without its data, offsets restart: the stream's epoch must change and clients be told.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RedisBus } from '../../engine/bus/redis-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { hasBinary } from '../support/system.ts'
import { AUTH, SseClient, TOKENS, until, WsClient } from '../server/support.ts'
import { publishLoad } from './support.ts'

interface Node { server: Server; bus: RedisBus; http: string; ws: string }
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f().catch(() => {}) })

async function nodes(redis: RedisServer, count: number): Promise<Node[]> {
  const out: Node[] = []
  for (let i = 0; i < count; i++) {
    const bus = await RedisBus.connect({ url: redis.url, prefix: 'outage:', history: { max_events: 100_000 } })
    const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH }, bus, store: new MemoryStore(), logger: silentLogger, rest: false })
    cleanup.push(async () => { await server.close(); await bus.close() })
    out.push({ server, bus, http: `http://127.0.0.1:${server.port}`, ws: `ws://127.0.0.1:${server.port}/ws` })
  }
  return out
}

/** Offsets received, checked dense and unrepeated from the first. */
function offsetsOf(envelopes: Envelope[]): number[] {
  return envelopes.map((e) => e.offset)
}

describe.skipIf(!hasBinary('redis-server'))('Redis outage with clients connected', () => {
  it('open WS and SSE connections on both nodes miss nothing that was acknowledged, in order, without repeats', async () => {
    const redis = await startRedis({ persistent: true })
    cleanup.push(() => redis.stop())
    const [a, b] = await nodes(redis, 2)
    const clients = await Promise.all([a, b].map(async (node) => {
      const ws = await WsClient.connect(node.ws, TOKENS.acme)
      await ws.request({ type: 'subscribe', topic: 'events', since: 0 })
      const sse = await SseClient.open(`${node.http}/api/v1/stream?topic=events&since=0&token=${TOKENS.acme}`)
      await until(() => sse.events.some((e) => e.event === 'subscribed'), 'sse subscribed')
      cleanup.push(async () => { ws.close(); sse.close() })
      return { ws, sse }
    }))
    const load = publishLoad(() => a.http, TOKENS.acme, { batch: 10, concurrency: 2 })
    await until(() => load.acked.length >= 500, 'load before the outage', 20_000)
    await redis.kill()
    await until(() => load.failed() > 0, 'publishes failing during the outage', 20_000)
    await redis.restart()
    const before = load.acked.length
    await until(() => load.acked.length >= before + 1_000, 'load after the restart', 30_000)
    await load.stop()
    const acked = load.acked.map((x) => x.offset).sort((x, y) => x - y)
    const last = acked.at(-1)!
    const views = clients.flatMap(({ ws, sse }) => [{ name: 'ws', got: () => ws.events as Envelope[] }, { name: 'sse', got: () => sse.envelopes() as Envelope[] }])
    await until(() => views.every((v) => (v.got().at(-1)?.offset ?? 0) >= last), 'every connection caught up', 20_000).catch(() => {})
    let missed = 0
    for (const view of views) {
      const got = new Set(offsetsOf(view.got()))
      missed += acked.filter((o) => !got.has(o)).length
      // Dense and in order: no gap skipped, nothing repeated.
      expect(offsetsOf(view.got())).toEqual(Array.from({ length: view.got().length }, (_, i) => i + 1))
    }
    console.log(`redis outage: ${acked.length} acknowledged (${before} before the restart), ${load.failed()} publishes refused during the outage, ${views.length} open connections, ${missed} acknowledged envelopes missed`)
    expect(missed).toBe(0)
    for (const { ws, sse } of clients) {
      expect(ws.closeInfo).toBeUndefined()
      expect(sse.ended).toBe(false)
    }
  }, 90_000)

  it('after Redis lost its data, the epoch changes: live sockets are reset and a resume says recovered: false', async () => {
    const redis = await startRedis()
    cleanup.push(() => redis.stop())
    const [a] = await nodes(redis, 1)
    const ws = await WsClient.connect(a.ws, TOKENS.acme)
    const first = await ws.request({ type: 'subscribe', topic: 'events', since: 0 })
    const load = publishLoad(() => a.http, TOKENS.acme, { batch: 5, concurrency: 1 })
    await until(() => ws.events.length >= 20, 'events before the loss', 10_000)
    await load.stop()
    const seen = ws.events.at(-1)!.offset
    // A restart without persistence: the data, offsets and epoch are gone.
    await redis.kill()
    await redis.restart()
    const after = await fetch(`${a.http}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'events', type: 'after.loss', data: {} }) })
    expect(after.status).toBe(200)
    const offset = (await after.json()).data.envelopes[0].offset
    expect(offset).toBe(1)
    // The open socket must not take offset 1 of the new epoch as if it followed `seen`.
    const closed = await ws.closed
    expect(closed.code).toBe(4009)
    expect(ws.events.filter((e) => e.type === 'after.loss')).toEqual([])
    const again = await WsClient.connect(a.ws, TOKENS.acme)
    const resumed = await again.request({ type: 'subscribe', topic: 'events', since: seen, epoch: first.epoch })
    expect(resumed).toMatchObject({ type: 'subscribed', recovered: false, since: 0 })
    expect(resumed.epoch).not.toBe(first.epoch)
    const replayed = await again.next((m) => m.type === 'event')
    expect(replayed.event).toMatchObject({ offset: 1, type: 'after.loss' })
    again.close()
  }, 60_000)
})
