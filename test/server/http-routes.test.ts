import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import { AUTH, TOKENS } from './support.ts'

let server: Server
let base: string
const bus = new MemoryBus()
const store = new MemoryStore()
const ui = mkdtempSync(join(tmpdir(), 'tfdrift-ui-'))
const calls: Array<{ body: unknown; tenant: string }> = []
const METRICS_TOKEN = 'ops-metrics-token'
const ADMIN = 'acme-admin-only-token'

beforeAll(async () => {
  mkdirSync(join(ui, 'assets'))
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>tfdrift</title>')
  writeFileSync(join(ui, 'assets', 'app-abc123.js'), 'console.log(1)')
  const auth = { tokens: [...AUTH!.tokens!, { token: METRICS_TOKEN, tenant: 'ops', scopes: ['metrics' as const], name: 'prometheus' }, { token: ADMIN, tenant: 'acme', scopes: ['admin' as const], name: 'acme-admin' }] }
  server = await startServer({ config: { port: 0, host: '127.0.0.1', auth, limits: { body_limit_bytes: 4096 } }, bus, store, logger: silentLogger, uiDir: ui })
  base = `http://127.0.0.1:${server.port}`
  server.ingress.register({
    method: 'POST', path: '/api/v1/falco/events', scope: 'publish', body_limit: 2048,
    async handle(body, req) {
      calls.push({ body, tenant: req.tenant })
      return { status: 202, data: { accepted: Array.isArray(body) ? body.length : 1 } }
    },
  })
})
afterAll(async () => { await server.close(); await bus.close(); await store.close() })

const auth = (token: string = TOKENS.acme) => ({ authorization: `Bearer ${token}` })
const json = (token: string = TOKENS.acme) => ({ ...auth(token), 'content-type': 'application/json' })

describe('publish API', () => {
  it('publishes one publication and an NDJSON batch, all or nothing', async () => {
    const one = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: json(), body: JSON.stringify({ topic: 'events', type: 'app.changed', data: { n: 1 } }) })
    expect(one.status).toBe(200)
    expect((await one.json()).data).toMatchObject({ published: 1, envelopes: [{ topic: 'events', offset: 1 }] })
    const ndjson = ['{"topic":"events","type":"app.changed","data":{"n":2}}', '{"topic":"drifts","type":"app.drifted","data":{"n":3}}', ''].join('\n')
    const batch = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/x-ndjson' }, body: ndjson })
    expect((await batch.json()).data.published).toBe(2)
    const bad = ['{"topic":"events","type":"app.changed","data":{}}', '{"topic":"events","type":"BAD TYPE","data":{}}'].join('\n')
    const refused = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/x-ndjson' }, body: bad })
    expect(refused.status).toBe(400)
    expect((await refused.json()).error.message).toMatch(/^item 2: \/type must match pattern/)
    expect(await bus.lastOffset('acme', 'events')).toBe(2)
  })

  it('explains invalid bodies precisely (400) and refuses oversize bodies (413)', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"topic":"events"', /not valid JSON/],
      ['{"topic":"events","type":"x","data":1,"extra":true}', /must NOT have additional properties \(extra\)/],
      ['{"type":"x","data":1}', /must have required property 'topic'/],
      ['{"a":1}\n{oops}', /NDJSON line 2 is not valid JSON/],
      ['', /empty/],
    ]
    for (const [body, message] of cases) {
      const res = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: json(), body })
      expect(res.status, body).toBe(400)
      expect((await res.json()).error.message, body).toMatch(message)
    }
    const big = await fetch(`${base}/api/v1/publish`, { method: 'POST', headers: json(), body: JSON.stringify({ topic: 'events', type: 'x', data: 'y'.repeat(10_000) }) })
    expect(big.status).toBe(413)
    expect((await big.json()).error.code).toBe('body_too_large')
  })

  it('refuses a chunked body that grows past the limit', async () => {
    const status = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => {
        s.write(`POST /api/v1/publish HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKENS.acme}\r\ntransfer-encoding: chunked\r\n\r\n`)
        const chunk = 'z'.repeat(1000)
        for (let i = 0; i < 8; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
      })
      let buf = ''
      s.on('data', (d) => { buf += d; if (buf.includes('\r\n')) { resolve(buf.split('\r\n')[0]); s.destroy() } })
      s.on('error', () => resolve(buf.split('\r\n')[0]))
    })
    expect(status).toBe('HTTP/1.1 413 Payload Too Large')
  })
})

