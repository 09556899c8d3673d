/**
 * `kill -9` under publish load (memory bus journaled to a SQLite store, the default `run`/`relay`
 * setup): every envelope a publish acknowledged, and every envelope a live client received, is there
 * after the restart with the same id at the same offset; the epoch is unchanged, so clients resume;
 * new publishes continue after every offset anyone saw — none is handed out twice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Envelope } from '../../engine/envelope.ts'
import { until, WsClient } from '../server/support.ts'
import { kill9, publishLoad, replay, startRelay } from './support.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-kill9-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const TOKEN = 'kill9-token-acme'

describe('kill -9 under publish load', () => {
  it('loses no acknowledged or delivered envelope and never reuses an offset, over three kills', async () => {
    const config = join(dir, 'relay.json')
    writeFileSync(config, JSON.stringify({
      server: { auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read', 'publish'] }] } },
      store: { kind: 'sqlite', path: join(dir, 'tfdrift.db') },
      bus: { kind: 'memory', history: { max_events: 1_000_000 } },
    }))
    const acked = new Map<number, { id: string; seq: number }>()
    const delivered = new Map<number, string>()
    let epoch: string | undefined
    let port = 0
    for (let round = 0; round < 3; round++) {
      const relay = await startRelay(config)
      port = relay.port
      // A live subscriber resuming where the previous round's subscriber stopped.
      const live = await WsClient.connect(`ws://127.0.0.1:${port}/ws`, TOKEN)
      const since = Math.max(0, ...delivered.keys())
      const sub = await live.request({ type: 'subscribe', topic: 'events', since, ...(epoch ? { epoch } : {}) })
      expect(sub).toMatchObject({ type: 'subscribed', recovered: true })
      if (epoch) expect(sub.epoch).toBe(epoch)
      epoch = sub.epoch
      const load = publishLoad(() => `http://127.0.0.1:${port}`, TOKEN)
      await until(() => load.acked.length >= 3_000 && live.events.length > 0, 'acknowledged load', 30_000)
      await kill9(relay)
      await load.stop()
      for (const a of load.acked) acked.set(a.offset, { id: a.id, seq: a.seq })
      for (const e of live.events as Envelope[]) {
        // What a client saw under one offset is never replaced by something else.
        if (delivered.has(e.offset)) expect(delivered.get(e.offset)).toBe(e.id)
        delivered.set(e.offset, e.id)
      }
      live.close()
    }

    const relay = await startRelay(config)
    const { subscribed, envelopes } = await replay(relay.port, TOKEN, 'events', 0, epoch)
    expect(subscribed).toMatchObject({ recovered: true, epoch })
    const stored = new Map(envelopes.map((e) => [e.offset, e]))
    const lostAcked = [...acked].filter(([offset, a]) => stored.get(offset)?.id !== a.id || (stored.get(offset)!.data as { seq: number }).seq !== a.seq)
    const lostDelivered = [...delivered].filter(([offset, id]) => stored.get(offset)?.id !== id)
    console.log(`kill -9 ×3: ${acked.size} acknowledged, ${delivered.size} delivered live, ${lostAcked.length} acknowledged lost, ${lostDelivered.length} delivered lost or replaced, last offset ${subscribed.last_offset}`)
    expect(lostAcked).toEqual([])
    expect(lostDelivered).toEqual([])
    // Offsets are dense: a replay from 0 holds every offset up to the last, each once.
    expect(envelopes.map((e) => e.offset)).toEqual(Array.from({ length: envelopes.length }, (_, i) => i + 1))
    const seen = Math.max(...acked.keys(), ...delivered.keys())
    expect(subscribed.last_offset).toBeGreaterThanOrEqual(seen)
    const next = await fetch(`http://127.0.0.1:${relay.port}/api/v1/publish`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'events', type: 'after.restart', data: {} }),
    })
    expect((await next.json()).data.envelopes[0].offset).toBe(subscribed.last_offset + 1)
    await kill9(relay)
  }, 120_000)
})
