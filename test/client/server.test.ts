/**
 * The client against the real uWebSockets.js server over loopback: WS and SSE delivery, tenant
 * isolation, WS→SSE fallback, resume by offset after the link drops (no loss, no duplicate),
 * `recovered: false` when history no longer covers the gap, fatal auth errors, and the bounded
 * iterator pausing and resuming without loss.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import type { ServerConfig } from '../../engine/config/types.ts'
import type { Envelope, Topic } from '../../engine/envelope.ts'
import { connect, type ClientState, type TfdriftClient, type TransportKind } from '../../engine/client/index.ts'

const AUTH: ServerConfig['auth'] = {
  tokens: [
    { token: 'acme-token', tenant: 'acme', scopes: ['read', 'publish'], name: 'acme' },
    { token: 'globex-token', tenant: 'globex', scopes: ['read', 'publish'], name: 'globex' },
  ],
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function serve(bus: MemoryBus): Promise<{ server: Server; url: string }> {
  const server = await startServer({ config: { port: 0, host: '127.0.0.1', auth: AUTH }, bus, store: new MemoryStore(), logger: silentLogger, rest: false })
  cleanups.push(() => server.close())
  return { server, url: `http://127.0.0.1:${server.port}` }
}

/**
 * A TCP proxy in front of the server, to cut the network: `down()` destroys every proxied connection
 * and refuses new ones (a dropped link / restarting node), `up()` accepts again.
 */
async function proxy(targetPort: number): Promise<{ url: string; down(): void; up(): void; retarget(port: number): void }> {
  let accepting = true
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (!accepting) return client.destroy()
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanups.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    down() { accepting = false; for (const s of sockets) s.destroy() },
    up() { accepting = true },
    retarget(port: number) { targetPort = port },
  }
}

function track(client: TfdriftClient) {
  cleanups.push(() => client.close())
  const log = { events: [] as Envelope[], states: [] as ClientState[], gaps: [] as unknown[], errors: [] as Array<{ code: string; fatal: boolean }>, opens: [] as TransportKind[], reconnects: 0 }
  client.on('event', (e) => log.events.push(e))
  client.on('state', (s) => log.states.push(s))
  client.on('gap', (g) => log.gaps.push(g))
  client.on('error', (e) => log.errors.push(e))
  client.on('open', (o) => log.opens.push(o.transport))
  client.on('reconnecting', () => log.reconnects++)
  return log
}

