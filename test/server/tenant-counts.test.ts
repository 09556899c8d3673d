/**
 * Connection counts are tenant data: `/health` and `/api/v1/stats` show the caller's own tenant (its
 * admin included), the server-wide figures only to a `metrics` token (the one that may read `/metrics`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRestApp } from '../../engine/server/rest/index.ts'
import { AUTH, SseClient, startTestServer, TOKENS, until, WsClient, type TestServer } from './support.ts'

const ADMIN = 'acme-admin-token'
const METRICS = 'ops-metrics-token'
let t: TestServer
const open: Array<{ close(): void }> = []
beforeAll(async () => {
  t = await startTestServer({ auth: { tokens: [...AUTH!.tokens!, { token: ADMIN, tenant: 'acme', scopes: ['admin'], name: 'acme-admin' }, { token: METRICS, tenant: 'ops', scopes: ['metrics'], name: 'prometheus' }] } }, { rest: createRestApp })
  open.push(await WsClient.connect(t.ws, TOKENS.globex), await WsClient.connect(t.ws, TOKENS.globex), await WsClient.connect(t.ws, TOKENS.acme))
  open.push(await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.globex}`))
  await until(() => t.server.stats().connections === 4, 'four connections')
})
afterAll(async () => {
  for (const c of open) c.close()
  await t.close()
})

const get = async (path: string, token?: string) => {
  const res = await fetch(`${t.http}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, body: await res.json() }
}

describe('connection counts', () => {
  it('/health shows a tenant its own connections and streams', async () => {
    expect((await get('/health', TOKENS.acmeRead)).body.data).toMatchObject({ status: 'ok', scope: 'tenant', tenant: 'acme', ws: 1, sse: 0, connections: 1 })
    expect((await get('/health', TOKENS.globex)).body.data).toMatchObject({ scope: 'tenant', tenant: 'globex', ws: 2, sse: 1, connections: 3, streams: 1 })
  })

  it('/health shows server-wide figures to a metrics token only — a tenant admin sees its tenant — and none without a token', async () => {
    expect((await get('/health', METRICS)).body.data).toMatchObject({ scope: 'server', ws: 3, sse: 1, connections: 4 })
    expect((await get('/health', ADMIN)).body.data).toMatchObject({ scope: 'tenant', tenant: 'acme', ws: 1, sse: 0, connections: 1 })
    const anonymous = await get('/health')
    expect(anonymous.status).toBe(200)
    expect(anonymous.body.data.status).toBe('ok')
    expect(anonymous.body.data).not.toHaveProperty('connections')
    expect(anonymous.body.data).not.toHaveProperty('ws')
    expect((await get('/health', 'not-a-token')).status).toBe(401)
  })

  it('/api/v1/stats runtime figures follow the same rule', async () => {
    expect((await get('/api/v1/stats', TOKENS.acmeRead)).body.data.runtime.server).toMatchObject({ scope: 'tenant', tenant: 'acme', ws: 1, sse: 0, connections: 1 })
    expect((await get('/api/v1/stats', ADMIN)).body.data.runtime.server).toMatchObject({ scope: 'tenant', tenant: 'acme', ws: 1, sse: 0, connections: 1 })
  })

  it('/metrics keeps the server-wide gauge', async () => {
    const text = await (await fetch(`${t.http}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text()
    expect(text).toMatch(/tfdrift_server_connections\{kind="ws"\} 3/)
  })
})
