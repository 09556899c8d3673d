/**
 * The delivery loop's own system events match their schemas (schemas/events/delivery.*.schema.json):
 * a transport that gives up yields `delivery.dead_lettered` carrying the envelope; a checkpoint older
 * than history yields `delivery.gap` with the lost offsets. Both arrive through the real bus.
 */
import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { validateEnvelope } from '../../engine/events.ts'
import type { DeliveringTransportInstance, DeliveryBatch } from '../../engine/plugin-api.ts'
import { NODE, publishDrifts, startRunner } from '../support/delivery.ts'
import { until } from '../server/support.ts'

describe('delivery system events', () => {
  it('delivery.dead_lettered and delivery.gap envelopes are valid, and a broken one is refused', async () => {
    const bus = new MemoryBus({ history: { max_events: 10 } })
    const store = new MemoryStore()
    // A checkpoint before what history keeps: a history_gap.
    await store.saveCheckpoint({ node: `p/${NODE}`, tenant: 'acme', topic: 'drifts', epoch: (await bus.position('acme', 'drifts')).epoch, offset: 0 })
    await publishDrifts(bus, 12)
    const system: Envelope[] = []
    bus.live('acme', 'system').subscribe((e) => system.push(e))
    const seen: number[] = []
    // Refuses every odd offset for good.
    const transport: DeliveringTransportInstance = {
      delivery: { route: { topics: ['drifts'] }, batch_size: 1 },
      async deliver(b: DeliveryBatch) {
        const offset = b.envelopes[0]!.offset
        seen.push(offset)
        return offset % 2 ? { outcome: 'give_up', offset, reason: 'receiver answered 400' } : { outcome: 'delivered', up_to: offset }
      },
    }
    const runner = await startRunner(bus, store, transport)
    await until(() => system.filter((e) => e.type === 'delivery.dead_lettered').length === 5 && system.some((e) => e.type === 'delivery.gap'), 'dead letters and the gap')
    await runner.stop()
    const gap = system.find((e) => e.type === 'delivery.gap')!
    expect(gap.data).toMatchObject({ reason: 'history_gap', from_offset: 1, to_offset: 2, topic: 'drifts', node: NODE })
    const dead = system.find((e) => e.type === 'delivery.dead_lettered')!
    expect(dead.data).toMatchObject({ topic: 'drifts', reason: 'receiver answered 400', envelope: { topic: 'drifts', type: 'drift.detected' } })
    for (const e of system) expect([e.type, validateEnvelope(JSON.parse(JSON.stringify(e)))]).toEqual([e.type, { ok: true }])
    const broken = (e: Envelope, patch: (d: any) => void) => { const copy = JSON.parse(JSON.stringify(e)); patch(copy.data); return validateEnvelope(copy).ok }
    expect(broken(dead, (d) => { delete d.envelope })).toBe(false)
    expect(broken(dead, (d) => { d.envelope.offset = 'x' })).toBe(false)
    expect(broken(gap, (d) => { delete d.to_offset })).toBe(false)
    expect(broken(gap, (d) => { d.reason = 'oops' })).toBe(false)
    await bus.close()
  })
})
