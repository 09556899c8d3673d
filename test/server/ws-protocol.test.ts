import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOPICS } from '../../engine/envelope.ts'
import { publishMany, startTestServer, TOKENS, until, WsClient, type TestServer } from './support.ts'

let t: TestServer
beforeAll(async () => { t = await startTestServer() })
afterAll(async () => { await t.close() })

describe('WebSocket protocol', () => {
  it('welcomes with client id, tenant, topics and limits', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    const welcome = c.messages[0]
    expect(welcome.type).toBe('welcome')
    expect(welcome.client_id).toMatch(/^[0-9A-Z]{26}$/)
    expect(welcome.tenant).toBe('acme')
    expect(welcome.topics).toEqual([...TOPICS, 'all'])
    expect(welcome.limits).toMatchObject({ max_buffer_bytes: 1024 * 1024, max_payload_bytes: 65536 })
    c.close()
  })

  it('subscribes, receives live envelopes in offset order, unsubscribes', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    const sub = await c.request({ type: 'subscribe', topic: 'drifts' })
    expect(sub).toMatchObject({ type: 'subscribed', topic: 'drifts', recovered: true })
    const sent = await publishMany(t.bus, 'acme', 'drifts', 5)
    await until(() => c.events.length === 5, '5 events')
    expect(c.events.map((e) => e.offset)).toEqual(sent.map((e) => e.offset))
    expect(c.events[0]).toEqual(sent[0])
    const unsub = await c.request({ type: 'unsubscribe', topic: 'drifts' })
    expect(unsub).toMatchObject({ type: 'unsubscribed', topic: 'drifts' })
    await publishMany(t.bus, 'acme', 'drifts', 2)
    const pong = await c.request({ type: 'ping' })
    expect(pong.type).toBe('pong')
    expect(c.events).toHaveLength(5)
    c.close()
  })

  it('replays history after `since`, then continues live without gap or duplicate', async () => {
    const before = await publishMany(t.bus, 'acme', 'events', 20)
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    const since = before[9].offset
    const sub = await c.request({ type: 'subscribe', topic: 'events', since })
    expect(sub).toMatchObject({ recovered: true, since })
    const after = await publishMany(t.bus, 'acme', 'events', 5)
    await until(() => c.events.length === 15, '15 events')
    expect(c.events.map((e) => e.offset)).toEqual([...before.slice(10), ...after].map((e) => e.offset))
    c.close()
  })

  it('applies filters (severity_min, resource_type, provider) and shares one channel per filter', async () => {
    const a = await WsClient.connect(t.ws, TOKENS.acme)
    const b = await WsClient.connect(t.ws, TOKENS.acme)
    const filter = { severity_min: 'high', provider: 'aws' }
    await a.request({ type: 'subscribe', topic: 'drifts', filter })
    await b.request({ type: 'subscribe', topic: 'drifts', filter: { resource_type: 'aws_s3_bucket' } })
    const sev = ['critical', 'high', 'medium', 'low', 'info']
    const sent = await publishMany(t.bus, 'acme', 'drifts', 10, 10, (i) => ({ severity: sev[i % 5], provider: i % 2 ? 'aws' : 'google', type: i < 5 ? 'aws_s3_bucket' : 'aws_instance' }))
    const wantA = sent.filter((e: any) => ['critical', 'high'].includes(e.data.severity) && e.data.provider === 'aws')
    const wantB = sent.filter((e: any) => e.data.type === 'aws_s3_bucket')
    await until(() => a.events.length === wantA.length && b.events.length === wantB.length, 'filtered events')
    expect(a.events.map((e) => e.offset)).toEqual(wantA.map((e) => e.offset))
    expect(b.events.map((e) => e.offset)).toEqual(wantB.map((e) => e.offset))
    a.close(); b.close()
  })

  it('subscribes to all topics with `all`', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    c.send({ type: 'subscribe', topic: 'all' })
    for (let i = 0; i < TOPICS.length; i++) await c.next((m) => m.type === 'subscribed')
    await t.bus.publish({ tenant: 'acme', topic: 'system', type: 'system.hello', data: {} })
    await t.bus.publish({ tenant: 'acme', topic: 'stats', type: 'stats.tick', data: {} })
    await until(() => c.events.length === 2, 'two topics')
    expect(c.events.map((e) => e.topic)).toEqual(['system', 'stats'])
    c.close()
  })

  it('answers queries: topics, last_offset, history', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    await publishMany(t.bus, 'acme', 'drifts', 3)
    const last = await t.bus.lastOffset('acme', 'drifts')
    const topics = await c.request({ type: 'query', what: 'topics' })
    expect(topics).toMatchObject({ type: 'query_result', what: 'topics', data: { topics: [...TOPICS], subscribed: [] } })
    const lo = await c.request({ type: 'query', what: 'last_offset', topic: 'drifts' })
    expect(lo.data).toEqual({ topic: 'drifts', last_offset: last })
    const hist = await c.request({ type: 'query', what: 'history', topic: 'drifts', after: last - 2, limit: 10 })
    expect(hist.data.envelopes.map((e: any) => e.offset)).toEqual([last - 1, last])
    expect(hist.data.complete).toBe(true)
    const bad = await c.request({ type: 'query', what: 'nonsense' })
    expect(bad).toMatchObject({ type: 'error', code: 'invalid_message' })
    c.close()
  })

  it('releases every subscription and connection slot on close', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    await c.request({ type: 'subscribe', topic: 'remediations' })
    expect(t.server.stats().ws).toBeGreaterThan(0)
    c.close()
    await c.closed
    await until(() => t.server.stats().connections === 0 && t.server.stats().streams === 0, 'connections and streams back to 0')
  })
})
