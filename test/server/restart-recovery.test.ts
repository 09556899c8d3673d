import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createBus } from '../../engine/bus/create.ts'
import { openStore } from '../../engine/store/open.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer } from '../../engine/server/index.ts'
import type { Bus } from '../../engine/bus/bus.ts'
import type { Store } from '../../engine/store/store.ts'
import { AUTH, TOKENS, until, WsClient } from './support.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-restart-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The stack `tfdrift run` builds: SQLite store, an in-process bus journaled into it, the server. */
async function boot() {
  const store: Store = await openStore({ kind: 'sqlite', path: 'tfdrift.db' }, { cwd: dir })
  const bus: Bus = await createBus({ kind: 'memory' }, { store })
  const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH }, bus, store, logger: silentLogger, rest: false })
  return {
    bus,
    ws: `ws://127.0.0.1:${server.port}/ws`,
    // Same order as the runtime: the bus journals its last offsets into the store before the store closes.
    async stop() { await server.close(); await bus.close(); await store.close() },
  }
}

const publish = (bus: Bus, topic: 'drifts' | 'events', from: number, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => bus.publish({ tenant: 'acme', topic, type: `${topic}.test`, data: { i: from + i } })))

describe('recovery across a server restart (SQLite-journaled bus)', () => {
  it('a client resumes a persisted topic by offset after the process restarts: no gap, no duplicate', async () => {
    const first = await boot()
    const client = await WsClient.connect(first.ws, TOKENS.acme)
    await client.request({ type: 'subscribe', topic: 'drifts' })
    const before = await publish(first.bus, 'drifts', 0, 10)
    await until(() => client.events.length === 10, 'first ten delivered')
    const seen = client.events[4].offset // the client only processed five before the restart
    await publish(first.bus, 'drifts', 10, 5) // published after the client's last seen, before the restart
    client.close()
    await first.stop()

    const second = await boot()
    const after = await publish(second.bus, 'drifts', 15, 5)
    // Offsets continue after the restart instead of starting over at 1.
    expect(after[0].offset).toBe(before[9].offset + 6)
    const again = await WsClient.connect(second.ws, TOKENS.acme)
    const sub = await again.request({ type: 'subscribe', topic: 'drifts', since: seen })
    expect(sub.recovered).toBe(true)
    await until(() => again.events.length === 15, 'missed events replayed')
    expect(again.events.map((e) => e.offset)).toEqual(Array.from({ length: 15 }, (_, i) => seen + 1 + i))
    expect(again.events.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 15 }, (_, i) => 5 + i))
    again.close()
    await second.stop()
  })

  it('every topic survives: events resume by offset and epoch, and new offsets continue', async () => {
    const first = await boot()
    const sent = await publish(first.bus, 'events', 0, 3)
    const { epoch } = await first.bus.position('acme', 'events')
    await first.stop()
    const second = await boot()
    const client = await WsClient.connect(second.ws, TOKENS.acme)
    const sub = await client.request({ type: 'subscribe', topic: 'events', since: sent[0].offset, epoch })
    expect(sub).toMatchObject({ recovered: true, epoch })
    const replay = await client.next((m) => m.type === 'event' && m.event.offset === sent[2].offset)
    expect(replay.event).toEqual(sent[2])
    const next = await publish(second.bus, 'events', 3, 1)
    expect(next[0].offset).toBe(sent[2].offset + 1)
    client.close()
    await second.stop()
  })
})
