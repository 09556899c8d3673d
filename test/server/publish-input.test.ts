/**
 * What the publish API and ingress routes accept (issue 11, item 8): a JSON Content-Type (REST already
 * answered 415 for the same body; now every route does, with one code), and for engine-owned event
 * types (those with a schema in schemas/events) only data that matches the schema — a client must not
 * be able to publish a `drift.detected` of `{"foo":1}` on `system` in front of the engine's consumers.
 * Real loopback HTTP throughout.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startIngressServer, TOKENS, type TestServer } from './support.ts'

const ADMIN = ADMIN_TOKEN
let t: TestServer
let handled: unknown[] = []

beforeAll(async () => { ({ server: t, handled } = await startIngressServer()) })
afterAll(async () => { await t.close() })

const bearer = (token: string = TOKENS.acme) => ({ authorization: `Bearer ${token}` })
const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${t.http}${path}`, { method: 'POST', headers, body })

/** A POST with no Content-Type header at all (fetch always adds one to a string body). */
function postBare(path: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.http}${path}`, { method: 'POST', headers: { ...bearer(), 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const event = JSON.stringify({ topic: 'events', type: 'app.deployed', data: { version: '1.2.3' } })

describe('Content-Type', () => {
  const refused = ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=latin1', 'application/jsonx', 'constructor']
  const accepted = ['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"', 'application/x-ndjson', 'application/x-ndjson; charset=utf-8']

  it('publish answers 415 with the standard error body for anything but JSON or NDJSON, and publishes nothing', async () => {
    const before = await t.bus.lastOffset('acme', 'events')
    for (const type of refused) {
      const res = await post('/api/v1/publish', event, { ...bearer(), 'content-type': type })
      expect(res.status, type).toBe(415)
      const body = await res.json()
      expect(body, type).toEqual({ success: false, error: { code: 'TFD_ERR_MEDIA_TYPE', message: expect.stringContaining('application/json') } })
    }
    const bare = await postBare('/api/v1/publish', event)
    expect(bare).toMatchObject({ status: 415, body: { success: false, error: { code: 'TFD_ERR_MEDIA_TYPE', message: expect.stringMatching(/missing/) } } })
    expect(await t.bus.lastOffset('acme', 'events')).toBe(before)
    for (const type of accepted) expect((await post('/api/v1/publish', event, { ...bearer(), 'content-type': type })).status, type).toBe(200)
    expect(await t.bus.lastOffset('acme', 'events')).toBe(before + accepted.length)
  })

  it('ingress routes answer the same 415 before the plugin handler runs', async () => {
    for (const type of refused) {
      const res = await post('/api/v1/falco/events', '{"rule":"x"}', { ...bearer(), 'content-type': type })
      expect(res.status, type).toBe(415)
      expect((await res.json()).error.code).toBe('TFD_ERR_MEDIA_TYPE')
    }
    expect((await postBare('/api/v1/falco/events', '{"rule":"x"}')).status).toBe(415)
    expect(handled).toEqual([])
    expect((await post('/api/v1/falco/events', '{"rule":"x"}', { ...bearer(), 'content-type': 'application/json' })).status).toBe(202)
  })

  it('REST answers its 415 with the same code', async () => {
    const res = await post('/api/v1/remediations/nope/approve', 'note=x', { ...bearer(ADMIN), 'content-type': 'application/x-www-form-urlencoded' })
    expect(res.status).toBe(415)
    expect(await res.json()).toEqual({ success: false, error: { code: 'TFD_ERR_MEDIA_TYPE', message: expect.stringContaining('application/json') } })
  })
})

describe('engine-owned event types', () => {
  const json = { ...bearer(), 'content-type': 'application/json' }
  const drift = { id: 'drift_0123456789abcdef', kind: 'missing', address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', provider: 'aws', severity: 'high', detected_at: '2026-11-22T10:00:00.000Z', status: 'open' }

  it('refuses drift.detected with data {"foo":1} on system (400 naming the pointer and what was expected); publishes nothing', async () => {
    const res = await post('/api/v1/publish', JSON.stringify({ topic: 'system', type: 'drift.detected', data: { foo: 1 } }), json)
    expect(res.status).toBe(400)
    const { error } = await res.json()
    expect(error.code).toBe('TFD_ERR_PUBLICATION_SCHEMA')
    expect(error.message).toContain('/topic must be equal to constant ("drifts")')
    expect(error.message).toContain('schemas/events/drift.detected.schema.json')
    expect(error.message).toMatch(/and \d+ more/)
    expect(await t.bus.lastOffset('acme', 'system')).toBe(0)
    const data = await post('/api/v1/publish', JSON.stringify({ topic: 'drifts', type: 'drift.detected', data: { ...drift, severity: 'apocalyptic' } }), json)
    expect(data.status).toBe(400)
    expect((await data.json()).error.message).toMatch(/^publication: drift\.detected .*\/data\/severity must be equal to one of the allowed values/)
    expect(await t.bus.lastOffset('acme', 'drifts')).toBe(0)
  })

  it('one bad engine-owned item refuses the whole batch, naming it; valid ones and user-defined types publish', async () => {
    const failed = { topic: 'system', type: 'system.plugin_failed', data: { node: 'p.analysis.0', pipeline: 'p', plugin: 'drift', code: 'TFD_ERR_PLUGIN_RUNTIME', message: 'x', attempt: 0, retry_in_ms: 10 } }
    const batch = [JSON.stringify({ topic: 'drifts', type: 'drift.detected', data: drift }), JSON.stringify(failed)].join('\n')
    const res = await post('/api/v1/publish', batch, { ...json, 'content-type': 'application/x-ndjson' })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/^item 2: system\.plugin_failed .*\/data\/attempt must be >= 1/)
    expect(await t.bus.lastOffset('acme', 'drifts')).toBe(0)

    const good = [{ topic: 'drifts', type: 'drift.detected', data: drift }, { ...failed, data: { ...failed.data, attempt: 1 } }, { topic: 'system', type: 'acme.anything', data: { foo: 1 } }]
    const ok = await post('/api/v1/publish', JSON.stringify(good), json)
    expect(ok.status, await ok.clone().text()).toBe(200)
    expect((await ok.json()).data.published).toBe(3)
  })
})

describe('bodies that arrive in pieces', () => {
  /** Writes `lines` as NDJSON in separate writes, with a Content-Length or chunked (none). */
  function postPieces(lines: string[], withLength: boolean): Promise<number> {
    const body = lines.join('\n')
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...bearer(), 'content-type': 'application/x-ndjson' }
      if (withLength) headers['content-length'] = Buffer.byteLength(body)
      const req = http.request(`${t.http}/api/v1/falco/events`, { method: 'POST', headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
      req.on('error', reject)
      // Several writes of ~200 KB: the server sees the body in more than one chunk either way.
      for (let i = 0; i < body.length; i += 200_000) req.write(body.slice(i, i + 200_000))
      req.end()
    })
  }
  const lines = Array.from({ length: 900 }, (_, i) => JSON.stringify({ rule: 'r', n: i, pad: 'é'.repeat(400) }))

  it.each([['a Content-Length', true], ['chunked encoding', false]])('joins a body sent with %s intact, multi-byte characters across chunk edges included', async (_, withLength) => {
    handled.length = 0
    expect(await postPieces(lines, withLength)).toBe(202)
    expect(handled).toEqual([lines.map((l) => JSON.parse(l))])
  })
})
