import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SseClient, startTestServer, TOKENS, until, type TestServer, fetchMetrics } from './support.ts'

let t: TestServer
beforeAll(async () => { t = await startTestServer({ limits: { max_connections: 200, max_connections_per_tenant: 150 } }) })
afterAll(async () => { await t.close() })

/** Opens a socket, subscribes, and either closes cleanly or drops the TCP connection. */
function cycle(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${t.ws}?token=${TOKENS.acme}`)
    ws.on('error', reject)
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data))
      if (msg.type === 'welcome') ws.send(JSON.stringify({ type: 'subscribe', topic: i % 2 ? 'drifts' : 'all', since: 0 }))
      if (msg.type === 'subscribed') i % 3 === 0 ? ws.terminate() : ws.close()
    })
    ws.on('close', () => resolve())
  })
}

describe('connection churn', () => {
  it('thousands of connect/subscribe/disconnect cycles leave no connection, stream or slot behind', async () => {
    await t.bus.publish({ tenant: 'acme', topic: 'drifts', type: 'drift.detected', data: {} })
    for (let round = 0; round < 40; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => cycle(round * 50 + i)))
    await until(() => t.server.stats().connections === 0, 'all slots released', 10_000)
    expect(t.server.stats()).toMatchObject({ ws: 0, sse: 0, connections: 0, streams: 0 })
    const metrics = await fetchMetrics(t.http)
    expect(metrics).toMatch(/tfdrift_server_connections_total\{kind="ws"\} 2000/)
    expect(metrics).toMatch(/tfdrift_server_connections\{kind="ws"\} 0/)
  }, 60_000)

  it('SSE churn releases slots too', async () => {
    for (let round = 0; round < 10; round++) {
      const clients = await Promise.all(Array.from({ length: 30 }, () => SseClient.open(`${t.http}/api/v1/stream?topic=events&token=${TOKENS.acme}`)))
      await until(() => clients.every((c) => c.events.length > 0), 'subscribed')
      clients.forEach((c) => c.close())
    }
    await until(() => t.server.stats().connections === 0 && t.server.stats().streams === 0, 'released', 10_000)
  }, 60_000)

  it('enforces per-tenant and global connection limits with 503, and recovers when they free up', async () => {
    const open: WebSocket[] = []
    const connect = (token: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.ws}?token=${token}`)
      ws.on('open', () => { open.push(ws); resolve(101) })
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
    const acme = await Promise.all(Array.from({ length: 151 }, () => connect(TOKENS.acme)))
    expect(acme.filter((s) => s === 101)).toHaveLength(150)
    expect(acme.filter((s) => s === 503)).toHaveLength(1)
    const globex = await Promise.all(Array.from({ length: 51 }, () => connect(TOKENS.globex)))
    expect(globex.filter((s) => s === 101)).toHaveLength(50)
    expect(globex.filter((s) => s === 503)).toHaveLength(1)
    open.forEach((ws) => ws.close())
    await until(() => t.server.stats().connections === 0, 'released', 10_000)
    expect(await connect(TOKENS.acme)).toBe(101)
    open.at(-1)!.close()
  }, 60_000)
})
