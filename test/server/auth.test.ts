import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../engine/server/auth.ts'
import { createRestApp } from '../../engine/server/rest/index.ts'
import { publishMany, SseClient, startTestServer, TOKENS, until, WsClient, wsRefusal, type TestServer } from './support.ts'

let t: TestServer
beforeAll(async () => { t = await startTestServer({ cors: { origins: ['https://dash.example.com'] } }) })
afterAll(async () => { await t.close() })

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
function hs256(claims: Record<string, unknown>, secret: string): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
}

describe('authentication and scopes', () => {
  it('refuses WS upgrades without or with a wrong token (401), and foreign origins (403)', async () => {
    expect((await wsRefusal(t.ws)).status).toBe(401)
    expect((await wsRefusal(t.ws, { authorization: 'Bearer nope' })).status).toBe(401)
    expect((await wsRefusal(t.ws, { authorization: `Bearer ${TOKENS.acme}`, origin: 'https://evil.example.com' })).status).toBe(403)
    const ok = await WsClient.connect(t.ws, TOKENS.acme, { origin: 'https://dash.example.com' })
    ok.close()
    const viaQuery = await WsClient.connect(`${t.ws}?token=${TOKENS.acmeRead}`)
    viaQuery.close()
  })

  it('SSE: 401 without token, ?token= works, CORS header only for allowed origins', async () => {
    const none = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts`)
    await until(() => none.ended, 'response end')
    expect(none.status).toBe(401)
    expect(JSON.parse(none.body).error.code).toBe('unauthorized')
    const ok = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.acmeRead}`, { origin: 'https://dash.example.com' })
    expect(ok.status).toBe(200)
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example.com')
    ok.close()
    const evil = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.acmeRead}`, { origin: 'https://evil.example.com' })
    await until(() => evil.ended, 'response end')
    expect(evil.status).toBe(403)
  })

  it('publish needs the publish scope (403 for a read token, 401 without one)', async () => {
    const body = JSON.stringify({ topic: 'events', type: 'change.received', data: {} })
    const none = await fetch(`${t.http}/api/v1/publish`, { method: 'POST', body })
    expect(none.status).toBe(401)
    const read = await fetch(`${t.http}/api/v1/publish`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKENS.acmeRead}` } })
    expect(read.status).toBe(403)
    expect((await read.json()).error.code).toBe('forbidden')
  })

  it('preflight: allowed origin gets CORS headers, others 403', async () => {
    const ok = await fetch(`${t.http}/api/v1/publish`, { method: 'OPTIONS', headers: { origin: 'https://dash.example.com' } })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example.com')
    const bad = await fetch(`${t.http}/api/v1/anything`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } })
    expect(bad.status).toBe(403)
  })

  it('admits the dashboard\u2019s own origin (Origin naming the Host it was served from) on WS, SSE and REST writes without a CORS entry', async () => {
    // Browsers send Origin on same-origin WebSocket upgrades and POSTs; the dashboard is served by this very server.
    const self = t.http.replace(/\/$/, '')
    const ws = await WsClient.connect(t.ws, TOKENS.acme, { origin: self })
    ws.close()
    const sse = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.acmeRead}`, { origin: self })
    expect(sse.status).toBe(200)
    sse.close()
    const post = await fetch(`${t.http}/api/v1/publish`, {
      method: 'POST', headers: { origin: self, authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'events', type: 'note.added', data: { n: 1 } }),
    })
    expect(post.status).toBe(200)
    // Another port on the same host is another origin.
    const otherPort = self.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 1}`)
    expect((await wsRefusal(t.ws, { authorization: `Bearer ${TOKENS.acme}`, origin: otherPort })).status).toBe(403)
  })
})

describe('JWT', () => {
  const secret = 'jwt-test-secret-of-at-least-32-bytes'
  const auth = createAuthenticator({ jwt: { algorithm: 'HS256', secret, issuer: 'https://issuer', audience: 'tfdrift' } })
  const now = Math.floor(Date.now() / 1000)
  const good = { iss: 'https://issuer', aud: 'tfdrift', sub: 'alice', tenant: 'acme', scopes: 'read publish', exp: now + 60 }
  const check = (token: string) => auth({ headers: { authorization: `Bearer ${token}` } })

  it('accepts a valid HS256 token and maps tenant/scopes claims', () => {
    expect(check(hs256(good, secret))).toEqual({ ok: true, principal: { tenant: 'acme', scopes: ['read', 'publish'], name: 'jwt:alice' } })
  })

  it('refuses bad signature, expiry, issuer, audience, algorithm and a missing tenant', () => {
    expect(check(hs256(good, 'other'))).toMatchObject({ ok: false, status: 401 })
    expect(check(hs256({ ...good, exp: now - 3600 }, secret))).toMatchObject({ ok: false, status: 401, code: 'token_expired' })
    expect(check(hs256({ ...good, iss: 'https://evil' }, secret))).toMatchObject({ ok: false, status: 401 })
    expect(check(hs256({ ...good, aud: 'other' }, secret))).toMatchObject({ ok: false, status: 401 })
    expect(check(hs256({ ...good, tenant: undefined }, secret))).toMatchObject({ ok: false, status: 403, code: 'no_tenant' })
    const none = `${b64({ alg: 'none' })}.${b64(good)}.`
    expect(check(none)).toMatchObject({ ok: false, status: 401 })
    expect(check('a.b')).toMatchObject({ ok: false, status: 401 })
  })

  it('verifies RS256 with a configured public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const rs = createAuthenticator({ jwt: { algorithm: 'RS256', public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString() } })
    const head = `${b64({ alg: 'RS256' })}.${b64({ tenant: 'globex', scopes: ['read'], sub: 'svc' })}`
    const token = `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`
    expect(rs({ headers: { authorization: `Bearer ${token}` } })).toMatchObject({ ok: true, principal: { tenant: 'globex', scopes: ['read'] } })
    expect(rs({ headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } })).toMatchObject({ ok: false, status: 401 })
  })

  it('grants anonymous read only when configured (or when no auth section exists at all)', () => {
    expect(createAuthenticator({ anonymous: { tenant: 'demo', scopes: ['read'] } })({ headers: {} })).toMatchObject({ ok: true, principal: { tenant: 'demo', scopes: ['read'] } })
    expect(createAuthenticator(undefined)({ headers: {} })).toMatchObject({ ok: true, principal: { tenant: 'default', scopes: ['read'] } })
    expect(createAuthenticator({ tokens: [] })({ headers: {} })).toMatchObject({ ok: false, status: 401 })
  })
})

