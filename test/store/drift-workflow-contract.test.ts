/**
 * The drift workflow's store half over both stores: a status set by hand keeps who/when/why and
 * survives the tracker's re-emitted `open`, within the rules of `mergeFromPipeline`; every
 * detection, update and status move is in the history; a reject keeps its reason.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Store } from '../../engine/store/store.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import { manualClock } from '../../engine/clock.ts'
import { drift, plan } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-workflow-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

const impls: Array<{ name: string; make(clock: ReturnType<typeof manualClock>): Store }> = [
  { name: 'memory', make: (clock) => new MemoryStore({ clock }) },
  { name: 'sqlite', make: (clock) => new SqliteStore({ path: join(dir, `workflow-${++files}.db`), clock }) },
]

const NEW_CHANGES = [{ path: 'ingress.0.cidr_blocks.0', expected: '10.0.0.0/8', actual: '1.2.3.4/32', sensitive: false }]

describe.each(impls)('drift workflow in the store: $name', (impl) => {
  it('keeps an acknowledgement, with who/when/why, through the tracker re-emitting the drift as open and changed', async () => {
    const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveDrifts('acme', [drift('d1')])
    await store.setDriftStatus('acme', { drift_id: 'd1', status: 'acknowledged', changed_at: clock.isoNow(), by: 'alice', note: 'ticket OPS-1' })
    clock.advance(60_000)
    await store.saveDrifts('acme', [drift('d1', { changes: NEW_CHANGES, severity: 'critical' })])
    const kept = await store.getDrift('acme', 'd1')
    expect(kept).toMatchObject({ status: 'acknowledged', status_by: 'alice', status_at: '2026-11-22T12:00:00.000Z', status_note: 'ticket OPS-1', severity: 'critical', changes: NEW_CHANGES })
    // The counts behind list totals and stats follow the kept status, not the tracker's.
    expect((await store.listDrifts('acme', { status: 'acknowledged' })).total).toBe(1)
    expect((await store.listDrifts('acme', { status: 'open' })).total).toBe(0)
    expect((await store.driftHistory('acme', 'd1')).map((h) => [h.action, h.status, h.by])).toEqual([
      ['detected', 'open', undefined], ['status', 'acknowledged', 'alice'], ['updated', 'acknowledged', undefined]])
    // The pipeline seeing the drift gone wins over any decision.
    await store.saveDrifts('acme', [drift('d1', { changes: NEW_CHANGES, severity: 'critical', status: 'resolved' })])
    expect((await store.getDrift('acme', 'd1'))?.status).toBe('resolved')
    await store.close()
  })

  it('keeps a snooze through an actor-only update, and reopens it when the drift itself changes', async () => {
    const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveDrifts('acme', [drift('d1')])
    await store.setDriftStatus('acme', { drift_id: 'd1', status: 'snoozed', changed_at: clock.isoNow(), by: 'bob', until: '2026-11-23T12:00:00.000Z' })
    expect(await store.getDrift('acme', 'd1')).toMatchObject({ status: 'snoozed', snoozed_until: '2026-11-23T12:00:00.000Z' })
    await store.saveDrifts('acme', [drift('d1', { actor: { user: 'carol' } })])
    expect(await store.getDrift('acme', 'd1')).toMatchObject({ status: 'snoozed', actor: { user: 'carol' } })
    await store.saveDrifts('acme', [drift('d1', { actor: { user: 'carol' }, changes: NEW_CHANGES })])
    const reopened = await store.getDrift('acme', 'd1')
    expect(reopened?.status).toBe('open')
    expect(reopened?.snoozed_until).toBeUndefined()
    expect((await store.driftHistory('acme', 'd1')).at(-1)).toMatchObject({ action: 'status', status: 'open', by: 'tfdrift:drift-changed' })
    await store.close()
  })

  it('keeps the reason of a rejected plan', async () => {
    const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveRemediations('acme', [plan('p1')])
    const rejected = await store.decideRemediation('acme', 'p1', 'rejected', 'alice', 'the change was intended')
    expect(rejected).toMatchObject({ status: 'rejected', decided_by: 'alice', reason: 'the change was intended' })
    expect(await store.getRemediation('acme', 'p1')).toMatchObject({ reason: 'the change was intended' })
    await store.close()
  })
})
