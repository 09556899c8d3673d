/**
 * An ingest route answers only once what it queued is durable (engine/dataflow/acks.ts): when the 202
 * arrives, the change events are already in the store and on the bus; a store that fails turns the
 * answer into a 503 the sender resends on (never a 202 for something lost). Real server, real sources.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import type { ChangeEvent } from '../../engine/model.ts'
import type { PipelineItem } from '../../engine/plugin-api.ts'
import { forget, whenDurable } from '../../engine/dataflow/acks.ts'
import { PipelineOutput } from '../../engine/dataflow/output.ts'
import { PublishSink } from '../../engine/dataflow/publish.ts'

const TOKEN = 'acme-publish-token-0123456789'
const record = (id: string) => ({
  eventVersion: '1.09', eventTime: '2026-08-10T09:30:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'ModifyInstanceAttribute', awsRegion: 'eu-west-1',
  eventID: id, eventType: 'AwsApiCall', readOnly: false, recipientAccountId: '123456789012', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
  requestParameters: { instanceId: 'i-0123456789abcdef0', instanceType: { value: 't3.large' } },
})

/** The disk is full: every write of change events fails. */
class FailingStore extends MemoryStore {
  override async saveChangeEvents(): Promise<void> { throw new Error('SQLITE_FULL: database or disk is full') }
}

let runtime: Runtime | undefined
let bus: MemoryBus | undefined
afterEach(async () => { await runtime?.stop(); runtime = undefined; await bus?.close() })

async function start(store: MemoryStore, persist?: { max_delay_ms: number }): Promise<string> {
  bus = new MemoryBus()
  runtime = await startRuntime({
    server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read', 'publish'] }] } },
    pipelines: { p: { tenant: 'acme', sources: [{ use: 'cloudtrail' }] } },
  }, { logger: silentLogger, bus, store, ...(persist ? { persist } : {}) })
  return `http://127.0.0.1:${runtime.server!.port}/api/v1/cloudtrail/events`
}
const post = (url: string, body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` } })

describe('ingest acknowledges durable items only', () => {
  it('when the 202 arrives, every record of the batch is stored and on the bus', async () => {
    const store = new MemoryStore()
    const url = await start(store)
    const ids = Array.from({ length: 50 }, (_, i) => `evt-${i}`)
    const res = await post(url, ids.map((id) => JSON.stringify(record(id))).join('\n'))
    expect(res.status).toBe(202)
    // Read at once, no waiting: the answer itself is the promise.
    const stored = (await store.listChangeEvents('acme', { limit: 100 })).items.map((e: ChangeEvent) => e.actor?.event_id)
    expect(stored.sort()).toEqual([...ids].sort())
    const history = await bus!.history('acme', 'events', 0)
    expect(history.envelopes.map((e) => (e.data as ChangeEvent).actor?.event_id).sort()).toEqual([...ids].sort())
  })

  it('a waiting sender is not held to the store\'s batching delay (a one-at-a-time sender would get one answer per delay)', async () => {
    const store = new MemoryStore()
    // A delay far past the 10 s answer deadline: only an immediate write can answer 202.
    const url = await start(store, { max_delay_ms: 600_000 })
    for (const id of ['one', 'two', 'three']) expect((await post(url, JSON.stringify(record(id)))).status).toBe(202)
    expect((await store.listChangeEvents('acme', { limit: 10 })).total).toBe(3)
  })

  it('a store that cannot write turns the answer into a coded 503 to resend on', async () => {
    const url = await start(new FailingStore())
    const res = await post(url, JSON.stringify(record('evt-lost')))
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'TFD_ERR_INGEST_NOT_DURABLE', message: expect.stringContaining('resend it') } })
  })
})

describe('whenDurable', () => {
  const items = (n: number): PipelineItem[] => Array.from({ length: n }, (_, i) => ({ type: 'app.tick', topic: 'events', data: { i } }))

  it('resolves true once the pipeline output has published every item, and only then', async () => {
    const output = new PipelineOutput(new PublishSink(new MemoryBus(), 'acme', silentLogger), undefined)
    const batch = items(3)
    let result: boolean | undefined
    void whenDurable(batch).then((ok) => { result = ok })
    output.offer(batch[0]!)
    output.offer(batch[1]!)
    await new Promise((r) => setTimeout(r, 20))
    expect(result).toBeUndefined()
    output.offer(batch[2]!)
    await new Promise((r) => setTimeout(r, 20))
    expect(result).toBe(true)
  })

  it('resolves false after the timeout, and at once for items that could not be queued', async () => {
    expect(await whenDurable(items(2), 30)).toBe(false)
    const batch = items(2)
    const pending = whenDurable(batch)
    forget(batch)
    expect(await pending).toBe(false)
  })
})
