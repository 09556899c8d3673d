import { describe, it, expect } from 'vitest'
import { bufferCount, from, mergeMap } from 'rxjs'
import { startRuntime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin } from '../../engine/plugin-api.ts'
import { counterSource, toDrift } from './support/plugins.ts'
import { GatedStore } from './support/gated-store.ts'

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000; i++) { if (cond()) return; await new Promise((r) => setImmediate(r)) }
  throw new Error('condition not reached')
}

/** Re-emits items in batches of 7 (so a partial batch is in flight inside the operator at shutdown). */
const batcher = definePlugin({
  name: 'batcher', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  // Inner arrays complete synchronously, so concurrency 1 never buffers.
  create: () => ({ operator: (input$) => input$.pipe(bufferCount(7), mergeMap((batch) => from(batch), 1)) }),
})

describe('graceful shutdown', () => {
  it('stops producers, then drains queued and operator-buffered items into the store before closing', async () => {
    const store = new GatedStore()
    let closed = 0
    const closer = definePlugin({ name: 'closer', kind: 'transport', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create: () => ({ close: () => { closed++ } }) })
    const runtime = await startRuntime({
      shutdown_timeout_ms: 5_000,
      pipelines: { default: {
        sources: [{ use: counterSource('burst', { count: 103, cooperative: false }), id: 'src' }],
        analysis: [{ use: batcher, id: 'batch', inputs: ['src'], queue: { size: 256 } }, { use: toDrift(), id: 'drift', inputs: ['batch'], queue: { size: 256 } }],
        transports: [{ use: closer }],
      } },
    }, { logger: silentLogger, bus: new MemoryBus(), store, persist: { batch_size: 10, max_pending: 20 } })
    const node = (id: string) => runtime.stats().nodes.find((n) => n.node === id)!
    // The store is stuck: items wait in the drift node's queue, the writer, and a partial batch of 5.
    await waitFor(() => node('src').state === 'completed')
    expect(node('batch').queue_depth + node('drift').queue_depth).toBeGreaterThan(0)
    const stopping = runtime.stop()
    await waitFor(() => node('src').state === 'stopped')
    const emitted = node('src').emitted
    expect(emitted).toBe(103)
    store.release()
    await stopping
    expect(node('batch').state).toBe('stopped')
    expect(closed).toBe(1)
    // Every item the producer emitted reached the store: queues and the partial batch (103 = 14 × 7 + 5) were drained.
    expect((await store.listDrifts('default', { limit: 1 })).total).toBe(emitted)
    expect(node('batch').dropped + node('drift').dropped).toBe(0)
  })

  it('gives up draining at shutdown_timeout_ms and counts what it dropped', async () => {
    const store = new GatedStore()
    const runtime = await startRuntime({
      shutdown_timeout_ms: 100,
      pipelines: { default: { sources: [{ use: counterSource('burst', { count: 1000, cooperative: false }), id: 'src' }], analysis: [{ use: toDrift(), id: 'drift', queue: { size: 16 } }] } },
    }, { logger: silentLogger, bus: new MemoryBus(), store, persist: { batch_size: 10, max_pending: 20 } })
    const node = (id: string) => runtime.stats().nodes.find((n) => n.node === id)!
    await waitFor(() => node('src').state === 'completed')
    const before = node('drift')
    expect(before.queue_depth).toBe(32)
    const started = Date.now()
    await runtime.stop()
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(node('drift').dropped).toBe(before.dropped + before.queue_depth)
    expect(node('drift').state).toBe('stopped')
    store.release()
  })
})
