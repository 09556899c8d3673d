/**
 * The Bus contract, run over every implementation: the in-process MemoryBus and the RedisBus against a
 * real redis-server. Redis-only cases (several nodes on one Redis) follow at the end.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { filter, firstValueFrom, take, toArray } from 'rxjs'
import type { Bus, BusHistoryLimits } from '../../engine/bus/bus.ts'
import type { Envelope, Topic } from '../../engine/envelope.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { RedisBus } from '../../engine/bus/redis-bus.ts'
import { createBus } from '../../engine/bus/create.ts'
import { manualClock } from '../../engine/clock.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { hasBinary } from '../support/system.ts'

type Clock = ReturnType<typeof manualClock>
interface Impl { name: string; runs: boolean; make(clock: Clock, history?: Partial<BusHistoryLimits>): Promise<Bus> }

// Started on first use, so that a file whose Redis cases are skipped never looks for the binary.
let starting: Promise<RedisServer> | undefined
const redisUrl = async () => (await (starting ??= startRedis())).url
let prefixes = 0
afterAll(async () => { if (starting) await (await starting.catch(() => undefined))?.stop() })

const impls: Impl[] = [
  { name: 'memory', runs: true, make: async (clock, history) => new MemoryBus({ clock, history }) },
  { name: 'redis', runs: hasBinary('redis-server'), make: async (clock, history) => RedisBus.connect({ url: await redisUrl(), prefix: `t${++prefixes}:`, clock, history }) },
]

/** Collects the next `n` envelopes of an observable (subscribed before the publishes that feed it). */
function collect(source: ReturnType<Bus['live']>, n: number): Promise<Envelope[]> {
  return firstValueFrom(source.pipe(take(n), toArray()))
}

const pub = (bus: Bus, tenant: string, topic: Topic, n: number, type = 'test.event') =>
  Array.from({ length: n }, (_, i) => bus.publish({ tenant, topic, type, data: { i } }))

