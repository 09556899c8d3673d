import { Observable } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import type { Bus } from '../../engine/bus/bus.ts'
import type { Envelope, Topic } from '../../engine/envelope.ts'
import { Frames, Hub, Sub, type Sink } from '../../engine/server/hub.ts'

/** An in-memory connection whose "socket" drains only when the test says so. */
class TestSink implements Sink {
  readonly kind = 'sse' as const
  closed = false
  received: number[] = []
  backlog = 0
  resets: string[] = []
  private waiters: Array<() => void> = []
  write(frames: Frames): void {
    this.received.push(frames.env.offset)
    this.backlog += frames.size()
  }
  buffered(): number { return this.backlog }
  reset(reason: string): void { this.resets.push(reason); this.closed = true }
  writable(): Promise<void> {
    return this.backlog === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r))
  }
  drain(): void {
    this.backlog = 0
    const w = this.waiters
    this.waiters = []
    w.forEach((f) => f())
  }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('hub catch-up', () => {
  it('stitches history and live exactly even when the pending buffer overflows during a slow replay', async () => {
    const bus = new MemoryBus({ history: { max_events: 100_000 } })
    const hub = new Hub({ bus, publish: () => 0, maxBufferBytes: 4096, historyPageSize: 20 })
    const pub = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => bus.publish({ tenant: 't', topic: 'drifts', type: 'drift.detected', data: { i, pad: 'x'.repeat(100) } })))
    await pub(100)
    const sink = new TestSink()
    const sub = new Sub(sink, 't', 'drifts', undefined)
    let subscribed: unknown
    const done = hub.start(sub, 10, (info) => { subscribed = info })
    // While the replay waits for the sink to drain, publish far more than the 4 KiB pending bound.
    for (let round = 0; round < 20; round++) {
      await tick()
      await pub(30)
      sink.drain()
    }
    for (let i = 0; i < 5000 && sub.state !== 'live'; i++) { await tick(); sink.drain() }
    await done
    expect(sub.state).toBe('live')
    expect(sub.epoch, 'the pending buffer overflowed at least once').toBeGreaterThan(0)
    expect(subscribed).toMatchObject({ recovered: true, since: 10 })
    await pub(5) // live from here on
    const last = await bus.lastOffset('t', 'drifts')
    expect(sink.received).toEqual(Array.from({ length: last - 10 }, (_, i) => 11 + i))
    hub.stop(sub)
    expect(hub.streamCount).toBe(0)
    await bus.close()
  })

  it('filters replayed and live envelopes alike, and skips nothing while doing so', async () => {
    const bus = new MemoryBus()
    const hub = new Hub({ bus, publish: () => 0, maxBufferBytes: 1 << 20, historyPageSize: 7 })
    const sev = ['critical', 'low']
    for (let i = 0; i < 30; i++) await bus.publish({ tenant: 't', topic: 'drifts', type: 'd', data: { severity: sev[i % 2] } })
    const sink = new TestSink()
    const sub = new Sub(sink, 't', 'drifts', { severity_min: 'high' })
    await hub.start(sub, 0, () => {})
    for (let i = 0; i < 10; i++) await bus.publish({ tenant: 't', topic: 'drifts', type: 'd', data: { severity: sev[i % 2] } })
    expect(sink.received).toEqual(Array.from({ length: 20 }, (_, i) => 1 + 2 * i))
    await bus.close()
  })

  it('does not repeat envelopes when history is ahead of live delivery (a remote bus whose pub/sub lags its stream)', async () => {
    const inner = new MemoryBus()
    // Live envelopes are held back until the test releases them, as Redis pub/sub can trail XADD.
    const held: Array<() => void> = []
    let holding = true
    const bus: Bus = Object.assign(Object.create(inner) as Bus, {
      live: (tenant: string, topic: Topic) => new Observable<Envelope>((subscriber) => {
        const rx = inner.live(tenant, topic).subscribe((env) => (holding ? held.push(() => subscriber.next(env)) : subscriber.next(env)))
        return () => rx.unsubscribe()
      }),
    })
    const hub = new Hub({ bus, publish: () => 0, maxBufferBytes: 1 << 20, historyPageSize: 100 })
    const pub = (n: number) => Promise.all(Array.from({ length: n }, () => inner.publish({ tenant: 't', topic: 'drifts', type: 'd', data: {} })))
    await pub(10)
    const sink = new TestSink()
    const sub = new Sub(sink, 't', 'drifts', undefined)
    const starting = hub.start(sub, 0, () => {})
    await pub(5) // in history at once, still in flight live
    await starting
    expect(sink.received).toEqual(Array.from({ length: 15 }, (_, i) => 1 + i))
    expect(sub.state).toBe('tailing')
    holding = false
    held.splice(0).forEach((deliver) => deliver()) // the lagging live copies of 11..15 arrive
    await pub(3)
    expect(sink.received).toEqual(Array.from({ length: 18 }, (_, i) => 1 + i))
    expect(sub.state).toBe('live')
    hub.stop(sub)
    await inner.close()
  })

  it('resets the subscriptions of a stream whose live delivery skips offsets or loses continuity, instead of going on', async () => {
    const inner = new MemoryBus()
    let drop = 0
    let fail: ((error: Error) => void) | undefined
    const bus: Bus = Object.assign(Object.create(inner) as Bus, {
      live: (tenant: string, topic: Topic) => new Observable<Envelope>((subscriber) => {
        fail = (error) => subscriber.error(error)
        const rx = inner.live(tenant, topic).subscribe((env) => { if (env.offset !== drop) subscriber.next(env) })
        return () => rx.unsubscribe()
      }),
    })
    const errors: string[] = []
    const hub = new Hub({ bus, publish: () => 0, maxBufferBytes: 1 << 20, historyPageSize: 100, onError: (err) => errors.push((err as Error).message) })
    const pub = (n: number) => Promise.all(Array.from({ length: n }, () => inner.publish({ tenant: 't', topic: 'drifts', type: 'd', data: {} })))
    const skipping = new TestSink()
    await hub.start(new Sub(skipping, 't', 'drifts', undefined), 0, () => {})
    drop = 3
    await pub(4)
    // Offset 3 never came live: the subscriber is reset (its client resumes from 2 by history), not fed 4.
    expect(skipping.received).toEqual([1, 2])
    expect(skipping.resets).toEqual(['offsets 3..3 did not arrive live'])
    expect(errors[0]).toContain('jumped from offset 2 to 4')

    const losing = new TestSink()
    await hub.start(new Sub(losing, 't', 'drifts', undefined), 4, () => {})
    await pub(1)
    fail!(new Error('Live delivery of t/drifts lost continuity: its epoch changed.'))
    expect(losing.received).toEqual([5])
    expect(losing.resets).toEqual(['Live delivery of t/drifts lost continuity: its epoch changed.'])
    expect(hub.streamCount).toBe(0)
    await inner.close()
  })
})
