/**
 * The in-process bus journaled to the SQLite store: offsets continue after a restart and the persisted
 * topics (drifts, remediations) are recoverable by offset from the restarted process. Real files.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Topic } from '../../engine/envelope.ts'
import type { Bus } from '../../engine/bus/bus.ts'
import { createBus } from '../../engine/bus/create.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { busJournalOf } from '../../engine/bus/journal.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { manualClock } from '../../engine/clock.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-journal-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

const publish = (bus: Bus, tenant: string, topic: Topic, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => bus.publish({ tenant, topic, type: `${topic}.test`, data: { i } })))

describe('MemoryBus journaled to the SQLite store', () => {
  it('continues offsets and replays persisted topics after a restart, per tenant', async () => {
    const path = join(dir, `j${++n}.db`)
    const clock = manualClock()
    const store1 = new SqliteStore({ path, clock })
    const bus1 = await createBus({ kind: 'memory' }, { clock, store: store1 })
    const drifts = await publish(bus1, 'acme', 'drifts', 5)
    await publish(bus1, 'acme', 'events', 3)
    await publish(bus1, 'beta', 'drifts', 2)
    const epoch1 = (await bus1.position('acme', 'drifts')).epoch
    await bus1.close()
    await store1.close()

    const store2 = new SqliteStore({ path, clock })
    const bus2 = await createBus({ kind: 'memory' }, { clock, store: store2 })
    expect(await bus2.lastOffset('acme', 'drifts')).toBe(5)
    expect(await bus2.lastOffset('acme', 'events')).toBe(3)
    const replay = await bus2.history('acme', 'drifts', 2)
    expect(replay.complete).toBe(true)
    expect(replay.envelopes.map((e) => e.id)).toEqual(drifts.slice(2).map((e) => e.id))
    expect(replay.envelopes[0]).toEqual(drifts[2])
    // Every topic is journaled: a publish acknowledged on any topic survives.
    expect(await bus2.history('acme', 'events', 0)).toMatchObject({ complete: true, last_offset: 3 })
    expect((await bus2.history('acme', 'events', 0)).envelopes.map((e) => e.offset)).toEqual([1, 2, 3])
    // The epoch survives with the file: clients resume across the restart.
    expect((await bus2.position('acme', 'drifts')).epoch).toBe(epoch1)
    expect(replay.epoch).toBe(epoch1)
    expect((await bus2.history('beta', 'drifts', 0)).envelopes.map((e) => [e.tenant, e.offset])).toEqual([['beta', 1], ['beta', 2]])
    expect((await bus2.publish({ tenant: 'acme', topic: 'drifts', type: 't', data: null })).offset).toBe(6)
    expect((await bus2.publish({ tenant: 'acme', topic: 'events', type: 't', data: null })).offset).toBe(4)
    await bus2.close()
    await store2.close()
  })

  it('commits a batch in one transaction even when it is larger than a commit group', async () => {
    const path = join(dir, `j${++n}.db`)
    const store = new SqliteStore({ path })
    const bus = new MemoryBus({ journal: store.busJournal(), max_commit_batch: 4 })
    const reader = new Database(path, { readonly: true })
    const durableAtDelivery: number[] = []
    bus.live('a', 'events').subscribe(() => durableAtDelivery.push(reader.prepare('SELECT COUNT(*) FROM bus_journal').pluck().get() as number))
    const batch = Array.from({ length: 10 }, (_, i) => ({ tenant: 'a', topic: 'events' as const, type: 't', data: i }))
    expect((await bus.publishBatch(batch)).map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // A size-triggered commit part way would have made (and delivered) a prefix of the batch alone.
    expect(durableAtDelivery).toEqual(Array(10).fill(10))
    reader.close()
    await store.close()
    await expect(bus.publishBatch(batch)).rejects.toMatchObject({ code: 'TFD_ERR_BUS_JOURNAL' })
    expect(await bus.lastOffset('a', 'events')).toBe(10)
    await bus.close()
  })

  it('a new database file starts a new epoch', async () => {
    const stores = [new SqliteStore({ path: join(dir, `j${++n}.db`) }), new SqliteStore({ path: join(dir, `j${++n}.db`) })]
    const buses = await Promise.all(stores.map((store) => createBus({ kind: 'memory' }, { store })))
    const [a, b] = await Promise.all(buses.map((bus) => bus.position('acme', 'drifts')))
    expect(a.epoch).toMatch(/^[0-9A-Z]{10}$/)
    expect(a.epoch).not.toBe(b.epoch)
    for (const bus of buses) await bus.close()
    for (const store of stores) await store.close()
  })

  it('keeps the journal within max_events and max_age_ms', async () => {
    const path = join(dir, `j${++n}.db`)
    const clock = manualClock()
    const store1 = new SqliteStore({ path, clock })
    const bus1 = await createBus({ kind: 'memory', history: { max_events: 3, max_age_ms: 60_000 } }, { clock, store: store1 })
    await publish(bus1, 'acme', 'drifts', 10)
    await store1.flush()
    await bus1.close(); await store1.close()

    const store2 = new SqliteStore({ path, clock })
    const bus2 = await createBus({ kind: 'memory', history: { max_events: 3, max_age_ms: 60_000 } }, { clock, store: store2 })
    expect(await bus2.history('acme', 'drifts', 0)).toMatchObject({ complete: false, oldest_offset: 8, last_offset: 10 })
    expect((await bus2.history('acme', 'drifts', 7)).envelopes.map((e) => e.offset)).toEqual([8, 9, 10])
    await bus2.close(); await store2.close()

    clock.advance(120_000)
    const store3 = new SqliteStore({ path, clock })
    const bus3 = await createBus({ kind: 'memory', history: { max_events: 3, max_age_ms: 60_000 } }, { clock, store: store3 })
    expect(await bus3.history('acme', 'drifts', 7)).toMatchObject({ envelopes: [], complete: false, last_offset: 10 })
    expect((await bus3.publish({ tenant: 'acme', topic: 'drifts', type: 't', data: null })).offset).toBe(11)
    await bus3.close(); await store3.close()
  })

  it('a store without a journal (memory) gives a plain in-process bus', async () => {
    expect(busJournalOf(new MemoryStore())).toBeUndefined()
    const bus = await createBus({ kind: 'memory' }, { store: new MemoryStore() })
    expect((await bus.publish({ tenant: 'a', topic: 'drifts', type: 't', data: 1 })).offset).toBe(1)
    await bus.close()
  })

  it('a publish the journal cannot make durable is refused, delivered to nobody, and its offset is not used', async () => {
    const store = new SqliteStore({ path: join(dir, `j${++n}.db`) })
    const bus = await createBus({ kind: 'memory' }, { store })
    const seen: number[] = []
    bus.live('a', 'drifts').subscribe((env) => seen.push(env.offset))
    await bus.publish({ tenant: 'a', topic: 'drifts', type: 't', data: 0 })
    await store.close()
    await expect(bus.publish({ tenant: 'a', topic: 'drifts', type: 't', data: 1 })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_JOURNAL' })
    expect(seen).toEqual([1])
    expect(await bus.lastOffset('a', 'drifts')).toBe(1)
    expect((await bus.history('a', 'drifts', 0)).envelopes.map((e) => e.offset)).toEqual([1])
    await bus.close()
  })
})
