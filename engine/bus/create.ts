import type { Logger } from 'pino'
import type { Bus } from './bus.ts'
import type { BusConfig } from '../config/types.ts'
import type { Clock } from '../plugin-api.ts'
import { MemoryBus } from './memory-bus.ts'
import { RedisBus } from './redis-bus.ts'
import { busJournalOf, type BusJournal } from './journal.ts'
import type { Store } from '../store/store.ts'

/**
 * Builds the bus a config asks for; a Redis bus is connected and subscribed before this resolves.
 * Pass the engine's `store` so an in-process bus journals to it (when it can: the SQLite store):
 * offsets then continue across restarts and drifts/remediations stay recoverable by offset.
 */
export async function createBus(config: BusConfig = { kind: 'memory' }, opts: { clock?: Clock; logger?: Logger; store?: Store; journal?: BusJournal } = {}): Promise<Bus> {
  if (config.kind === 'redis') {
    return RedisBus.connect({ url: config.url, prefix: config.prefix, history: config.history, clock: opts.clock, logger: opts.logger })
  }
  return new MemoryBus({ clock: opts.clock, history: config.history, journal: opts.journal ?? busJournalOf(opts.store) })
}
