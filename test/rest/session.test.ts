/**
 * `GET /api/v1/session` over the real server on loopback: with `server.auth`, the caller's tenant, scopes
 * and token name with `auth: true`, and a coded 401 for a missing or bad token; without `server.auth`
 * (the open demo), the anonymous reader of tenant `default` with `auth: false`. It is in the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type Server } from '../../engine/server/index.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'

const TOKEN = 'acme-session-token'

describe('GET /api/v1/session', () => {
  const bus = new MemoryBus()
  const store = new MemoryStore()
  let secured: Server
  let open: Server
  const get = async (server: Server, path: string, token?: string) => {
    const r = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    return { status: r.status, body: await r.json() as any }
  }

  beforeAll(async () => {
    secured = await startServer({ config: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read', 'admin'], name: 'ops' }] } }, bus, store, logger: silentLogger })
    open = await startServer({ config: { port: 0, host: '127.0.0.1' }, bus, store, logger: silentLogger })
  })
  afterAll(async () => {
    await secured?.close()
    await open?.close()
    await bus.close()
  })

  it('tells a token holder its tenant, scopes and name, with auth true', async () => {
    expect(await get(secured, '/api/v1/session', TOKEN)).toEqual({ status: 200, body: { success: true, data: { tenant: 'acme', scopes: ['read', 'admin'], name: 'ops', auth: true } } })
  })

  it('answers 401 with a code for a missing or bad token where auth is configured', async () => {
    const missing = await get(secured, '/api/v1/session')
    expect(missing.status).toBe(401)
    expect(missing.body).toMatchObject({ success: false, error: { code: 'unauthorized' } })
    const bad = await get(secured, '/api/v1/session', 'not-a-token')
    expect(bad.status).toBe(401)
    expect(bad.body).toMatchObject({ success: false, error: { code: 'invalid_token' } })
  })

  it('on a server without auth, everyone is the anonymous reader of tenant default, with auth false', async () => {
    expect(await get(open, '/api/v1/session')).toEqual({ status: 200, body: { success: true, data: { tenant: 'default', scopes: ['read'], name: 'anonymous', auth: false } } })
  })

  it('is in the OpenAPI document', async () => {
    const doc = (await get(secured, '/api/v1/openapi.json', TOKEN)).body
    expect(doc.paths['/api/v1/session'].get.responses['200']).toBeDefined()
    expect(doc.paths['/api/v1/graph/nodes'].get.summary).toContain('cursor')
  })
})
