/**
 * The SSE transport against a tiny real node:http SSE server: request headers (auth, resume cursor),
 * events and `subscribed` parsed from split chunks, stream end, and refused streams' error bodies.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream, sseUrl } from '../../engine/client/sse-transport.ts'
import type { ServerError, SubscribedInfo, TransportHandlers } from '../../engine/client/types.ts'
import type { Envelope } from '../../engine/envelope.ts'

let server: http.Server
let base: string
const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = []

const env = (offset: number): Envelope => ({ id: `e${offset}`, offset, topic: 'drifts', type: 'drift.detected', tenant: 'acme', time: '2026-11-22T10:00:00.000Z', data: { n: offset } })

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url!, headers: req.headers })
    if (req.headers.authorization !== 'Bearer good') {
      res.writeHead(401, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ success: false, error: { code: 'invalid_token', message: 'The bearer token is not valid for this server.' } }))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const info: SubscribedInfo = { topic: 'drifts', since: 2, recovered: true, epoch: 'E1', oldest_offset: 1, last_offset: 4 }
    const body = `retry: 1000\n\nevent: subscribed\ndata: ${JSON.stringify(info)}\n\n` +
      [3, 4].map((o) => `id: ${o}\nevent: drift.detected\ndata: ${JSON.stringify(env(o))}\n\n`).join('') + ': keep-alive\n\n'
    // Write in awkward pieces so frames straddle TCP writes.
    let i = 0
    const step = () => {
      if (i >= body.length) return res.end()
      res.write(body.slice(i, i + 7))
      i += 7
      setImmediate(step)
    }
    step()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => { await new Promise((r) => server.close(r)) })

function collect() {
  const log = { opened: 0, subscribed: [] as SubscribedInfo[], events: [] as Envelope[], errors: [] as ServerError[], closed: undefined as undefined | Parameters<TransportHandlers['closed']>[0] }
  let done!: () => void
  const finished = new Promise<void>((r) => { done = r })
  const handlers: TransportHandlers = {
    opened: () => { log.opened++ },
    subscribed: (i) => log.subscribed.push(i),
    event: (e) => log.events.push(e),
    error: (e) => log.errors.push(e),
    closed: (c) => { log.closed = c; done() },
  }
  return { log, handlers, finished }
}

describe('SSE transport', () => {
  it('builds the stream URL with topics and filter', () => {
    expect(sseUrl({ base: 'http://h:1', topics: ['drifts', 'events'], filter: { severity_min: 'high', provider: 'aws' } }))
      .toBe('http://h:1/api/v1/stream?topic=drifts%2Cevents&severity_min=high&provider=aws')
  })

  it('sends auth and the resume cursor, parses subscribed and events, reports the end', async () => {
    const { log, handlers, finished } = collect()
    openEventStream(fetch, { base, token: 'good', topics: ['drifts', 'events'], since: new Map([['drifts', 2], ['events', 7]]), epochs: new Map([['drifts', 'E1']]) }, handlers)
    await finished
    const req = seen.at(-1)!
    expect(req.headers['last-event-id']).toBe('drifts:2@E1,events:7')
    expect(req.headers.accept).toBe('text/event-stream')
    expect(req.url).toBe('/api/v1/stream?topic=drifts%2Cevents')
    expect(log.opened).toBe(1)
    expect(log.subscribed).toEqual([{ topic: 'drifts', since: 2, recovered: true, epoch: 'E1', oldest_offset: 1, last_offset: 4 }])
    expect(log.events.map((e) => e.offset)).toEqual([3, 4])
    expect(log.events[0]).toEqual(env(3))
    expect(log.errors).toEqual([])
    expect(log.closed).toMatchObject({ opened: true, reason: 'stream ended' })
  })

  it('reports a refused stream with the server error code and HTTP status', async () => {
    const { log, handlers, finished } = collect()
    openEventStream(fetch, { base, token: 'bad', topics: ['drifts'], since: new Map(), epochs: new Map() }, handlers)
    await finished
    expect(seen.at(-1)!.headers['last-event-id']).toBeUndefined()
    expect(log.opened).toBe(0)
    expect(log.closed).toMatchObject({ opened: false, error: { code: 'invalid_token', status: 401 } })
  })

  it('reports a network failure when nothing listens', async () => {
    const { log, handlers, finished } = collect()
    const dead = http.createServer()
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
    const port = (dead.address() as AddressInfo).port
    await new Promise((r) => dead.close(r))
    openEventStream(fetch, { base: `http://127.0.0.1:${port}`, topics: ['drifts'], since: new Map(), epochs: new Map() }, handlers)
    await finished
    expect(log.closed).toMatchObject({ opened: false, error: { code: 'network_error' } })
  })

  it('close() ends the stream once, without further events', async () => {
    const { log, handlers, finished } = collect()
    const t = openEventStream(fetch, { base, token: 'good', topics: ['drifts'], since: new Map(), epochs: new Map() }, handlers)
    t.close()
    t.close()
    await finished
    expect(log.closed).toMatchObject({ reason: 'client closed' })
    expect(log.events).toEqual([])
  })
})
