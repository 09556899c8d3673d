import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishMany, SseClient, startTestServer, TOKENS, until, type TestServer } from './support.ts'

let t: TestServer
beforeAll(async () => { t = await startTestServer({ limits: { sse_keepalive_ms: 1000 } }) })
afterAll(async () => { await t.close() })

const url = (q: string) => `${t.http}/api/v1/stream?token=${TOKENS.acme}&${q}`

describe('SSE', () => {
  it('streams id = offset@epoch, event = type, data = envelope, with a retry hint and a subscribed event', async () => {
    const s = await SseClient.open(url('topic=drifts'))
    expect(s.status).toBe(200)
    expect(s.headers['content-type']).toContain('text/event-stream')
    await until(() => s.events.some((e) => e.event === 'subscribed'), 'subscribed')
    const sent = await publishMany(t.bus, 'acme', 'drifts', 3)
    await until(() => s.envelopes().length === 3, '3 events')
    expect(s.raw[0]).toMatch(/^retry: 2000/)
    const evs = s.events.filter((e) => e.event !== 'subscribed')
    const { epoch } = await t.bus.position('acme', 'drifts')
    expect(JSON.parse(s.events.find((e) => e.event === 'subscribed')!.data).epoch).toBe(epoch)
    expect(evs.map((e) => e.id)).toEqual(sent.map((e) => `${e.offset}@${epoch}`))
    expect(evs.map((e) => e.event)).toEqual(sent.map((e) => e.type))
    expect(s.envelopes()).toEqual(sent)
    s.close()
  })

  it('sends keep-alive comments', async () => {
    const s = await SseClient.open(url('topic=stats'))
    await until(() => s.raw.some((r) => r.startsWith(': keep-alive')), 'keep-alive comment', 4000)
    s.close()
  })

  it('resumes from Last-Event-ID and from ?since=, without gap or duplicate', async () => {
    const sent = await publishMany(t.bus, 'acme', 'events', 10)
    const a = await SseClient.open(url('topic=events'), { 'last-event-id': String(sent[4].offset) })
    const b = await SseClient.open(url(`topic=events&since=${sent[7].offset}`))
    const more = await publishMany(t.bus, 'acme', 'events', 2)
    await until(() => a.envelopes().length === 7 && b.envelopes().length === 4, 'replay + live')
    expect(a.envelopes().map((e) => e.offset)).toEqual([...sent.slice(5), ...more].map((e) => e.offset))
    expect(b.envelopes().map((e) => e.offset)).toEqual([...sent.slice(8), ...more].map((e) => e.offset))
    a.close(); b.close()
  })

  it('multi-topic streams carry a cursor id that resumes every topic', async () => {
    const s = await SseClient.open(url('topic=drifts,remediations'))
    await until(() => s.events.filter((e) => e.event === 'subscribed').length === 2, 'subscribed x2')
    await publishMany(t.bus, 'acme', 'drifts', 2)
    await t.bus.publish({ tenant: 'acme', topic: 'remediations', type: 'remediation.proposed', data: {} })
    await until(() => s.envelopes().length === 3, '3 events')
    const lastId = s.events[s.events.length - 1].id!
    expect(lastId).toMatch(/^drifts:\d+@[0-9A-Z]+,remediations:\d+@[0-9A-Z]+$/)
    s.close()
    const d = await publishMany(t.bus, 'acme', 'drifts', 1)
    const r = await t.bus.publish({ tenant: 'acme', topic: 'remediations', type: 'remediation.proposed', data: {} })
    const again = await SseClient.open(url('topic=drifts&topic=remediations'), { 'last-event-id': lastId })
    await until(() => again.envelopes().length === 2, 'missed events')
    expect(again.envelopes().map((e) => e.id).sort()).toEqual([d[0].id, r.id].sort())
    again.close()
  })

  it('a Last-Event-ID of another epoch replays the stream from its start with recovered: false', async () => {
    for (let i = 0; i < 3; i++) await t.bus.publish({ tenant: 'acme', topic: 'state', type: 'state.summary', data: { i } })
    const s = await SseClient.open(url('topic=state'), { 'last-event-id': '999999@OLDEPOCH00' })
    await until(() => s.envelopes().length === 3, 'replay from the start')
    const info = JSON.parse(s.events.find((e) => e.event === 'subscribed')!.data)
    expect(info).toMatchObject({ recovered: false, since: 0 })
    expect(info.epoch).not.toBe('OLDEPOCH00')
    expect(s.envelopes().map((e) => e.offset)).toEqual([1, 2, 3])
    s.close()
  })

  it('applies filters from the query string', async () => {
    const s = await SseClient.open(url('topic=drifts&severity_min=high&provider=aws'))
    await until(() => s.events.some((e) => e.event === 'subscribed'), 'subscribed')
    const sent = await publishMany(t.bus, 'acme', 'drifts', 4, 10, (i) => ({ severity: ['critical', 'low', 'high', 'high'][i], provider: i === 3 ? 'google' : 'aws' }))
    await t.bus.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data: { severity: 'critical', provider: 'aws', mark: 'end' } })
    await until(() => s.envelopes().some((e: any) => e.data.mark === 'end'), 'end marker')
    expect(s.envelopes().map((e) => e.offset)).toEqual([sent[0].offset, sent[2].offset, sent[2].offset + 2])
    s.close()
  })

  it('refuses garbage Last-Event-ID, unknown topics, bad filters and future offsets with 400', async () => {
    for (const [q, h, code] of [
      ['topic=drifts', { 'last-event-id': 'banana' }, 'invalid_since'],
      ['topic=drifts&since=12abc', {}, 'invalid_since'],
      ['topic=secrets', {}, 'unknown_topic'],
      ['topic=drifts&severity_min=extreme', {}, 'invalid_filter'],
      ['topic=drifts&since=999999999', {}, 'since_in_future'],
    ] as const) {
      const s = await SseClient.open(url(q), h as Record<string, string>)
      await until(() => s.ended, 'end')
      expect(s.status, q).toBe(400)
      expect(JSON.parse(s.body).error.code, q).toBe(code)
    }
    await until(() => t.server.stats().connections === 0, 'no leaked slots')
  })

  it('releases the connection when the client goes away', async () => {
    const s = await SseClient.open(url('topic=system'))
    await until(() => t.server.stats().sse === 1, 'one sse')
    s.close()
    await until(() => t.server.stats().sse === 0 && t.server.stats().streams === 0, 'released')
  })
})
