/**
 * Deeply nested JSON on every entry point (issue 11, defect 3). A 40 KB body of 20,000 nested arrays
 * parses fine, but everything that later serialises it (hub frames, history replay, the store) recurses
 * and overflows the stack: it used to be accepted (200), skipped silently by live subscribers, and made
 * `subscribe since:0` fail at its offset forever. Every input that parses outside JSON must refuse it
 * up front with a code naming the limit, and the bus must never take such data from in-process
 * publishers either, so one envelope can never break a stream for the others.
 * Real loopback HTTP and WS throughout.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { MAX_JSON_DEPTH } from '../../engine/json-depth.ts'
import { ADMIN_TOKEN, startIngressServer, TOKENS, WsClient, type TestServer } from './support.ts'

const ADMIN = ADMIN_TOKEN
const serverMsg = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(new URL('../../schemas/ws-server-message.schema.json', import.meta.url), 'utf8')))
let t: TestServer
let handled: unknown[] = []

beforeAll(async () => { ({ server: t, handled } = await startIngressServer()) })
afterAll(async () => { await t.close() })

const nested = (levels: number, inner = '0') => '['.repeat(levels) + inner + ']'.repeat(levels)
const json = (token: string = TOKENS.acme) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
const publish = (body: string, headers: Record<string, string> = json()) => fetch(`${t.http}/api/v1/publish`, { method: 'POST', headers, body })
const good = (n: number) => JSON.stringify({ topic: 'events', type: 'app.changed', data: { n } })

async function expectTooDeep(res: Response): Promise<void> {
  expect(res.status).toBe(400)
  const body = await res.json()
  expect(body).toMatchObject({ success: false, error: { code: 'TFD_ERR_JSON_TOO_DEEP' } })
  expect(body.error.message).toContain(String(MAX_JSON_DEPTH))
}

/** Offsets 1..last of `events`, each exactly once and in order: nothing skipped, nothing repeated. */
async function expectWhole(offsets: number[]): Promise<void> {
  const last = await t.bus.lastOffset('acme', 'events')
  expect(offsets).toEqual(Array.from({ length: last }, (_, i) => i + 1))
}

describe('deeply nested input', () => {
  it('publish refuses 20,000 nested arrays (400, names the limit); live and replaying subscribers see every offset', async () => {
    const live = await WsClient.connect(t.ws, TOKENS.acme)
    await live.request({ type: 'subscribe', topic: 'events' })
    expect((await publish(good(1))).status).toBe(200)
    const deep = `{"topic":"events","type":"app.changed","data":${nested(20_000)}}`
    expect(deep.length).toBeGreaterThan(40_000)
    await expectTooDeep(await publish(deep))
    // An NDJSON batch with one deep line is refused whole; the good line before it is not published.
    await expectTooDeep(await publish(`${good(2)}\n${deep}\n`, { ...json(), 'content-type': 'application/x-ndjson' }))
    expect((await publish(good(3))).status).toBe(200)
    await live.next((m) => m.type === 'event' && m.event.data.n === 3)
    await expectWhole(live.events.map((e) => e.offset))

    const replay = await WsClient.connect(t.ws, TOKENS.acme)
    expect(await replay.request({ type: 'subscribe', topic: 'events', since: 0 })).toMatchObject({ type: 'subscribed', recovered: true })
    await replay.next((m) => m.type === 'event' && m.event.data.n === 3)
    await expectWhole(replay.events.map((e) => e.offset))
    expect(replay.messages.filter((m) => m.type === 'error')).toEqual([])
    live.close()
    replay.close()
  })

  it('accepts exactly the limit and refuses one level more; brackets inside strings do not count', async () => {
    // The publication object is one level, so its data may nest MAX_JSON_DEPTH - 1 levels.
    const at = (levels: number) => `{"topic":"events","type":"app.changed","data":${nested(levels)}}`
    expect((await publish(at(MAX_JSON_DEPTH - 1))).status).toBe(200)
    await expectTooDeep(await publish(at(MAX_JSON_DEPTH)))
    const text = JSON.stringify({ topic: 'events', type: 'app.changed', data: { s: '['.repeat(5000) + '\\"{'.repeat(100) } })
    expect((await publish(text)).status).toBe(200)
  })

  it('ingress routes refuse it before the plugin handler runs', async () => {
    const url = `${t.http}/api/v1/falco/events`
    await expectTooDeep(await fetch(url, { method: 'POST', headers: json(), body: `{"output_fields":${nested(20_000)}}` }))
    await expectTooDeep(await fetch(url, { method: 'POST', headers: { ...json(), 'content-type': 'application/x-ndjson' }, body: `{"a":1}\n${nested(100)}\n` }))
    expect(handled).toEqual([])
    const ok = await fetch(url, { method: 'POST', headers: json(), body: '{"rule":"Terminal shell"}' })
    expect(ok.status).toBe(202)
  })

  it('WS messages get an error naming the limit, the socket stays open, and the server keeps serving', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    // An id is echoed in replies: a deep one used to make every reply (and the error reply) throw.
    c.send(`{"type":"subscribe","topic":"events","id":${nested(20_000)}}`)
    const err = await c.next((m) => m.type === 'error')
    expect(err.code).toBe('TFD_ERR_JSON_TOO_DEEP')
    expect(err.message).toContain(String(MAX_JSON_DEPTH))
    expect(serverMsg(err), JSON.stringify(serverMsg.errors)).toBe(true)
    c.send(`{"type":"ping","id":${nested(MAX_JSON_DEPTH - 1)}}`)
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ type: 'pong' })
    expect((await c.request({ type: 'ping' })).type).toBe('pong')
    expect((await fetch(`${t.http}/health`)).status).toBe(200)
    c.close()
  })

  it('REST bodies are refused with the same code', async () => {
    const res = await fetch(`${t.http}/api/v1/remediations/nope/approve`, { method: 'POST', headers: json(ADMIN), body: `{"note":${nested(20_000)}}` })
    await expectTooDeep(res)
    const shallow = await fetch(`${t.http}/api/v1/remediations/nope/approve`, { method: 'POST', headers: json(ADMIN), body: '{"note":"ok"}' })
    expect(shallow.status).toBe(404)
  })

  it('the bus refuses too-deep or unserialisable data from in-process publishers, so no stream can break at its offset', async () => {
    const before = await t.bus.lastOffset('acme', 'events')
    const deep: unknown[] = []
    let cursor = deep
    for (let i = 0; i < 20_000; i++) { const next: unknown[] = []; cursor.push(next); cursor = next }
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    for (const data of [deep, cycle, { big: 10n }, [{ x: [1n] }]]) {
      await expect(t.bus.publish({ tenant: 'acme', topic: 'events', type: 'app.changed', data })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    }
    expect(await t.bus.lastOffset('acme', 'events')).toBe(before)
    await t.bus.publish({ tenant: 'acme', topic: 'events', type: 'app.changed', data: { n: 'after' } })
    const replay = await WsClient.connect(t.ws, TOKENS.acme)
    await replay.request({ type: 'subscribe', topic: 'events', since: 0 })
    await replay.next((m) => m.type === 'event' && m.event.data.n === 'after')
    await expectWhole(replay.events.map((e) => e.offset))
    replay.close()
  })
})