for (const impl of impls) describe.skipIf(!impl.runs)(`Bus contract: ${impl.name}`, () => {
  it('assigns offsets from 1, monotonic per (tenant, topic), with id and time', async () => {
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    const bus = await impl.make(clock)
    const a1 = await bus.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data: { n: 1 } })
    const a2 = await bus.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data: { n: 2 } })
    const e1 = await bus.publish({ tenant: 'acme', topic: 'events', type: 'change.received', data: {} })
    const b1 = await bus.publish({ tenant: 'beta', topic: 'drifts', type: 'drift.detected', data: {} })
    expect([a1.offset, a2.offset, e1.offset, b1.offset]).toEqual([1, 2, 1, 1])
    expect(a1).toMatchObject({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', time: '2026-11-22T10:00:00.000Z', data: { n: 1 } })
    expect(a1.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(a1.id).not.toBe(a2.id)
    expect(await bus.lastOffset('acme', 'drifts')).toBe(2)
    expect(await bus.lastOffset('beta', 'drifts')).toBe(1)
    expect(await bus.lastOffset('gamma', 'drifts')).toBe(0)
    await bus.close()
  })

  it('delivers live envelopes in offset order, only for the subscribed tenant and topic', async () => {
    const bus = await impl.make(manualClock())
    const acme = collect(bus.live('acme', 'drifts'), 50)
    const beta = collect(bus.live('beta', 'drifts'), 5)
    const all = collect(bus.liveAll(), 60)
    await Promise.all([...pub(bus, 'beta', 'drifts', 5), ...pub(bus, 'acme', 'events', 5), ...pub(bus, 'acme', 'drifts', 50)])
    const got = await acme
    expect(got.map((e) => e.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(got.every((e) => e.tenant === 'acme' && e.topic === 'drifts')).toBe(true)
    expect((await beta).every((e) => e.tenant === 'beta')).toBe(true)
    const everything = await all
    expect(new Set(everything.map((e) => `${e.tenant}/${e.topic}`))).toEqual(new Set(['beta/drifts', 'acme/events', 'acme/drifts']))
    await bus.close()
  })

  it('serves history after an offset, paged, oldest first, without other tenants', async () => {
    const bus = await impl.make(manualClock())
    await Promise.all(pub(bus, 'acme', 'drifts', 30))
    await Promise.all(pub(bus, 'beta', 'drifts', 7))
    const page = await bus.history('acme', 'drifts', 10, 5)
    expect(page.envelopes.map((e) => e.offset)).toEqual([11, 12, 13, 14, 15])
    expect(page).toMatchObject({ complete: true, oldest_offset: 1, last_offset: 30 })
    const rest = await bus.history('acme', 'drifts', 25)
    expect(rest.envelopes.map((e) => e.data)).toEqual([{ i: 25 }, { i: 26 }, { i: 27 }, { i: 28 }, { i: 29 }])
    const beta = await bus.history('beta', 'drifts', 0)
    expect(beta.envelopes).toHaveLength(7)
    expect(beta.envelopes.every((e) => e.tenant === 'beta')).toBe(true)
    const caughtUp = await bus.history('acme', 'drifts', 30)
    expect(caughtUp).toMatchObject({ envelopes: [], complete: true, last_offset: 30 })
    const future = await bus.history('acme', 'drifts', 99)
    expect(future).toMatchObject({ envelopes: [], complete: true })
    const none = await bus.history('nobody', 'drifts', 0)
    expect(none).toEqual({ envelopes: [], complete: true, oldest_offset: 0, last_offset: 0, epoch: expect.any(String) })
    await bus.close()
  })

  it('bounds history by count and says when a gap can no longer be recovered', async () => {
    const bus = await impl.make(manualClock(), { max_events: 10 })
    await Promise.all(pub(bus, 'acme', 'drifts', 25))
    const fromStart = await bus.history('acme', 'drifts', 0)
    expect(fromStart.complete).toBe(false)
    expect(fromStart.oldest_offset).toBe(16)
    expect(fromStart.envelopes.map((e) => e.offset)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25])
    expect((await bus.history('acme', 'drifts', 15)).complete).toBe(true)
    expect((await bus.history('acme', 'drifts', 14)).complete).toBe(false)
    expect(await bus.lastOffset('acme', 'drifts')).toBe(25)
    await bus.close()
  })

  it('bounds history by age, keeping offsets monotonic', async () => {
    const clock = manualClock()
    const bus = await impl.make(clock, { max_age_ms: 60_000 })
    await Promise.all(pub(bus, 'acme', 'drifts', 3))
    clock.advance(30_000)
    await Promise.all(pub(bus, 'acme', 'drifts', 2))
    clock.advance(40_000) // the first three are now 70 s old, the last two 40 s
    const page = await bus.history('acme', 'drifts', 0)
    expect(page.envelopes.map((e) => e.offset)).toEqual([4, 5])
    expect(page).toMatchObject({ complete: false, oldest_offset: 4, last_offset: 5 })
    clock.advance(60_000)
    const empty = await bus.history('acme', 'drifts', 2)
    expect(empty).toMatchObject({ envelopes: [], complete: false, oldest_offset: 0, last_offset: 5 })
    const next = await bus.publish({ tenant: 'acme', topic: 'drifts', type: 't', data: null })
    expect(next.offset).toBe(6)
    await bus.close()
  })

  it('treats a caller-chosen id as idempotent', async () => {
    const bus = await impl.make(manualClock())
    const first = await bus.publish({ tenant: 'acme', topic: 'events', type: 'x', data: { v: 1 }, id: 'evt-1' })
    const again = await bus.publish({ tenant: 'acme', topic: 'events', type: 'x', data: { v: 1 }, id: 'evt-1' })
    const other = await bus.publish({ tenant: 'acme', topic: 'events', type: 'x', data: { v: 2 }, id: 'evt-2' })
    expect(again.offset).toBe(first.offset)
    expect(again.id).toBe('evt-1')
    expect(other.offset).toBe(2)
    expect(await bus.lastOffset('acme', 'events')).toBe(2)
    await bus.close()
  })

  it('rejects invalid publications with a coded error and keeps working', async () => {
    const bus = await impl.make(manualClock())
    await expect(bus.publish({ tenant: '', topic: 'drifts', type: 'x', data: 1 })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    await expect(bus.publish({ tenant: 'a', topic: 'all' as Topic, type: 'x', data: 1 })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    await expect(bus.publish({ tenant: 'a', topic: 'drifts', type: '', data: 1 })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    await expect(bus.publish({ tenant: 'a', topic: 'drifts', type: 'x', data: 1, time: 'yesterday' })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    expect((await bus.publish({ tenant: 'a', topic: 'drifts', type: 'x', data: 1 })).offset).toBe(1)
    await bus.close()
    await expect(bus.publish({ tenant: 'a', topic: 'drifts', type: 'x', data: 1 })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_CLOSED' })
  })

  it('publishes a batch all or nothing, in order, across topics', async () => {
    const bus = await impl.make(manualClock())
    await bus.publish({ tenant: 'acme', topic: 'events', type: 'e', data: 0 })
    const bad = [
      { tenant: 'acme', topic: 'events' as const, type: 'e', data: 1 },
      { tenant: 'acme', topic: 'drifts' as const, type: 'd', data: 2 },
      { tenant: 'acme', topic: 'nope' as Topic, type: 'e', data: 3 },
    ]
    await expect(bus.publishBatch(bad)).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    const unserialisable = [{ tenant: 'acme', topic: 'events' as const, type: 'e', data: 1 }, { tenant: 'acme', topic: 'events' as const, type: 'e', data: { n: 1n } }]
    await expect(bus.publishBatch(unserialisable)).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    // Nothing of either batch took an offset: a retry cannot duplicate part of it.
    expect(await bus.lastOffset('acme', 'events')).toBe(1)
    expect(await bus.lastOffset('acme', 'drifts')).toBe(0)
    const good = await bus.publishBatch(bad.slice(0, 2).concat([{ tenant: 'acme', topic: 'events', type: 'e', data: 4 }]))
    expect(good.map((e) => [e.topic, e.offset, e.data])).toEqual([['events', 2, 1], ['drifts', 1, 2], ['events', 3, 4]])
    expect((await bus.history('acme', 'events', 1)).envelopes.map((e) => e.data)).toEqual([1, 4])
    await bus.close()
  })

  it('reports one epoch per stream, the same from position and history', async () => {
    const bus = await impl.make(manualClock())
    const empty = await bus.position('acme', 'drifts')
    await pub(bus, 'acme', 'drifts', 3)
    const pos = await bus.position('acme', 'drifts')
    expect(pos).toEqual({ last_offset: 3, epoch: empty.epoch })
    expect((await bus.history('acme', 'drifts', 0)).epoch).toBe(pos.epoch)
    expect(pos.epoch).toMatch(/^[0-9A-Za-z_-]{1,64}$/)
    await bus.close()
  })

  it('completes live subscriptions on close', async () => {
    const bus = await impl.make(manualClock())
    const done = firstValueFrom(bus.live('acme', 'drifts').pipe(toArray()))
    await bus.close()
    expect(await done).toEqual([])
  })
})

describe.skipIf(!hasBinary('redis-server'))('RedisBus across nodes', () => {
  it('two nodes on one Redis share offsets and order, and a client resumes from either', async () => {
    const prefix = `multi${++prefixes}:`
    const a = await RedisBus.connect({ url: await redisUrl(), prefix })
    const b = await RedisBus.connect({ url: await redisUrl(), prefix })
    // A live stream starts where its node reads the position, and commands of one connection reach Redis
    // in order: a marker published through each node after the other's marker is in both streams, so
    // every event published after both markers must reach both nodes.
    const only = (bus: RedisBus) => firstValueFrom(bus.live('acme', 'drifts').pipe(filter((e) => e.type === 't'), take(40), toArray()))
    const seenByB = only(b)
    const seenByA = only(a)
    await a.publish({ tenant: 'acme', topic: 'drifts', type: 'marker', data: {} })
    await b.publish({ tenant: 'acme', topic: 'drifts', type: 'marker', data: {} })
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).publish({ tenant: 'acme', topic: 'drifts', type: 't', data: { i } })))
    expect(sent.map((e) => e.offset).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 3))
    const [onA, onB] = await Promise.all([seenByA, seenByB])
    expect(onA.map((e) => e.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i + 3))
    expect(onB.map((e) => e.id)).toEqual(onA.map((e) => e.id))
    // A client that saw up to 17 on node A reconnects to node B and resumes.
    const resumed = await b.history('acme', 'drifts', 17)
    expect(resumed.complete).toBe(true)
    expect(resumed.envelopes.map((e) => e.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i + 18))
    expect(resumed.envelopes.map((e) => e.id)).toEqual(onA.slice(15).map((e) => e.id))
    expect(await a.lastOffset('acme', 'drifts')).toBe(42)
    await Promise.all([a.close(), b.close()])
  })

  it('keeps deployments with different prefixes apart', async () => {
    const a = await RedisBus.connect({ url: await redisUrl(), prefix: `p${++prefixes}:` })
    const b = await RedisBus.connect({ url: await redisUrl(), prefix: `p${++prefixes}:` })
    await a.publish({ tenant: 'acme', topic: 'drifts', type: 't', data: 1 })
    expect(await b.lastOffset('acme', 'drifts')).toBe(0)
    expect((await b.history('acme', 'drifts', 0)).envelopes).toEqual([])
    await Promise.all([a.close(), b.close()])
  })

  it('createBus builds either kind, and an unreachable Redis is a coded error', async () => {
    const memory = await createBus({ kind: 'memory', history: { max_events: 3 } })
    expect(memory).toBeInstanceOf(MemoryBus)
    await memory.close()
    const viaConfig = await createBus({ kind: 'redis', url: await redisUrl(), prefix: `c${++prefixes}:` })
    expect((await viaConfig.publish({ tenant: 't', topic: 'system', type: 's', data: {} })).offset).toBe(1)
    await viaConfig.close()
    await expect(createBus({ kind: 'redis', url: 'redis://:hunter2@127.0.0.1:1' })).rejects.toSatisfy((error: Error & { code?: string }) =>
      error.code === 'TFD_ERR_BUS_CONNECT' && !error.message.includes('hunter2'))
  })
})
