/** Helpers for delivering-transport tests: a runner over a real bus and store, and drift publications. */
import type { Bus } from '../../engine/bus/bus.ts'
import type { Store } from '../../engine/store/store.ts'
import type { DeliveringTransportInstance } from '../../engine/plugin-api.ts'
import { DeliveryRunner } from '../../engine/delivery/runner.ts'
import { silentLogger } from '../../engine/logger.ts'
import { drift } from '../store/fixtures.ts'
import type { Drift } from '../../engine/model.ts'

export const NODE = 'p.transports.0'

/** Starts the engine's delivery loop for `transport` as the dataflow would for node `p.transports.0` of tenant acme. */
export async function startRunner(bus: Bus, store: Store, transport: DeliveringTransportInstance, plugin = 'webhook', grace_ms = 5000): Promise<DeliveryRunner> {
  const runner = new DeliveryRunner(transport, { bus, store, logger: silentLogger, pipeline: 'p', node: NODE, plugin, tenant: 'acme', grace_ms })
  await runner.start()
  return runner
}

/** Publishes `count` drift.detected events (ids d0…) and returns their envelopes. */
export async function publishDrifts(bus: Bus, count: number, from = 0, overrides: (i: number) => Partial<Drift> = () => ({})) {
  return bus.publishBatch(Array.from({ length: count }, (_, k) => {
    const i = from + k
    return { topic: 'drifts' as const, type: 'drift.detected', tenant: 'acme', data: drift(`d${i}`, overrides(i)) }
  }))
}
