import { describe, it, expect, vi, afterEach } from 'vitest'
import { Subject } from 'rxjs'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import type { Envelope } from '../../engine/envelope.ts'
import { alwaysThrows, collector, mapper, subjectSource } from './support/plugins.ts'

/** Lets promise chains started by timers settle (no wall-clock waiting). */
const settle = async () => { for (let i = 0; i < 20; i++) await Promise.resolve() }

let runtime: Runtime | undefined
afterEach(async () => {
  vi.useRealTimers()
  await runtime?.stop()
  runtime = undefined
})

function systemEvents(bus: MemoryBus): Envelope[] {
  const seen: Envelope[] = []
  bus.live('default', 'system').subscribe((e) => seen.push(e))
  return seen
}

describe('supervision', () => {
  it('restarts a plugin that throws on every event with capped exponential backoff while other nodes keep delivering', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const bus = new MemoryBus()
    const system = systemEvents(bus)
    const input = new Subject<PipelineItem>()
    const delivered: PipelineItem[] = []
    runtime = await startRuntime({
      pipelines: {
        default: {
          sources: [{ use: subjectSource('push', input), id: 'src' }],
          analysis: [{ use: alwaysThrows(), id: 'bad', inputs: ['src'] }, { use: mapper('ok', (x) => ({ ...x, type: 'ok' })), id: 'good', inputs: ['src'] }],
          remediation: [{ use: collector('sink', delivered), id: 'sink', inputs: ['good'] }],
        },
      },
    }, { logger: silentLogger, bus, store: new MemoryStore() })

    const delays: number[] = []
    for (let k = 0; k < 12; k++) {
      input.next({ type: 'tick', data: { k } })
      await settle()
      const bad = runtime.stats().nodes.find((n) => n.node === 'bad')!
      expect(bad.state).toBe('backoff')
      delays.push(bad.backoff_ms)
      await vi.advanceTimersByTimeAsync(bad.backoff_ms)
      await settle()
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000])
    const bad = runtime.stats().nodes.find((n) => n.node === 'bad')!
    expect(bad.restarts).toBe(12)
    expect(bad.errors).toBe(12)
    expect(delivered.map((d) => (d.data as { k: number }).k)).toEqual([...Array(12).keys()])
    const failed = system.filter((e) => e.type === 'system.plugin_failed')
    expect(failed).toHaveLength(12)
    expect(failed[0]!.data).toMatchObject({ node: 'bad', code: 'TFD_ERR_PLUGIN_RUNTIME', message: 'boom on every event', retry_in_ms: 100 })
    expect(system.filter((e) => e.type === 'system.plugin_restarted').length).toBe(12)
  })

  it('resets the backoff after a healthy period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const input = new Subject<PipelineItem>()
    runtime = await startRuntime({ pipelines: { default: { sources: [{ use: subjectSource('push', input) }], analysis: [{ use: alwaysThrows(), id: 'bad' }] } } },
      { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore(), backoff: { reset_after_ms: 5_000 } })
    const delayAfterFailure = async () => {
      input.next({ type: 'tick', data: {} })
      await settle()
      return runtime!.stats().nodes.find((n) => n.node === 'bad')!.backoff_ms
    }
    expect(await delayAfterFailure()).toBe(100)
    await vi.advanceTimersByTimeAsync(100); await settle()
    expect(await delayAfterFailure()).toBe(200)
    await vi.advanceTimersByTimeAsync(200); await settle()
    await vi.advanceTimersByTimeAsync(6_000) // healthy for longer than reset_after_ms
    expect(await delayAfterFailure()).toBe(100)
  })

  it('restarts a plugin whose create throws, reporting TFD_ERR_PLUGIN_CREATE, and then it delivers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const bus = new MemoryBus()
    const system = systemEvents(bus)
    let attempts = 0
    const flaky = definePlugin({
      name: 'flaky', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: () => {
        if (++attempts <= 2) throw new Error('cannot reach the API yet')
        return { operator: (x) => x }
      },
    })
    const input = new Subject<PipelineItem>()
    const delivered: PipelineItem[] = []
    runtime = await startRuntime({
      pipelines: { default: { sources: [{ use: subjectSource('push', input) }], analysis: [{ use: flaky, id: 'flaky' }], remediation: [{ use: collector('sink', delivered) }] } },
    }, { logger: silentLogger, bus, store: new MemoryStore() })
    // Items that arrive while the node is down wait in its (bounded) queue.
    input.next({ type: 'tick', data: 1 })
    expect(runtime.stats().nodes.find((n) => n.node === 'flaky')).toMatchObject({ state: 'backoff', queue_depth: 1, errors: 1 })
    await vi.advanceTimersByTimeAsync(100); await settle()
    await vi.advanceTimersByTimeAsync(200); await settle()
    expect(runtime.stats().nodes.find((n) => n.node === 'flaky')).toMatchObject({ state: 'running', errors: 2, restarts: 2, queue_depth: 0 })
    input.next({ type: 'tick', data: 2 })
    expect(delivered.map((d) => d.data)).toEqual([1, 2])
    expect(system.filter((e) => e.type === 'system.plugin_failed').map((e) => (e.data as { code: string }).code)).toEqual(['TFD_ERR_PLUGIN_CREATE', 'TFD_ERR_PLUGIN_CREATE'])
    expect(system.filter((e) => e.type === 'system.plugin_restarted')).toHaveLength(1)
  })

  it('survives an output observable that errors and a producer whose output is malformed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    let creates = 0
    const erroring = definePlugin({
      name: 'erroring', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: () => { creates++; return { output: new Subject<PipelineItem>().asObservable().pipe(() => { throw new Error('subscribe failed') }) } },
    })
    const malformed = definePlugin({ name: 'malformed', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create: () => ({}) as never })
    runtime = await startRuntime({ pipelines: { default: { sources: [{ use: erroring, id: 'e' }, { use: malformed, id: 'm' }] } } },
      { logger: silentLogger, bus: new MemoryBus(), store: new MemoryStore() })
    await vi.advanceTimersByTimeAsync(100); await settle()
    const stats = Object.fromEntries(runtime.stats().nodes.map((n) => [n.node, n]))
    expect(creates).toBe(2)
    expect(stats.e!.errors).toBe(2)
    expect(stats.m!.errors).toBe(2)
  })
})