describe('ingress routes', () => {
  it('authenticates, checks scope, bounds and parses the body, then calls the plugin handler', async () => {
    const url = `${base}/api/v1/falco/events`
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401)
    expect((await fetch(url, { method: 'POST', headers: auth(TOKENS.acmeRead), body: '{}' })).status).toBe(403)
    expect((await fetch(url, { method: 'POST', headers: auth(), body: 'x'.repeat(3000) })).status).toBe(413)
    const bad = await fetch(url, { method: 'POST', headers: json(), body: '{"rule":' })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toMatch(/not valid JSON/)
    const ok = await fetch(url, { method: 'POST', headers: json(TOKENS.globex), body: '{"rule":"Terminal shell"}' })
    expect(ok.status).toBe(202)
    expect(await ok.json()).toEqual({ success: true, data: { accepted: 1 } })
    const nd = await fetch(url, { method: 'POST', headers: { ...auth(), 'content-type': 'application/x-ndjson' }, body: '{"a":1}\n{"a":2}\n' })
    expect((await nd.json()).data).toEqual({ accepted: 2 })
    expect(calls).toEqual([{ body: { rule: 'Terminal shell' }, tenant: 'globex' }, { body: [{ a: 1 }, { a: 2 }], tenant: 'acme' }])
    expect(() => server.ingress.register({ method: 'POST', path: '/api/v1/publish', scope: 'publish', handle: async () => ({ status: 200 }) })).toThrow(/reserved/)
  })
})

describe('health, metrics, REST and static', () => {
  it('GET /health and /metrics', async () => {
    const h = await (await fetch(`${base}/health`, { headers: auth() })).json()
    expect(h).toMatchObject({ success: true, data: { status: 'ok', scope: 'tenant', tenant: 'acme', connections: 0 } })
    const m = await (await fetch(`${base}/metrics`, { headers: auth(METRICS_TOKEN) })).text()
    expect(m).toContain('tfdrift_server_connections')
    expect(m).toMatch(/tfdrift_server_published_total\{source="api"\} 3/)
  })

  it('GET /metrics spans every tenant, so it needs the metrics scope (not implied by admin) once auth is on', async () => {
    const none = await fetch(`${base}/metrics`)
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ success: false, error: { code: 'unauthorized' } })
    for (const token of [TOKENS.acme, ADMIN]) {
      const res = await fetch(`${base}/metrics`, { headers: auth(token) })
      expect(res.status).toBe(403)
      const body = await res.json()
      expect(body).toMatchObject({ success: false, error: { code: 'forbidden', message: expect.stringContaining('"metrics" scope') } })
      expect(JSON.stringify(body)).not.toContain('tfdrift_')
    }
    expect((await fetch(`${base}/metrics`, { headers: auth('not-a-token') })).status).toBe(401)
    expect((await fetch(`${base}/metrics?token=${METRICS_TOKEN}`)).status).toBe(200)
  })

  it('bridges /api/* to the fastify REST app (auth and tenant included)', async () => {
    expect((await fetch(`${base}/api/v1/drifts`)).status).toBe(401)
    const res = await fetch(`${base}/api/v1/drifts?limit=5`, { headers: auth() })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ success: true, data: { items: [], total: 0 } })
    const openapi = await fetch(`${base}/api/v1/openapi.json`, { headers: auth() })
    expect(openapi.status).toBe(200)
    const unknown = await fetch(`${base}/api/v1/nope`, { headers: auth() })
    expect(unknown.status).toBe(404)
  })

  it('serves the dashboard with an index.html fallback and never outside its directory', async () => {
    const index = await fetch(`${base}/`)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(await index.text()).toContain('<title>tfdrift</title>')
    const asset = await fetch(`${base}/assets/app-abc123.js`)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(await (await fetch(`${base}/graph/some/route`)).text()).toContain('<title>tfdrift</title>')
    const traversal = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write('GET /../../../../etc/passwd HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'))
      let buf = ''
      s.on('data', (d) => { buf += d })
      s.on('close', () => resolve(buf))
    })
    expect(traversal).toMatch(/^HTTP\/1.1 (404|200)/)
    expect(traversal).not.toContain('root:')
  })
})
