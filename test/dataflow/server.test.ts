import { describe, it, expect } from 'vitest'
import { Subject } from 'rxjs'
import { startRuntime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import type { Envelope } from '../../engine/envelope.ts'

/** A push source: its ingress route turns each POSTed body into a `change.received` item on topic `events`. */
const hook = definePlugin({
  name: 'hook', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: (ctx) => {
    const out = new Subject<PipelineItem>()
    ctx.ingress.register({
      method: 'POST', path: '/api/v1/test-hook', scope: 'publish',
      handle: async (body) => {
        out.next({ type: 'change.received', topic: 'events', data: { id: `ev-${(body as { n: number }).n}`, source: 'test', event_name: 'PutObject', received_at: ctx.clock.isoNow(), time: ctx.clock.isoNow(), raw: body } })
        return { status: 202, data: { accepted: 1 } }
      },
    })
    return { output: out.asObservable(), close: () => out.complete() }
  },
})

describe('runtime with the server', () => {
  it('starts the server when config.server is set, serves plugin ingress routes and /metrics with node counters', async () => {
    const bus = new MemoryBus()
    const runtime = await startRuntime({
      server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: 'secret-token', tenant: 'acme', scopes: ['read', 'publish'] }, { token: 'metrics-token', tenant: 'ops', scopes: ['metrics'] }] } },
      pipelines: { p: { tenant: 'acme', sources: [{ use: hook, id: 'hook' }] } },
    }, { logger: silentLogger, bus, store: new MemoryStore() })
    try {
      expect(runtime.server?.port).toBeGreaterThan(0)
      const events: Envelope[] = []
      bus.live('acme', 'events').subscribe((e) => events.push(e))
      const url = `http://127.0.0.1:${runtime.server!.port}`
      const res = await fetch(`${url}/api/v1/test-hook`, { method: 'POST', headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' }, body: JSON.stringify({ n: 1 }) })
      expect(res.status).toBe(202)
      const denied = await fetch(`${url}/api/v1/test-hook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' })
      expect(denied.status).toBeGreaterThanOrEqual(401)
      expect(events.map((e) => e.type)).toEqual(['change.received'])
      expect(runtime.stats().nodes[0]).toMatchObject({ node: 'hook', emitted: 1 })
      const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-token' } })).text()
      expect(metrics).toMatch(/tfdrift_node_emitted_total\{pipeline="p",node="hook",plugin="hook",kind="source"\} 1/)
    } finally {
      await runtime.stop()
    }
  })
})
