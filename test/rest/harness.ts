/** Starts the REST app on a real loopback port over a given store and bus, with test tokens. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import type { Bus } from '../../engine/bus/bus.ts'
import type { Store } from '../../engine/store/store.ts'
import type { Clock } from '../../engine/plugin-api.ts'
import { createAuthenticator } from '../../engine/server/auth.ts'
import { createRestApp } from '../../engine/server/rest/index.ts'

export const TOKENS = {
  acmeRead: 'acme-read-token',
  acmeAdmin: 'acme-admin-token',
  acmePublish: 'acme-publish-token',
  globexRead: 'globex-read-token',
  globexAdmin: 'globex-admin-token',
} as const

export interface Harness {
  app: FastifyInstance
  base: string
  /** GET/POST with a bearer token; returns status and parsed JSON. */
  call(path: string, token?: string, init?: RequestInit): Promise<{ status: number; body: any; text: string; headers: Headers }>
  close(): Promise<void>
}

/** Builds the app with the server's authenticator over fixed tokens and listens on port 0. */
export async function startRest(store: Store, bus: Bus, extra: { stats?: () => unknown; clock?: Clock } = {}): Promise<Harness> {
  const authenticate = createAuthenticator({
    tokens: [
      { token: TOKENS.acmeRead, tenant: 'acme', scopes: ['read'], name: 'acme-reader' },
      { token: TOKENS.acmeAdmin, tenant: 'acme', scopes: ['read', 'admin'], name: 'acme-admin' },
      { token: TOKENS.acmePublish, tenant: 'acme', scopes: ['publish'], name: 'acme-publisher' },
      { token: TOKENS.globexRead, tenant: 'globex', scopes: ['read'], name: 'globex-reader' },
      { token: TOKENS.globexAdmin, tenant: 'globex', scopes: ['admin'], name: 'globex-admin' },
    ],
  })
  const app = await createRestApp({ store, bus, authenticate, stats: extra.stats, clock: extra.clock })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    app,
    base,
    async call(path, token, init = {}) {
      const headers = new Headers(init.headers)
      if (token) headers.set('authorization', `Bearer ${token}`)
      const response = await fetch(base + path, { ...init, headers })
      const text = await response.text()
      let body: unknown
      try { body = JSON.parse(text) } catch { body = undefined }
      return { status: response.status, body, text, headers: response.headers }
    },
    close: () => app.close(),
  }
}

export type StoreKind = 'memory' | 'sqlite'

/** A real store: the memory store, or the SQLite store on a file in a fresh temp dir (removed by `dispose`). */
export function makeStore(kind: StoreKind): { store: Store; dispose(): Promise<void> } {
  if (kind === 'memory') {
    const store = new MemoryStore()
    return { store, dispose: () => store.close() }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tfdrift-rest-'))
  const store = new SqliteStore({ path: join(dir, 'tfdrift.db') })
  return { store, async dispose() { await store.close(); rmSync(dir, { recursive: true, force: true }) } }
}
