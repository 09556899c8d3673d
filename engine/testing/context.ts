/**
 * A real PluginContext for plugin tests: a manual clock, an AbortController, a controllable demand
 * gate and an ingress that records routes so tests can call their handlers directly. Public from
 * `tfdrift/testing`.
 */
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import { manualClock } from '../clock.ts'
import { MemoryStore } from '../store/memory-store.ts'
import { silentLogger } from '../logger.ts'
import type { IngressRoute, PluginContext } from '../plugin-api.ts'

export interface TestContext extends PluginContext {
  controller: AbortController
  clock: ReturnType<typeof manualClock>
  routes: IngressRoute[]
  /** Close the demand gate: `ready()` pends until `resume()`. */
  pause(): void
  resume(): void
  /** How many times the plugin awaited `demand.ready()`. */
  readyCalls(): number
}

/** Builds a context; `bus` defaults to a stub that throws when a plugin touches it, `store` to a fresh memory store (plugins keep their memory there). */
export function testContext(overrides: { bus?: Bus; store?: Store; logger?: PluginContext['logger']; tenant?: string } = {}): TestContext {
  const controller = new AbortController()
  const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
  const routes: IngressRoute[] = []
  let paused = false
  let waiters: Array<() => void> = []
  let calls = 0
  const unused = (what: string) => new Proxy({}, { get: () => { throw new Error(`${what} was not expected in this test`) } })
  return {
    logger: overrides.logger ?? silentLogger,
    bus: overrides.bus ?? (unused('bus') as Bus),
    store: overrides.store ?? new MemoryStore(),
    clock,
    signal: controller.signal,
    metrics: { counter: () => ({ inc() {} }), gauge: () => ({ set() {} }) },
    demand: {
      ready: () => {
        calls++
        return paused ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()
      },
      get paused() { return paused },
    },
    ingress: { register: (route) => { routes.push(route) } },
    pipeline: 'test',
    tenant: overrides.tenant ?? 'acme',
    node: 'test.node.0',
    controller,
    routes,
    pause() { paused = true },
    resume() { paused = false; const w = waiters; waiters = []; for (const f of w) f() },
    readyCalls: () => calls,
  }
}

/**
 * Collects up to `count` items from an async iterable (or until it ends). It pulls with `next()` and
 * never calls `return()`, so the same generator can be read again by a later `take`.
 */
export async function take<T>(source: AsyncIterable<T>, count: number): Promise<T[]> {
  const out: T[] = []
  const it = source[Symbol.asyncIterator]()
  while (out.length < count) {
    const r = await it.next()
    if (r.done) break
    out.push(r.value)
  }
  return out
}
