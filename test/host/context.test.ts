import { describe, it, expect } from 'vitest'
import pino from 'pino'
import { Writable } from 'node:stream'
import { createRootContainer, createPluginContext } from '../../engine/host/context.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { manualClock } from '../../engine/clock.ts'
import { RecordingIngress } from '../../engine/runtime.ts'
import { pluginMetrics, metricsRegistry } from '../../engine/metrics.ts'

describe('plugin context (tsyringe child container per instance)', () => {
  it('gives each instance its own logger bindings, signal and metrics while sharing bus, store, clock', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb() } }))
    const bus = new MemoryBus(); const store = new MemoryStore(); const clock = manualClock(); const ingress = new RecordingIngress()
    const root = createRootContainer({ bus, store, clock, ingress, logger })
    const demand = { ready: async () => {}, paused: false }
    const a = new AbortController(); const b = new AbortController()
    const ca = createPluginContext(root, { plugin: 'pa', pipeline: 'prod', tenant: 'acme', node: 'prod.sources.0' }, { signal: a.signal, demand, metrics: pluginMetrics('prod', 'prod.sources.0') })
    const cb = createPluginContext(root, { plugin: 'pb', pipeline: 'prod', tenant: 'acme', node: 'n2' }, { signal: b.signal, demand, metrics: pluginMetrics('prod', 'n2') })
    expect(ca.container).not.toBe(cb.container)
    expect(ca.context.bus).toBe(bus)
    expect(cb.context.store).toBe(store)
    expect(ca.context.clock).toBe(clock)
    expect(ca.context.ingress).toBe(ingress)
    expect(ca.context.tenant).toBe('acme')
    a.abort()
    expect(ca.context.signal.aborted).toBe(true)
    expect(cb.context.signal.aborted).toBe(false)
    ca.context.logger.info({ token: 'hunter2' }, 'hello')
    const line = JSON.parse(lines[0]!)
    expect(line).toMatchObject({ plugin: 'pa', pipeline: 'prod', node: 'prod.sources.0', msg: 'hello' })
    ca.context.metrics.counter('polls_total', 'Polls made.').inc(3)
    expect(await metricsRegistry.getSingleMetricAsString('tfdrift_plugin_polls_total')).toContain('tfdrift_plugin_polls_total{pipeline="prod",node="prod.sources.0"} 3')
    await bus.close(); await store.close()
  })
})
