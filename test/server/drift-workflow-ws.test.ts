/**
 * A status change made over REST reaches WS subscribers of the tenant's `drifts` topic as a
 * schema-valid `drift.updated` carrying who/when/why, and never another tenant's subscribers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { manualClock } from '../../engine/clock.ts'
import { silentLogger } from '../../engine/logger.ts'
import { validateEnvelope } from '../../engine/events.ts'
import { createRestApp } from '../../engine/server/rest/index.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import { drift } from '../store/fixtures.ts'
import { WsClient } from './support.ts'

const ID = 'drift_00000000000000b1'
const ADMIN = 'acme-admin-token'
const GLOBEX = 'globex-read-token'
const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'))
const bus = new MemoryBus()
const store = new MemoryStore({ clock })
let server: Server

beforeAll(async () => {
  await store.saveDrifts('acme', [drift(ID)])
  server = await startServer({
    config: { port: 0, host: '127.0.0.1', auth: { tokens: [
      { token: ADMIN, tenant: 'acme', scopes: ['read', 'admin'], name: 'acme-admin' },
      { token: GLOBEX, tenant: 'globex', scopes: ['read'], name: 'globex-read' },
    ] } },
    bus, store, logger: silentLogger, clock, rest: (deps) => createRestApp(deps),
  })
})
afterAll(async () => { await server.close(); await bus.close(); await store.close() })

describe('drift workflow on the stream', () => {
  it('publishes an acknowledgement as drift.updated to the tenant\'s WS subscribers only', async () => {
    const acme = await WsClient.connect(`ws://127.0.0.1:${server.port}/ws`, ADMIN)
    const globex = await WsClient.connect(`ws://127.0.0.1:${server.port}/ws`, GLOBEX)
    await acme.request({ type: 'subscribe', topic: 'drifts' })
    await globex.request({ type: 'subscribe', topic: 'drifts' })

    const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/drifts/${ID}/acknowledge`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'ticket OPS-7' }),
    })
    expect(response.status).toBe(200)

    const message = await acme.next((m) => m.type === 'event')
    expect(message.event).toMatchObject({
      topic: 'drifts', type: 'drift.updated', tenant: 'acme',
      data: { id: ID, status: 'acknowledged', status_by: 'acme-admin', status_at: clock.isoNow(), status_note: 'ticket OPS-7' },
    })
    expect(validateEnvelope(message.event)).toEqual({ ok: true })
    await new Promise((r) => setTimeout(r, 100))
    expect(globex.events).toEqual([])
    acme.socket.close(); globex.socket.close()
  })
})
