import type { Logger } from 'pino'
import type { Bus } from './bus.ts'
import type { BusConfig } from '../config/types.ts'
import type { Clock } from '../plugin-api.ts'
import { MemoryBus } from './memory-bus.ts'
import { RedisBus } from './redis-bus.ts'

/** Builds the bus a config asks for; a Redis bus is connected and subscribed before this resolves. */
export async function createBus(config: BusConfig = { kind: 'memory' }, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Bus> {
  if (config.kind === 'redis') {
    return RedisBus.connect({ url: config.url, prefix: config.prefix, history: config.history, clock: opts.clock, logger: opts.logger })
  }
  return new MemoryBus({ clock: opts.clock, history: config.history })
}
