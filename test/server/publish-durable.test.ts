/**
 * Publish answers 200 only for what is durable: when the journal cannot commit (the store is gone),
 * the whole batch is refused with 503 and its code, nothing is delivered, and no offset is used.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer } from '../../engine/server/index.ts'
import { AUTH, TOKENS, until, WsClient } from './support.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-durable-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('publish durability over HTTP', () => {
  it('refuses a batch it cannot make durable with 503, delivering and numbering none of it', async () => {
    const store = new SqliteStore({ path: join(dir, 'a.db') })
    const bus = new MemoryBus({ journal: store.busJournal() })
    const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH }, bus, store, logger: silentLogger, rest: false })
    const ws = await WsClient.connect(`ws://127.0.0.1:${server.port}/ws`, TOKENS.acme)
    await ws.request({ type: 'subscribe', topic: 'events' })
    const publish = (n: number) => fetch(`http://127.0.0.1:${server.port}/api/v1/publish`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: n }, (_, i) => ({ topic: 'events', type: 'app.tick', data: { i } }))),
    })
    expect((await publish(3)).status).toBe(200)
    await until(() => ws.events.length === 3, 'the durable batch delivered')
    await store.close() // the disk went away
    const refused = await publish(5)
    expect(refused.status).toBe(503)
    expect((await refused.json()).error.code).toBe('TFD_ERR_BUS_JOURNAL')
    expect(await bus.lastOffset('acme', 'events')).toBe(3)
    const ping = await ws.request({ type: 'ping' })
    expect(ping.type).toBe('pong')
    expect(ws.events.map((e) => e.offset)).toEqual([1, 2, 3])
    ws.close()
    await server.close()
    await bus.close()
  })
})
