/**
 * The REST app served the way production serves it: the uWebSockets.js server (`startServer` with its
 * default REST factory, i.e. `createRestApp`) bridging requests into fastify on the one port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstValueFrom } from 'rxjs'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import { seed } from './fixtures.ts'

let server: Server
let base: string
const bus = new MemoryBus()
const auth = {
  tokens: [
    { token: 'acme-read', tenant: 'acme', scopes: ['read' as const], name: 'acme-reader' },
    { token: 'acme-admin', tenant: 'acme', scopes: ['admin' as const], name: 'acme-admin' },
    { token: 'globex-read', tenant: 'globex', scopes: ['read' as const], name: 'globex-reader' },
  ],
}

beforeAll(async () => {
  const store = new MemoryStore()
  await seed(store)
  server = await startServer({ config: { port: 0, host: '127.0.0.1', auth }, bus, store, logger: silentLogger })
  base = `http://127.0.0.1:${server.port}`
})
afterAll(async () => { await server.close(); await bus.close() })

const get = async (path: string, token?: string) => {
  const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, body: (await res.json()) as any }
}

describe('REST through the realtime server', () => {
  it('serves routes with auth, tenant scoping, validation and encoded addresses', async () => {
    expect((await get('/api/v1/drifts')).status).toBe(401)
    const acme = await get('/api/v1/drifts?severity_min=high', 'acme-read')
    expect(acme.status).toBe(200)
    expect(acme.body.data.items.map((d: any) => d.id).sort()).toEqual(['d-subnet', 'd-web'])
    const globex = await get('/api/v1/drifts', 'globex-read')
    expect(globex.body.data.items.map((d: any) => d.id)).toEqual(['globex-d1'])
    const bad = await get('/api/v1/drifts?limit=5000', 'acme-read')
    expect(bad.status).toBe(400)
    expect(bad.body.error.details).toEqual([{ field: 'query.limit', expected: 'a number <= 1000' }])
    const slash = await get(`/api/v1/state/resources/${encodeURIComponent('aws_iam_policy.p["team/a"]')}`, 'acme-read')
    expect(slash.status).toBe(200)
    expect(slash.body.data.address).toBe('aws_iam_policy.p["team/a"]')
    expect((await get('/api/v1/drifts/globex-d1', 'acme-read')).status).toBe(404)
  })

  it('approve over the bridge publishes on the bus; stats include the server runtime', async () => {
    const published = firstValueFrom(bus.live('acme', 'remediations'))
    const res = await fetch(`${base}/api/v1/remediations/r-web/approve`, { method: 'POST', headers: { authorization: 'Bearer acme-admin' } })
    expect(res.status).toBe(200)
    expect((await published).type).toBe('remediation.approved')
    const stats = await get('/api/v1/stats', 'acme-read')
    expect(stats.body.data.runtime.server).toMatchObject({ ws: 0, sse: 0 })
  })

  it('the OpenAPI document describes the whole port', async () => {
    const doc = await get('/api/v1/openapi.json', 'acme-read')
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/drifts', '/ws', '/api/v1/stream', '/api/v1/publish', '/health', '/metrics']))
  })
})