async function until(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const publish = (bus: MemoryBus, n: number, topic: Topic = 'drifts', tenant = 'acme') =>
  Promise.all(Array.from({ length: n }, (_, i) => bus.publish({ topic, type: `${topic}.test`, tenant, data: { i, severity: 'high', provider: i % 2 ? 'aws' : 'google' } })))

const offsets = (events: Envelope[]) => events.map((e) => e.offset)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const fast = { base_ms: 20, cap_ms: 200 }

describe.each<TransportKind>(['ws', 'sse'])('client over %s', (transport) => {
  it('receives its tenant’s events in order, never another tenant’s', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    const client = connect({ url, token: 'acme-token', topics: ['drifts'], transport })
    const log = track(client)
    await client.ready()
    await publish(bus, 3, 'drifts', 'globex')
    await publish(bus, 5)
    await until(() => log.events.length === 5, '5 events')
    expect(offsets(log.events)).toEqual([1, 2, 3, 4, 5])
    expect(log.events.every((e) => e.tenant === 'acme')).toBe(true)
    expect(log.opens).toEqual([transport])
    expect(client.transport).toBe(transport)
    expect(client.lastOffsets).toEqual({ drifts: 5 })
  })

  it('resumes from `since`, then follows live; applies the filter server-side', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    await publish(bus, 6)
    const client = connect({ url, token: 'acme-token', topics: ['drifts'], transport, since: 2, filter: { provider: 'aws' } })
    const log = track(client)
    const subscribed = new Promise((r) => client.once('subscribed', r))
    await client.ready()
    expect(await subscribed).toMatchObject({ topic: 'drifts', since: 2, recovered: true, transport })
    await publish(bus, 2)
    // Offsets 3..8 after `since` 2; only odd `i` (aws) pass: offsets 4, 6, 8.
    await until(() => log.events.length === 3, 'filtered events')
    expect(offsets(log.events)).toEqual([4, 6, 8])
  })

  it('reconnects after the link drops and resumes by offset: nothing lost, nothing twice', async () => {
    const bus = new MemoryBus()
    const { server } = await serve(bus)
    const link = await proxy(server.port)
    const client = connect({ url: link.url, token: 'acme-token', topics: ['drifts', 'events'], transport, backoff: fast })
    const log = track(client)
    await client.ready()
    await publish(bus, 4)
    await publish(bus, 2, 'events')
    await until(() => log.events.length === 6, 'first batch')
    link.down()
    await until(() => log.states.includes('reconnecting'), 'client to notice the drop')
    await publish(bus, 5) // published while the client cannot connect
    await publish(bus, 1, 'events')
    await until(() => log.reconnects >= 2, 'a refused reconnect attempt')
    link.up()
    await until(() => log.events.length === 12, 'missed events after reconnect')
    await publish(bus, 1)
    await until(() => log.events.length === 13, 'live event after reconnect')
    const drifts = log.events.filter((e) => e.topic === 'drifts')
    const events = log.events.filter((e) => e.topic === 'events')
    expect(offsets(drifts)).toEqual(range(1, 10))
    expect(offsets(events)).toEqual(range(1, 3))
    expect(log.gaps).toEqual([])
    expect(log.reconnects).toBeGreaterThanOrEqual(1)
    expect(log.opens.every((t) => t === transport)).toBe(true)
  })

  it('says recovered: false when history no longer covers the gap', async () => {
    const bus = new MemoryBus({ history: { max_events: 3 } })
    const { server } = await serve(bus)
    const link = await proxy(server.port)
    const client = connect({ url: link.url, token: 'acme-token', topics: ['drifts'], transport, backoff: fast })
    const log = track(client)
    const subscribedInfos: Array<{ recovered: boolean }> = []
    client.on('subscribed', (s) => subscribedInfos.push(s))
    await client.ready()
    await publish(bus, 1)
    await until(() => log.events.length === 1, 'first event')
    link.down()
    await publish(bus, 10) // offsets 2..11; history keeps 9..11
    link.up()
    await until(() => log.gaps.length === 1 && log.events.length === 4, 'gap report and retained events')
    expect(log.gaps[0]).toMatchObject({ topic: 'drifts', since: 1, recovered: false })
    expect(subscribedInfos.at(-1)).toMatchObject({ recovered: false })
    expect(offsets(log.events)).toEqual([1, 9, 10, 11])
  })

  it('after failing over to a node with another epoch, reports the gap and replays that node from its start', async () => {
    const busA = new MemoryBus()
    const a = await serve(busA)
    const link = await proxy(a.server.port)
    const client = connect({ url: link.url, token: 'acme-token', topics: ['drifts'], transport, backoff: fast })
    const log = track(client)
    await client.ready()
    await publish(busA, 5)
    await until(() => log.events.length === 5, 'events from node A')
    const busB = new MemoryBus()
    await publish(busB, 2) // node B has its own epoch and offsets 1..2: the client's offset 5 means nothing there
    const b = await serve(busB)
    link.down()
    link.retarget(b.server.port)
    link.up()
    await until(() => log.gaps.length === 1, 'gap report from node B')
    expect(log.gaps[0]).toMatchObject({ topic: 'drifts', since: 5, recovered: false })
    await publish(busB, 1)
    await until(() => log.events.length === 8, 'node B replayed from its start, then live')
    expect(log.events.slice(5).map((e) => e.offset)).toEqual([1, 2, 3])
    expect(client.lastEpochs.drifts).toBe((await busB.position('acme', 'drifts')).epoch)
    expect(log.errors.filter((e) => e.fatal)).toEqual([])
  })
})

