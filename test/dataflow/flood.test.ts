import { describe, it, expect, afterEach } from 'vitest'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { silentLogger } from '../../engine/logger.ts'
import { Observable } from 'rxjs'
import { definePlugin, type PipelineItem, type QueuePolicy } from '../../engine/plugin-api.ts'
import { counterSource, toDrift } from './support/plugins.ts'
import { GatedStore } from './support/gated-store.ts'

const N = 20_000
const QUEUE = 64

/** Waits (event-loop turns, no timers) until `cond` holds. */
async function waitFor(cond: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return
    await new Promise((r) => setImmediate(r))
  }
  throw new Error('condition not reached')
}

let runtime: Runtime | undefined
afterEach(async () => { await runtime?.stop(); runtime = undefined })

async function flood(policy: QueuePolicy, cooperative: boolean) {
  const store = new GatedStore()
  runtime = await startRuntime({
    pipelines: { default: { sources: [{ use: counterSource('flood', { count: N, cooperative }), id: 'src' }], analysis: [{ use: toDrift(), id: 'sink', queue: { size: QUEUE, policy } }] } },
  }, { logger: silentLogger, bus: new MemoryBus(), store, persist: { batch_size: 100, max_pending: 200, max_delay_ms: 1 } })
  const node = (id: string) => runtime!.stats().nodes.find((n) => n.node === id)!
  return { store, node }
}

describe('a source flooding faster than a slow sink', () => {
  it('block + cooperative producer: the producer waits, queues stay bounded, nothing is lost', async () => {
    const { store, node } = await flood('block', true)
    await waitFor(() => node('src').emitted > 0 && (store as unknown as { waiting: unknown[] }).waiting.length > 0)
    // Give the producer plenty of turns: it must stay paused while the store is stuck.
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r))
    const paused = node('src').emitted
    expect(paused).toBeLessThan(1_000)
    expect(node('src').state).toBe('running')
    store.release()
    await waitFor(() => node('src').state === 'completed' && node('sink').queue_depth === 0)
    await runtime!.stop()
    expect(node('sink')).toMatchObject({ received: N, emitted: N, dropped: 0 })
    expect(node('sink').queue_peak).toBeLessThanOrEqual(QUEUE)
    expect((await store.listDrifts('default', { limit: 1 })).total).toBe(N)
  })

  it('drop_oldest: a producer that cannot wait loses the oldest items, counted, queue never past its size', async () => {
    const { store, node } = await flood('drop_oldest', false)
    await waitFor(() => node('src').state === 'completed')
    expect(node('sink').queue_peak).toBe(QUEUE)
    store.release()
    await waitFor(() => node('sink').queue_depth === 0)
    await runtime!.stop()
    const sink = node('sink')
    expect(sink.dropped).toBeGreaterThan(N / 2)
    const saved = (await store.listDrifts('default', { limit: 1 })).total
    expect(saved + sink.dropped).toBe(N)
    expect(await store.getDrift('default', `d${String(N - 1).padStart(6, '0')}`)).toBeDefined()
  })

  it('drop_newest: keeps what was queued first and counts the rest', async () => {
    const { store, node } = await flood('drop_newest', false)
    await waitFor(() => node('src').state === 'completed')
    store.release()
    await waitFor(() => node('sink').queue_depth === 0)
    await runtime!.stop()
    const sink = node('sink')
    expect(sink.queue_peak).toBe(QUEUE)
    expect((await store.listDrifts('default', { limit: 1 })).total + sink.dropped).toBe(N)
    expect(await store.getDrift('default', 'd000000')).toBeDefined()
    expect(await store.getDrift('default', `d${String(N - 1).padStart(6, '0')}`)).toBeUndefined()
  })

  it('block + a producer that ignores demand: the hard bound (2 × size) holds and drops are counted', async () => {
    const { store, node } = await flood('block', false)
    await waitFor(() => node('src').state === 'completed')
    expect(node('sink').queue_peak).toBe(QUEUE * 2)
    expect(node('sink').dropped).toBeGreaterThan(0)
    store.release()
    await waitFor(() => node('sink').queue_depth === 0)
  })
})

describe('a push source flooding the store writer and the bus directly', () => {
  it('keeps the writer within its hard bound and counts what it drops at the source', async () => {
    const store = new GatedStore()
    const events = definePlugin({
      name: 'events', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: () => ({
        output: new Observable<PipelineItem>((sub) => {
          // A push source (webhook-like) cannot wait: it emits everything at once, ignoring demand.
          for (let i = 0; i < 5_000; i++) sub.next({ type: 'change.received', topic: 'events', data: { id: `e${i}`, source: 'test', time: '2026-01-01T00:00:00.000Z', event_name: 'PutObject' } })
        }),
      }),
    })
    const bus = new MemoryBus()
    let published = 0
    bus.live('default', 'events').subscribe(() => published++)
    runtime = await startRuntime({ pipelines: { default: { sources: [{ use: events, id: 'src' }] } } },
      { logger: silentLogger, bus, store, persist: { batch_size: 50, max_pending: 100, max_delay_ms: 1 } })
    const src = runtime.stats().nodes[0]!
    // The writer holds one batch in its (stuck) write plus at most 2 × max_pending waiting; everything past
    // that was dropped and counted at the emitting node.
    expect(src.emitted).toBe(5_000)
    expect(src.dropped).toBe(5_000 - 50 - 200)
    store.release()
    await runtime.stop()
    expect((await store.listChangeEvents('default', { limit: 1 })).total).toBe(250)
    // Publishing has its own bound (2 × 1024 in flight); what it accepted reached the bus.
    expect(published).toBe(2_048)
  })
})
