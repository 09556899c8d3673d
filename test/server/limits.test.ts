/**
 * Connection limits: a server only one tenant can reach gets the whole server cap per tenant (a relay
 * with one TFDRIFT_TOKEN must not stop at 1,000), and the first refusal of each limit is logged.
 */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { startServer } from '../../engine/server/index.ts'
import { DEFAULT_LIMITS, resolveLimits } from '../../engine/server/limits.ts'
import type { ServerConfig } from '../../engine/config/types.ts'
import { AUTH, TOKENS, WsClient, wsRefusal } from './support.ts'

const perTenant = (config: ServerConfig) => resolveLimits(config).max_connections_per_tenant
const token = (tenant: string) => ({ token: `${tenant}-t`, tenant, scopes: ['read' as const] })

describe('max_connections_per_tenant default', () => {
  it('is the server cap when only one tenant can connect', () => {
    expect(perTenant({})).toBe(DEFAULT_LIMITS.max_connections) // no auth: anonymous tenant "default" only
    expect(perTenant({ auth: { tokens: [{ ...token('default'), name: 'TFDRIFT_TOKEN' }] } })).toBe(10_000) // `tfdrift relay` with TFDRIFT_TOKEN
    expect(perTenant({ auth: { tokens: [token('acme'), token('acme')], anonymous: { tenant: 'acme', scopes: ['read'] } } })).toBe(10_000)
    expect(perTenant({ auth: { tokens: [token('acme')] }, limits: { max_connections: 2500 } })).toBe(2500)
  })

  it('stays 1,000 when several tenants can connect (several in tokens/anonymous, or any JWT)', () => {
    expect(perTenant({ auth: AUTH })).toBe(1000)
    expect(perTenant({ auth: { tokens: [token('acme')], anonymous: { tenant: 'demo', scopes: ['read'] } } })).toBe(1000)
    expect(perTenant({ auth: { jwt: { algorithm: 'HS256', secret: 'x'.repeat(32) } } })).toBe(1000)
    expect(perTenant({ auth: { tokens: [token('acme')], jwt: { algorithm: 'HS256', secret: 'x'.repeat(32) } } })).toBe(1000)
  })

  it('keeps an explicit value either way', () => {
    expect(perTenant({ auth: { tokens: [token('acme')] }, limits: { max_connections_per_tenant: 1000 } })).toBe(1000)
    expect(perTenant({ auth: AUTH, limits: { max_connections_per_tenant: 7 } })).toBe(7)
  })
})

describe('refusals by a connection limit', () => {
  it('are logged once per limit, with the tenant and the limit', async () => {
    const lines: Array<Record<string, unknown>> = []
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)) } })
    const bus = new MemoryBus()
    const store = new MemoryStore()
    const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH, limits: { max_connections: 2, max_connections_per_tenant: 1 } }, bus, store, logger, rest: false })
    const ws = `ws://127.0.0.1:${server.port}/ws`
    const clients: WsClient[] = []
    try {
      clients.push(await WsClient.connect(ws, TOKENS.acme))
      for (let i = 0; i < 3; i++) expect((await wsRefusal(ws, { authorization: `Bearer ${TOKENS.acmeRead}` })).status).toBe(503)
      clients.push(await WsClient.connect(ws, TOKENS.globex))
      for (let i = 0; i < 3; i++) expect((await wsRefusal(ws, { authorization: `Bearer ${TOKENS.globex}` })).status).toBe(503)
      const warnings = lines.filter((l) => l.level === 40 && typeof l.msg === 'string' && /connection/i.test(l.msg))
      expect(warnings.map((w) => [w.tenant, w.limit, w.setting])).toEqual([
        ['acme', 1, 'server.limits.max_connections_per_tenant'],
        ['globex', 2, 'server.limits.max_connections'],
      ])
      for (const w of warnings) expect(w.msg).toMatch(/^[A-Z].*\.$/)
    } finally {
      for (const c of clients) c.close()
      await server.close()
      await bus.close()
      await store.close()
    }
  })
})