describe('client transport selection and errors', () => {
  it('auto falls back to SSE when WebSocket cannot connect', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    // A real WebSocket aimed at a port nothing listens on.
    class DeadEndWebSocket extends WebSocket {
      constructor(target: string) { super(target.replace(/:\d+\//, ':1/')) }
    }
    const client = connect({ url, token: 'acme-token', topics: ['drifts'], WebSocket: DeadEndWebSocket as never })
    const log = track(client)
    await client.ready()
    await publish(bus, 2)
    await until(() => log.events.length === 2, 'events over SSE')
    expect(client.transport).toBe('sse')
    expect(log.opens).toEqual(['sse'])
  })

  it('auto uses WS when it works, and "all" follows every topic', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    const client = connect({ url, token: 'acme-token' })
    const log = track(client)
    const welcome = new Promise<{ tenant: string }>((r) => client.once('welcome', r))
    await client.ready()
    expect((await welcome).tenant).toBe('acme')
    await publish(bus, 2, 'drifts')
    await publish(bus, 3, 'remediations')
    await until(() => log.events.length === 5, 'events of two topics')
    expect(client.transport).toBe('ws')
    expect(client.lastOffsets).toMatchObject({ drifts: 2, remediations: 3 })
  })

  it.each<TransportKind | 'auto'>(['ws', 'sse', 'auto'])('a bad token is fatal over %s: no reconnect loop, ready() rejects', async (transport) => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    const client = connect({ url, token: 'wrong', topics: ['drifts'], transport, backoff: fast })
    const log = track(client)
    await expect(client.ready()).rejects.toThrow(/invalid_token|unauthorized/)
    expect(client.state).toBe('closed')
    expect(log.errors.at(-1)).toMatchObject({ fatal: true })
    expect(log.reconnects).toBe(0)
  })

  it('events() is bounded: a slow consumer pauses the connection and resumes without loss', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    const client = connect({ url, token: 'acme-token', topics: ['drifts'], transport: 'ws', max_queue: 4, backoff: fast })
    const log = track(client)
    const iterator = client.events()
    await client.ready()
    await publish(bus, 40)
    const got: number[] = []
    for await (const envelope of iterator) {
      got.push(envelope.offset)
      await new Promise((r) => setImmediate(r)) // a consumer slower than the socket
      if (got.length === 40) break
    }
    expect(got).toEqual(range(1, 40))
    expect(log.states).toContain('paused')
    expect(log.gaps).toEqual([])
  })

  it.each([[0, 'resets'], [60_000, 'keeps growing']] as const)('with stable_ms %i a drop after a good connection %s the backoff', async (stableMs, behaviour) => {
    const bus = new MemoryBus()
    const { server } = await serve(bus)
    const link = await proxy(server.port)
    const client = connect({ url: link.url, token: 'acme-token', topics: ['drifts'], transport: 'ws', stable_ms: stableMs, backoff: { base_ms: 10, cap_ms: 10_000, random: () => 0.999999 } })
    const attempts: Array<{ attempt: number; delay_ms: number }> = []
    client.on('reconnecting', (r) => attempts.push(r))
    cleanups.push(() => client.close())
    await client.ready()
    link.down()
    await until(() => attempts.length >= 3, 'three refused attempts')
    link.up()
    await until(() => client.state === 'open', 'reconnection')
    const before = attempts.length
    link.down()
    await until(() => attempts.length > before, 'next drop')
    link.up()
    expect(attempts.slice(0, 3)).toEqual([{ attempt: 1, delay_ms: 10 }, { attempt: 2, delay_ms: 20 }, { attempt: 3, delay_ms: 40 }])
    const next = attempts[before]!
    if (behaviour === 'resets') expect(next).toEqual({ attempt: 1, delay_ms: 10 })
    else expect(next.attempt).toBe(before + 1)
  })

  it('close() ends iterators and stops reconnecting', async () => {
    const bus = new MemoryBus()
    const { url } = await serve(bus)
    const client = connect({ url, token: 'acme-token', topics: ['drifts'] })
    await client.ready()
    const iterator = client.events()
    const next = iterator.next()
    client.close()
    expect(await next).toEqual({ value: undefined, done: true })
    expect(client.state).toBe('closed')
  })
})
