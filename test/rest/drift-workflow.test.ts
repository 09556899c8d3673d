/**
 * The drift workflow over real HTTP, on the memory and the SQLite store: each transition answers with
 * the drift, joins the history with who/when/why and is published as a schema-valid `drift.updated`;
 * refusals (wrong scope, another tenant, an invalid transition) change and publish nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { manualClock } from '../../engine/clock.ts'
import { validateEnvelope } from '../../engine/events.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { Store } from '../../engine/store/store.ts'
import { drift, plan } from '../store/fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness, type StoreKind } from './harness.ts'

const ID = 'drift_00000000000000a1'
const RESOLVED = 'drift_00000000000000a2'
const START = Date.parse('2026-11-22T12:00:00.000Z')

describe.each<StoreKind>(['memory', 'sqlite'])('drift workflow over REST: %s store', (kind) => {
  let h: Harness
  let bus: MemoryBus
  let store: Store
  let dispose: () => Promise<void>
  let clock: ReturnType<typeof manualClock>
  let published: Envelope[]

  beforeEach(async () => {
    ({ store, dispose } = makeStore(kind))
    clock = manualClock(START)
    await store.saveDrifts('acme', [drift(ID), drift(RESOLVED, { status: 'resolved' })])
    await store.saveRemediations('acme', [plan('p1', { drift_id: ID })])
    bus = new MemoryBus()
    published = []
    bus.live('acme', 'drifts').subscribe((e) => published.push(e))
    bus.live('acme', 'remediations').subscribe((e) => published.push(e))
    h = await startRest(store, bus, { clock })
  })
  afterEach(async () => { await h.close(); await bus.close(); await dispose() })

  const post = (path: string, body?: unknown, token: string = TOKENS.acmeAdmin) =>
    h.call(path, token, { method: 'POST', ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) })

  it('acknowledge, snooze, reopen and resolve: each answered, in the history with who/when/why, and published', async () => {
    const until = '2026-11-23T12:00:00.000Z'
    const steps: Array<[string, unknown, string]> = [
      ['acknowledge', { note: 'ticket OPS-1' }, 'acknowledged'],
      ['snooze', { until, note: 'waiting for the vendor' }, 'snoozed'],
      ['reopen', { note: 'vendor answered' }, 'open'],
      ['resolve', { note: 'fixed in PR 42' }, 'resolved'],
    ]
    for (const [action, body, status] of steps) {
      clock.advance(60_000)
      const { status: code, body: reply } = await post(`/api/v1/drifts/${ID}/${action}`, body)
      expect(code, action).toBe(200)
      expect(reply.data).toMatchObject({ id: ID, status, status_by: 'acme-admin', status_at: clock.isoNow(), status_note: (body as { note: string }).note })
      expect(reply.data.snoozed_until).toBe(status === 'snoozed' ? until : undefined)
      if (status === 'snoozed') {
        // Snoozed drifts are out of the open list until their time.
        expect((await h.call('/api/v1/drifts?status=open', TOKENS.acmeRead)).body.data.items.map((d: any) => d.id)).not.toContain(ID)
      }
    }
    const history = await h.call(`/api/v1/drifts/${ID}/history`, TOKENS.acmeRead)
    expect(history.status).toBe(200)
    expect(history.body.data.total).toBe(5)
    expect(history.body.data.items.map((e: any) => [e.action, e.status, e.by, e.note])).toEqual([
      ['detected', 'open', undefined, undefined],
      ['status', 'acknowledged', 'acme-admin', 'ticket OPS-1'],
      ['status', 'snoozed', 'acme-admin', 'waiting for the vendor'],
      ['status', 'open', 'acme-admin', 'vendor answered'],
      ['status', 'resolved', 'acme-admin', 'fixed in PR 42'],
    ])
    expect(history.body.data.items[0].actor).toMatchObject({ user: 'alice' })
    expect(history.body.data.items[2]).toMatchObject({ until, changed_at: new Date(START + 120_000).toISOString() })
    // Paged, oldest first.
    const second = await h.call(`/api/v1/drifts/${ID}/history?page=2&limit=2`, TOKENS.acmeRead)
    expect(second.body.data.items.map((e: any) => e.status)).toEqual(['snoozed', 'open'])

    expect(published.map((e) => [e.type, (e.data as any).status, (e.data as any).status_by])).toEqual(steps.map(([, , s]) => ['drift.updated', s, 'acme-admin']))
    for (const envelope of published) expect(validateEnvelope(envelope), JSON.stringify(envelope)).toEqual({ ok: true })
  })

  it('refuses an invalid transition with 409 and a code, changing and publishing nothing', async () => {
    const ack = await post(`/api/v1/drifts/${RESOLVED}/acknowledge`, { note: 'late' })
    expect(ack.status).toBe(409)
    expect(ack.body).toMatchObject({ success: false, error: { code: 'TFD_ERR_DRIFT_TRANSITION' } })
    expect((await post(`/api/v1/drifts/${ID}/reopen`)).body.error.code).toBe('TFD_ERR_DRIFT_TRANSITION')
    expect((await h.call(`/api/v1/drifts/${RESOLVED}`, TOKENS.acmeRead)).body.data.status).toBe('resolved')
    expect(published).toEqual([])
  })

  it('refuses a read token (403) and another tenant (404), and checks a snooze time', async () => {
    const read = await post(`/api/v1/drifts/${ID}/acknowledge`, {}, TOKENS.acmeRead)
    expect(read.status).toBe(403)
    expect(read.body.error.code).toBe('TFD_ERR_SCOPE_MISSING')
    for (const action of ['acknowledge', 'snooze', 'reopen', 'resolve']) {
      const other = await post(`/api/v1/drifts/${ID}/${action}`, action === 'snooze' ? { until: '2030-01-01T00:00:00Z' } : {}, TOKENS.globexAdmin)
      expect(other.status, action).toBe(404)
      expect(other.body.error.code).toBe('TFD_ERR_NOT_FOUND')
    }
    expect((await h.call(`/api/v1/drifts/${ID}/history`, TOKENS.globexRead)).status).toBe(404)
    expect((await post(`/api/v1/drifts/${ID}/snooze`, {})).status).toBe(400)
    expect((await post(`/api/v1/drifts/${ID}/snooze`, { until: '2026-11-22T11:00:00.000Z' })).body.error.code).toBe('TFD_ERR_REQUEST_INVALID')
    expect((await post(`/api/v1/drifts/${ID}/acknowledge`, { note: 'x', extra: 1 })).status).toBe(400)
    expect((await h.call(`/api/v1/drifts/${ID}`, TOKENS.acmeRead)).body.data.status).toBe('open')
    expect(published).toEqual([])
  })

  it('reopens a snoozed drift by itself once its time has passed, and says so on the stream', async () => {
    await post(`/api/v1/drifts/${ID}/snooze`, { until: new Date(START + 3_600_000).toISOString() })
    clock.advance(3_599_000)
    expect((await h.call(`/api/v1/drifts/${ID}`, TOKENS.acmeRead)).body.data.status).toBe('snoozed')
    clock.advance(2_000)
    const open = await h.call('/api/v1/drifts?status=open', TOKENS.acmeRead)
    expect(open.body.data.items.map((d: any) => d.id)).toEqual([ID])
    expect(open.body.data.items[0].snoozed_until).toBeUndefined()
    const last = (await h.call(`/api/v1/drifts/${ID}/history`, TOKENS.acmeRead)).body.data.items.at(-1)
    expect(last).toMatchObject({ action: 'status', status: 'open', by: 'tfdrift:snooze-expired', changed_at: clock.isoNow() })
    expect(published.map((e) => (e.data as any).status)).toEqual(['snoozed', 'open'])
    expect(validateEnvelope(published[1])).toEqual({ ok: true })
  })

  it('keeps an acknowledgement when the tracker re-emits the drift changed', async () => {
    await post(`/api/v1/drifts/${ID}/acknowledge`, { note: 'known' })
    await store.saveDrifts('acme', [drift(ID, { severity: 'critical', changes: [{ path: 'ingress.0.from_port', expected: 22, actual: 23, sensitive: false }] })])
    const { body } = await h.call(`/api/v1/drifts/${ID}`, TOKENS.acmeRead)
    expect(body.data).toMatchObject({ status: 'acknowledged', status_note: 'known', severity: 'critical' })
    expect(body.data.history.map((e: any) => e.action)).toEqual(['detected', 'status', 'updated'])
  })

  it('stores and returns the reason of a rejected remediation, and publishes it', async () => {
    const { status, body } = await post('/api/v1/remediations/p1/reject', { reason: 'the change was intended' })
    expect(status).toBe(200)
    expect(body.data).toMatchObject({ status: 'rejected', decided_by: 'acme-admin', reason: 'the change was intended' })
    expect((await h.call('/api/v1/remediations/p1', TOKENS.acmeRead)).body.data.reason).toBe('the change was intended')
    expect(published.at(-1)).toMatchObject({ type: 'remediation.rejected', data: { reason: 'the change was intended' } })
    expect(validateEnvelope(published.at(-1))).toEqual({ ok: true })
  })
})
