import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishMany, startTestServer, TOKENS, until, WsClient, type TestServer } from './support.ts'

let t: TestServer
beforeAll(async () => { t = await startTestServer({ limits: { max_payload_bytes: 4096, inbound_messages_per_second: 20, max_subscriptions_per_connection: 8 } }) })
afterAll(async () => { await t.close() })

async function client() { return WsClient.connect(t.ws, TOKENS.acme) }

describe('WebSocket bad input never crashes the server', () => {
  it('answers malformed JSON, non-objects and unknown types with error messages and keeps the socket open', async () => {
    const c = await client()
    c.send('{not json')
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_json' })
    c.send('[1,2]')
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_message' })
    c.send({ type: 'explode', id: 7 })
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'unknown_type', id: 7 })
    expect((await c.request({ type: 'ping' })).type).toBe('pong')
    c.close()
  })

  it('rejects unknown topics, foreign tenants, bad filters, bad and future `since`', async () => {
    const c = await client()
    expect(await c.request({ type: 'subscribe', topic: 'secrets' })).toMatchObject({ type: 'error', code: 'unknown_topic' })
    expect(await c.request({ type: 'subscribe', topic: 'drifts', tenant: 'globex' })).toMatchObject({ type: 'error', code: 'forbidden' })
    expect(await c.request({ type: 'subscribe', topic: 'drifts', filter: { severity_min: 'apocalyptic' } })).toMatchObject({ type: 'error', code: 'invalid_filter' })
    expect(await c.request({ type: 'subscribe', topic: 'drifts', filter: { colour: 'red' } })).toMatchObject({ type: 'error', code: 'invalid_filter' })
    expect(await c.request({ type: 'subscribe', topic: 'drifts', since: -1 })).toMatchObject({ type: 'error', code: 'invalid_since' })
    expect(await c.request({ type: 'subscribe', topic: 'drifts', since: 'yesterday' })).toMatchObject({ type: 'error', code: 'invalid_since' })
    await publishMany(t.bus, 'acme', 'drifts', 2)
    const last = await t.bus.lastOffset('acme', 'drifts')
    expect(await c.request({ type: 'subscribe', topic: 'drifts', since: last + 100 })).toMatchObject({ type: 'error', code: 'since_in_future' })
    expect(await c.request({ type: 'unsubscribe', topic: 'drifts' })).toMatchObject({ type: 'error', code: 'not_subscribed' })
    expect(await c.request({ type: 'query', what: 'history', topic: 'drifts', tenant: 'globex' })).toMatchObject({ type: 'error', code: 'forbidden' })
    expect(await c.request({ type: 'query', what: 'history', topic: 'drifts', limit: 1e9 })).toMatchObject({ type: 'error', code: 'invalid_message' })
    c.close()
  })

  it('reports binary frames and invalid UTF-8', async () => {
    const c = await client()
    c.socket.send(Buffer.from('{"type":"ping"}'), { binary: true })
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'binary_not_supported' })
    c.socket.send(Buffer.from([0xff, 0xfe, 0x7b]), { binary: true })
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_utf8' })
    c.close()
  })

  it('closes a socket that sends a frame over max_payload_bytes, and the server keeps serving', async () => {
    const c = await client()
    c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(8000) }))
    const closed = await c.closed
    expect([1006, 1009]).toContain(closed.code)
    const d = await client()
    expect((await d.request({ type: 'ping' })).type).toBe('pong')
    d.close()
  })

  it('invalid UTF-8 in a text frame closes the socket (protocol violation) without harming others', async () => {
    // `ws` refuses to send invalid UTF-8 as text, so write one masked text frame by hand.
    const c = await client()
    const raw = (c.socket as unknown as { _socket: net.Socket })._socket
    const payload = Buffer.from([0xc3, 0x28])
    const mask = Buffer.from([1, 2, 3, 4])
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
    raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]))
    const closed = await c.closed
    expect(closed.code).not.toBe(1000)
    const d = await client()
    expect((await d.request({ type: 'ping' })).type).toBe('pong')
    d.close()
  })

  it('limits subscriptions per connection', async () => {
    const c = await client()
    c.send({ type: 'subscribe', topic: 'all' })
    for (let i = 0; i < 7; i++) await c.next((m) => m.type === 'subscribed')
    const r = await c.request({ type: 'subscribe', topic: 'all' })
    expect(r.type).toBe('subscribed') // re-subscribing the same topics replaces, it does not add
    const small = await startTestServer({ limits: { max_subscriptions_per_connection: 2 } })
    const s = await WsClient.connect(small.ws, TOKENS.acme)
    await s.request({ type: 'subscribe', topic: 'drifts' })
    await s.request({ type: 'subscribe', topic: 'events' })
    expect(await s.request({ type: 'subscribe', topic: 'state' })).toMatchObject({ type: 'error', code: 'too_many_subscriptions' })
    s.close(); c.close()
    await small.close()
  })

  it('rate-limits subscribe floods: errors first, then closes with 4029', async () => {
    const c = await client()
    for (let i = 0; i < 200; i++) c.send({ type: 'subscribe', topic: 'drifts' })
    expect(await c.next((m) => m.type === 'error' && m.code === 'rate_limited')).toBeTruthy()
    const closed = await c.closed
    expect(closed).toEqual({ code: 4029, reason: 'rate limited' })
    await until(() => t.server.stats().connections === 0, 'slots released')
    expect(t.server.stats().streams).toBe(0)
  })
})
