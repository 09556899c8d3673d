import type net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Envelope } from '../../engine/envelope.ts'
import { publishMany, SseClient, startTestServer, TOKENS, until, WsClient, type TestServer, fetchMetrics } from './support.ts'

let t: TestServer
afterEach(async () => { await t?.close() })

const LIMIT = 64 * 1024
const tick = () => new Promise((r) => setImmediate(r))

function slowCloses(t: TestServer, kind: 'ws' | 'sse'): Promise<number> {
  return fetchMetrics(t.http).then((text) => {
    const m = new RegExp(`tfdrift_server_slow_consumer_closes_total\\{kind="${kind}"\\} (\\d+)`).exec(text)
    return m ? Number(m[1]) : 0
  })
}

function assertExactly(received: Envelope[], sent: Envelope[]): void {
  const offsets = received.map((e) => e.offset)
  expect(new Set(offsets).size, 'no duplicates').toBe(offsets.length)
  expect(offsets, 'nothing lost, in order').toEqual(sent.map((e) => e.offset))
}

describe('slow consumers', () => {
  it('WS: a client that stops reading is closed with 4008, others are unaffected, and it recovers losslessly', async () => {
    t = await startTestServer({ limits: { max_buffer_bytes: LIMIT } })
    const fast = await WsClient.connect(t.ws, TOKENS.acme)
    const slow = await WsClient.connect(t.ws, TOKENS.acme)
    await fast.request({ type: 'subscribe', topic: 'drifts' })
    await slow.request({ type: 'subscribe', topic: 'drifts' })
    const raw = (slow.socket as unknown as { _socket: net.Socket })._socket
    raw.pause()
    const sent: Envelope[] = []
    // Publish until the server gives up on the slow one (the kernel buffers some MB first).
    while ((await slowCloses(t, 'ws')) === 0) {
      sent.push(...(await publishMany(t.bus, 'acme', 'drifts', 200, 1000)))
      await tick()
      if (sent.length > 100_000) throw new Error('the slow consumer was never closed')
    }
    expect(t.server.stats().ws).toBe(1)
    // Keep publishing while the slow one is gone: it must get these from history.
    sent.push(...(await publishMany(t.bus, 'acme', 'drifts', 300, 1000)))
    await until(() => fast.events.length === sent.length, 'fast client got everything', 20_000)
    assertExactly(fast.events, sent)
    raw.resume()
    const closed = await slow.closed
    expect(closed).toEqual({ code: 4008, reason: 'slow consumer' })
    const firstPart = slow.events.slice()
    expect(firstPart.length).toBeLessThan(sent.length)
    const last = firstPart[firstPart.length - 1].offset
    const again = await WsClient.connect(t.ws, TOKENS.acme)
    const sub = await again.request({ type: 'subscribe', topic: 'drifts', since: last })
    expect(sub.recovered).toBe(true)
    sent.push(...(await publishMany(t.bus, 'acme', 'drifts', 50, 1000)))
    await until(() => firstPart.length + again.events.length >= sent.length, 'recovered', 20_000)
    await tick()
    assertExactly([...firstPart, ...again.events], sent)
    fast.close(); again.close()
  }, 60_000)

  it('SSE: a stream that stops reading is ended, others continue, and Last-Event-ID recovers losslessly', async () => {
    t = await startTestServer({ limits: { max_buffer_bytes: LIMIT } })
    const url = `${t.http}/api/v1/stream?topic=events&token=${TOKENS.acme}`
    const fast = await SseClient.open(url)
    const slow = await SseClient.open(url)
    await until(() => fast.events.length > 0 && slow.events.length > 0, 'subscribed')
    slow.pause()
    const sent: Envelope[] = []
    while ((await slowCloses(t, 'sse')) === 0) {
      sent.push(...(await publishMany(t.bus, 'acme', 'events', 200, 1000)))
      await tick()
      if (sent.length > 100_000) throw new Error('the slow SSE consumer was never ended')
    }
    expect(t.server.stats().sse).toBe(1)
    sent.push(...(await publishMany(t.bus, 'acme', 'events', 300, 1000)))
    await until(() => fast.envelopes().length === sent.length, 'fast stream got everything', 20_000)
    assertExactly(fast.envelopes(), sent)
    slow.resume()
    await until(() => slow.ended, 'slow stream ended', 20_000)
    const firstPart = slow.envelopes()
    const lastId = slow.events.filter((e) => e.id).at(-1)!.id!
    const again = await SseClient.open(url, { 'last-event-id': lastId })
    sent.push(...(await publishMany(t.bus, 'acme', 'events', 50, 1000)))
    await until(() => firstPart.length + again.envelopes().length >= sent.length, 'recovered', 20_000)
    assertExactly([...firstPart, ...again.envelopes()], sent)
    fast.close(); again.close()
  }, 60_000)

  it('says recovered: false when history no longer covers the gap, then continues from the oldest retained', async () => {
    t = await startTestServer({}, { history: { max_events: 10 } })
    const sent = await publishMany(t.bus, 'acme', 'drifts', 30)
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    const sub = await c.request({ type: 'subscribe', topic: 'drifts', since: 5 })
    expect(sub).toMatchObject({ recovered: false, since: 5, oldest_offset: 21, last_offset: 30 })
    await until(() => c.events.length === 10, 'retained events')
    expect(c.events.map((e) => e.offset)).toEqual(sent.slice(20).map((e) => e.offset))
    const s = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.acme}`, { 'last-event-id': '5' })
    await until(() => s.events.some((e) => e.event === 'subscribed'), 'sse subscribed')
    expect(JSON.parse(s.events.find((e) => e.event === 'subscribed')!.data)).toMatchObject({ recovered: false, oldest_offset: 21 })
    c.close(); s.close()
  })

  it('a long replay is paced by the socket and joins live without gap while publishing continues', async () => {
    t = await startTestServer({ limits: { max_buffer_bytes: LIMIT, history_page_size: 50 } })
    const sent = await publishMany(t.bus, 'acme', 'drifts', 3000, 300)
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    c.send({ type: 'subscribe', topic: 'drifts', since: 0 })
    for (let i = 0; i < 20; i++) {
      sent.push(...(await publishMany(t.bus, 'acme', 'drifts', 25, 300)))
      await tick()
    }
    await until(() => c.events.length >= sent.length, 'all events', 20_000)
    assertExactly(c.events, sent)
    c.close()
  }, 30_000)
})
