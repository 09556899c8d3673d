/**
 * The delivery loop when a checkpoint cannot be resumed exactly: a checkpoint of another bus epoch, and
 * one older than what history still holds. Both resume from the oldest envelope available and publish
 * `delivery.gap` on the system topic; checkpoints survive in both store implementations.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { DeliveringTransportInstance, DeliveryBatch } from '../../engine/plugin-api.ts'
import { NODE, publishDrifts, startRunner } from '../support/delivery.ts'
import { until } from '../server/support.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-delivery-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const KEY = `p/${NODE}`

function recorder(): DeliveringTransportInstance & { got: number[] } {
  const got: number[] = []
  return { got, delivery: { route: { topics: ['drifts'] }, batch_size: 7 }, async deliver(b: DeliveryBatch) { got.push(...b.envelopes.map((e) => e.offset)); return { outcome: 'delivered', up_to: b.envelopes.at(-1)!.offset } } }
}

describe('delivery continuity', () => {
  it('a checkpoint of another epoch resumes from the oldest envelope and says events may be lost', async () => {
    const bus = new MemoryBus()
    const store = new MemoryStore()
    await store.saveCheckpoint({ node: KEY, tenant: 'acme', topic: 'drifts', epoch: 'an-old-epoch', offset: 50 })
    await publishDrifts(bus, 5)
    const system: Envelope[] = []
    bus.live('acme', 'system').subscribe((e) => system.push(e))
    const t = recorder()
    const runner = await startRunner(bus, store, t)
    await until(() => t.got.length === 5, 'the five envelopes of the new epoch')
    expect(t.got).toEqual([1, 2, 3, 4, 5])
    expect(system.map((e) => [e.type, (e.data as any).reason])).toEqual([['delivery.gap', 'epoch_changed']])
    expect((system[0]!.data as any).message).toMatch(/may be lost/)
    await runner.stop()
    expect(await store.loadCheckpoints(KEY)).toMatchObject([{ epoch: (await bus.position('acme', 'drifts')).epoch, offset: 5 }])
    await bus.close()
  })

  it('a checkpoint older than the retained history skips the gap, counts it as lost, and tells', async () => {
    const bus = new MemoryBus({ history: { max_events: 10 } })
    const store = new MemoryStore()
    await store.saveCheckpoint({ node: KEY, tenant: 'acme', topic: 'drifts', epoch: (await bus.position('acme', 'drifts')).epoch, offset: 0 })
    await publishDrifts(bus, 25)
    const system: Envelope[] = []
    bus.live('acme', 'system').subscribe((e) => system.push(e))
    const t = recorder()
    const runner = await startRunner(bus, store, t)
    await until(() => t.got.length === 10, 'the retained ten')
    expect(t.got).toEqual(Array.from({ length: 10 }, (_, i) => 16 + i))
    expect(runner.stats()[0]).toMatchObject({ delivered: 10, lost: 15, lag: 0 })
    expect(system.map((e) => [e.type, (e.data as any).reason, (e.data as any).from_offset, (e.data as any).to_offset])).toEqual([['delivery.gap', 'history_gap', 1, 15]])
    await runner.stop()
    await bus.close()
  })

  it.each([
    ['memory', () => new MemoryStore()],
    ['sqlite', () => new SqliteStore({ path: join(dir, 'checkpoints.db') })],
  ] as const)('%s store keeps checkpoints by (node, tenant, topic), durable without a flush', async (_name, make) => {
    const store = make()
    await store.saveCheckpoint({ node: 'a', tenant: 'acme', topic: 'drifts', epoch: 'e1', offset: 3 })
    await store.saveCheckpoint({ node: 'a', tenant: 'acme', topic: 'drifts', epoch: 'e1', offset: 9 })
    await store.saveCheckpoint({ node: 'a', tenant: 'beta', topic: 'events', epoch: 'e2', offset: 1 })
    await store.saveCheckpoint({ node: 'b', tenant: 'acme', topic: 'drifts', epoch: 'e1', offset: 100 })
    expect((await store.loadCheckpoints('a')).map(({ updated_at, ...c }) => c)).toEqual([
      { node: 'a', tenant: 'acme', topic: 'drifts', epoch: 'e1', offset: 9 },
      { node: 'a', tenant: 'beta', topic: 'events', epoch: 'e2', offset: 1 },
    ])
    if (store instanceof SqliteStore) {
      // Another connection sees it at once: the save did not wait in the write buffer.
      const other = new SqliteStore({ path: join(dir, 'checkpoints.db') })
      expect((await other.loadCheckpoints('b'))[0]?.offset).toBe(100)
      await other.close()
    }
    await store.close()
  })
})