describe('malformed credentials on an anonymous-read server', () => {
  it('get 401 invalid_token on WS, SSE and REST, never the anonymous principal', async () => {
    const s = await startTestServer({ auth: { anonymous: { tenant: 'demo', scopes: ['read'] } } }, { rest: createRestApp })
    try {
      const code = (body: string) => JSON.parse(body).error.code
      const bad: Array<[string, Record<string, string>]> = [
        ['', { authorization: 'Basic dXNlcjpwYXNz' }], ['', { authorization: 'Bearer' }], ['', { authorization: 'Token abc' }],
        ['', { authorization: '' }], ['token=', {}],
      ]
      for (const [query, headers] of bad) {
        const what = `${query} ${JSON.stringify(headers)}`
        const ws = await wsRefusal(`${s.ws}?${query}`, headers)
        expect([ws.status, code(ws.body)], what).toEqual([401, 'invalid_token'])
        const sse = await SseClient.open(`${s.http}/api/v1/stream?topic=drifts&${query}`, headers)
        await until(() => sse.ended, 'sse refusal')
        expect([sse.status, code(sse.body)], what).toEqual([401, 'invalid_token'])
        const rest = await fetch(`${s.http}/api/v1/drifts?${query}`, { headers })
        expect([rest.status, (await rest.json()).error.code], what).toEqual([401, 'invalid_token'])
      }
      // Sending nothing at all is still the anonymous reader.
      expect((await fetch(`${s.http}/api/v1/drifts`)).status).toBe(200)
      ;(await WsClient.connect(s.ws)).close()
    } finally {
      await s.close()
    }
  })
})

describe('tenant isolation', () => {
  it('WS: a tenant never sees another tenant’s events, live or replayed', async () => {
    await publishMany(t.bus, 'globex', 'drifts', 5)
    const acme = await WsClient.connect(t.ws, TOKENS.acme)
    await acme.request({ type: 'subscribe', topic: 'drifts', since: 0 })
    await publishMany(t.bus, 'globex', 'drifts', 3)
    await publishMany(t.bus, 'acme', 'drifts', 2)
    await until(() => acme.events.filter((e) => e.data && (e.data as any).i === 1).length > 0, 'acme live events')
    expect(acme.events.every((e) => e.tenant === 'acme')).toBe(true)
    const hist = await acme.request({ type: 'query', what: 'history', topic: 'drifts', after: 0, limit: 1000 })
    expect(hist.data.envelopes.every((e: any) => e.tenant === 'acme')).toBe(true)
    acme.close()
  })

  it('SSE: a stream shows only the caller’s tenant, and ?tenant= of another one is 403', async () => {
    const s = await SseClient.open(`${t.http}/api/v1/stream?topic=events&since=0&token=${TOKENS.globex}`)
    await publishMany(t.bus, 'acme', 'events', 3)
    await publishMany(t.bus, 'globex', 'events', 2, 10, (i) => ({ mark: `g${i}` }))
    await until(() => s.envelopes().some((e: any) => e.data.mark === 'g1'), 'globex events')
    expect(s.envelopes().every((e) => e.tenant === 'globex')).toBe(true)
    s.close()
    const foreign = await SseClient.open(`${t.http}/api/v1/stream?topic=events&tenant=acme&token=${TOKENS.globex}`)
    await until(() => foreign.ended, 'refusal')
    expect(foreign.status).toBe(403)
  })

  it('publish: the tenant is forced to the caller’s; naming another tenant is 403', async () => {
    const res = await fetch(`${t.http}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.globex}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'state', type: 'app.summary', data: { x: 1 } }) })
    expect(res.status).toBe(200)
    const { data } = await res.json()
    const page = await t.bus.history('globex', 'state', data.envelopes[0].offset - 1, 1)
    expect(page.envelopes[0]).toMatchObject({ tenant: 'globex', type: 'app.summary' })
    expect(await t.bus.lastOffset('acme', 'state')).toBe(0)
    const foreign = await fetch(`${t.http}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.globex}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'state', type: 'x', tenant: 'acme', data: {} }) })
    expect(foreign.status).toBe(403)
    expect(await t.bus.lastOffset('acme', 'state')).toBe(0)
  })
})
