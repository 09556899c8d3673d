import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer } from '../../engine/server/index.ts'
import { SseClient, startTestServer, TOKENS, until, WsClient } from './support.ts'

describe('server lifecycle', () => {
  it('graceful close: WS clients get 1001, SSE streams end, the port is released', async () => {
    const t = await startTestServer()
    const ws = await WsClient.connect(t.ws, TOKENS.acme)
    await ws.request({ type: 'subscribe', topic: 'drifts' })
    const sse = await SseClient.open(`${t.http}/api/v1/stream?topic=drifts&token=${TOKENS.acme}`)
    await until(() => sse.events.length > 0, 'sse subscribed')
    await t.close()
    expect(await ws.closed).toEqual({ code: 1001, reason: 'server shutting down' })
    await until(() => sse.ended, 'sse ended')
    await expect(fetch(`${t.http}/health`)).rejects.toThrow()
  })

  it('close also ends idle keep-alive connections: a browser must not open a stream on a stopped server', async () => {
    const t = await startTestServer()
    const { Agent, request } = await import('node:http')
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const get = (path: string) => new Promise<number>((resolve, reject) => {
      request(`${t.http}${path}`, { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)) }).on('error', reject).end()
    })
    expect(await get('/health')).toBe(200)
    await t.close()
    // The agent would reuse its pooled socket; a stopped server must not answer on it.
    await expect(get(`/api/v1/stream?topic=drifts&token=${TOKENS.acme}`)).rejects.toThrow()
    agent.destroy()
  })

  it('a restart binds the same port although the last run\u2019s connections still sit in TIME_WAIT', async () => {
    const first = await startTestServer()
    const port = first.server.port
    const ws = await WsClient.connect(first.ws, TOKENS.acme)
    await fetch(`${first.http}/health`)
    await first.close()
    await ws.closed
    // The closed connections keep the port unbindable for a while (this uWS build sets no SO_REUSEADDR).
    const bus = new MemoryBus()
    const again = await startServer({ config: { port, host: '127.0.0.1' }, bus, store: new MemoryStore(), logger: silentLogger, rest: false })
    expect(again.port).toBe(port)
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
    await again.close()
    await bus.close()
  }, 120_000)

  it('a port already in use is a TFD_ERR_SERVER_LISTEN error, not a crash', async () => {
    const t = await startTestServer()
    const bus = new MemoryBus()
    await expect(startServer({ config: { port: t.server.port, host: '127.0.0.1' }, bus, store: new MemoryStore(), logger: silentLogger, rest: false }))
      .rejects.toMatchObject({ code: 'TFD_ERR_SERVER_LISTEN' })
    await bus.close()
    await t.close()
  })
})
