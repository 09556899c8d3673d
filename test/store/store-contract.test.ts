/**
 * The Store contract over both implementations: MemoryStore and SqliteStore on a real file in a temp
 * dir. Every case also checks that a second tenant sees none of the first tenant's records.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Store } from '../../engine/store/store.ts'
import type { Drift, Severity } from '../../engine/model.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import { manualClock } from '../../engine/clock.ts'
import { drift, event, plan, resource, snapshot } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

const impls: Array<{ name: string; make(clock?: ReturnType<typeof manualClock>): Store }> = [
  { name: 'memory', make: (clock) => new MemoryStore({ clock }) },
  { name: 'sqlite', make: (clock) => new SqliteStore({ path: join(dir, `contract-${++files}.db`), clock }) },
]

describe.each(impls)('Store contract: $name', (impl) => {
  it('keeps the latest snapshot per pipeline, kind and source, and lists its resources', async () => {
    const store = impl.make()
    await store.saveSnapshot('acme', 'prod', snapshot('expected', 'infra/a.tfstate', [resource('aws_vpc.main'), resource('aws_subnet.a')]))
    await store.saveSnapshot('acme', 'prod', snapshot('expected', 'infra/a.tfstate', [resource('aws_vpc.main'), resource('aws_subnet.b'), resource('aws_s3_bucket.logs')], '2026-11-22T11:00:00.000Z'))
    await store.saveSnapshot('acme', 'prod', snapshot('observed', 'aws', [resource('aws_vpc.main', { attributes: { id: 'live' } }), resource('aws_instance.rogue', { address: '' })]))
    await store.saveSnapshot('acme', 'stage', snapshot('expected', 'infra/s.tfstate', [resource('aws_vpc.stage', { provider: 'google' })]))
    await store.saveSnapshot('beta', 'prod', snapshot('expected', 'infra/b.tfstate', [resource('aws_vpc.beta')]))

    const expected = await store.latestSnapshots('acme', 'prod', 'expected')
    expect(expected).toHaveLength(1)
    expect(expected[0]).toMatchObject({ source: 'infra/a.tfstate', taken_at: '2026-11-22T11:00:00.000Z', serial: 7 })
    expect(expected[0].resources.map((r) => r.address)).toEqual(['aws_vpc.main', 'aws_subnet.b', 'aws_s3_bucket.logs'])
    expect((await store.latestSnapshots('acme')).map((s) => `${s.kind}:${s.source}`)).toEqual(['expected:infra/a.tfstate', 'observed:aws', 'expected:infra/s.tfstate'])

    const all = await store.listResources('acme', {})
    expect(all.total).toBe(4)
    expect(all.items.map((r) => r.address)).toEqual(['aws_s3_bucket.logs', 'aws_subnet.b', 'aws_vpc.main', 'aws_vpc.stage'])
    expect((await store.listResources('acme', { pipeline: 'prod', type: 'aws_vpc' })).items.map((r) => r.address)).toEqual(['aws_vpc.main'])
    expect((await store.listResources('acme', { provider: 'google' })).total).toBe(1)
    const paged = await store.listResources('acme', { page: 2, limit: 3 })
    expect(paged).toMatchObject({ total: 4, page: 2, limit: 3 })
    expect(paged.items.map((r) => r.address)).toEqual(['aws_vpc.stage'])
    expect((await store.listResources('acme', { kind: 'observed' })).total).toBe(2)
    expect((await store.getResource('acme', 'aws_vpc.main'))?.attributes).toEqual({ id: 'id-main', tags: { Name: 'main' } })
    expect(await store.getResource('acme', 'aws_subnet.a')).toBeUndefined()

    expect((await store.listResources('beta', {})).items.map((r) => r.address)).toEqual(['aws_vpc.beta'])
    expect(await store.getResource('beta', 'aws_vpc.main')).toBeUndefined()
    expect(await store.latestSnapshots('gamma')).toEqual([])
    await store.close()
  })

  it('stores change events idempotently by id, newest first, filtered', async () => {
    const store = impl.make()
    await store.saveChangeEvents('acme', [
      event('e1', { time: '2026-11-22T10:00:00.000Z' }),
      event('e2', { time: '2026-11-22T10:05:00.000Z', event_name: 'DeleteBucket', resource_id: 'logs' }),
      event('e3', { time: '2026-11-22T10:01:00.000Z' }),
    ])
    await store.saveChangeEvents('acme', [event('e1', { time: '2026-11-22T10:00:00.000Z', region: 'us-east-1' })])
    await store.saveChangeEvents('beta', [event('e9')])
    const page = await store.listChangeEvents('acme', {})
    expect(page.total).toBe(3)
    expect(page.items.map((e) => e.id)).toEqual(['e2', 'e3', 'e1'])
    expect((await store.getChangeEvent('acme', 'e1'))?.region).toBe('us-east-1')
    expect((await store.getChangeEvent('acme', 'e2'))?.parameters).toEqual(event('x').parameters)
    expect((await store.listChangeEvents('acme', { event_name: 'DeleteBucket' })).items.map((e) => e.id)).toEqual(['e2'])
    expect((await store.listChangeEvents('acme', { resource_id: 'sg-0a1b2c', limit: 1, page: 2 })).items.map((e) => e.id)).toEqual(['e1'])
    expect(await store.getChangeEvent('beta', 'e1')).toBeUndefined()
    expect((await store.listChangeEvents('beta', {})).items.map((e) => e.id)).toEqual(['e9'])
    await store.close()
  })

  it('filters drifts by every documented field, newest first, with totals', async () => {
    const store = impl.make()
    const sev: Severity[] = ['critical', 'high', 'medium', 'low', 'info']
    const drifts: Drift[] = Array.from({ length: 40 }, (_, i) => drift(`d${String(i).padStart(2, '0')}`, {
      severity: sev[i % 5],
      kind: (['missing', 'unmanaged', 'modified'] as const)[i % 3],
      type: i % 2 ? 'aws_instance' : 'aws_s3_bucket',
      provider: i % 4 === 0 ? 'google' : 'aws',
      detected_at: `2026-11-22T10:${String(i).padStart(2, '0')}:00.000Z`,
    }))
    await store.saveDrifts('acme', drifts)
    await store.saveDrifts('beta', [drift('b1', { severity: 'critical' })])
    const expectIds = async (query: Parameters<Store['listDrifts']>[1], predicate: (d: Drift) => boolean) => {
      const want = drifts.filter(predicate).map((d) => d.id).reverse()
      const got = await store.listDrifts('acme', { limit: 1000, ...query })
      expect(got.items.map((d) => d.id)).toEqual(want)
      expect(got.total).toBe(want.length)
    }
    await expectIds({}, () => true)
    await expectIds({ severity: 'medium' }, (d) => d.severity === 'medium')
    await expectIds({ severity_min: 'high' }, (d) => d.severity === 'critical' || d.severity === 'high')
    await expectIds({ kind: 'unmanaged' }, (d) => d.kind === 'unmanaged')
    await expectIds({ resource_type: 'aws_instance', provider: 'aws' }, (d) => d.type === 'aws_instance' && d.provider === 'aws')
    await expectIds({ provider: 'google', severity_min: 'critical' }, (d) => d.provider === 'google' && d.severity === 'critical')
    await expectIds({ address: 'aws_security_group.sg_d07' }, (d) => d.id === 'd07')
    await expectIds({ address: 'aws_security_group.sg_d07', kind: 'missing' }, () => false)
    await expectIds({ status: 'resolved' }, () => false)
    const page2 = await store.listDrifts('acme', { page: 2, limit: 15 })
    expect(page2).toMatchObject({ total: 40, page: 2, limit: 15 })
    expect(page2.items.map((d) => d.id)).toEqual(drifts.map((d) => d.id).reverse().slice(15, 30))
    expect((await store.getDrift('acme', 'd03'))).toEqual(drifts[3])
    expect((await store.listDrifts('beta', {})).items.map((d) => d.id)).toEqual(['b1'])
    expect(await store.getDrift('beta', 'd03')).toBeUndefined()
    expect((await store.listDrifts('acme', { severity: 'critical' })).items.some((d) => d.id === 'b1')).toBe(false)
    await store.close()
  })

  it('lists the address and severity of open drifts only, per tenant', async () => {
    const store = impl.make()
    await store.saveDrifts('acme', [
      drift('o1', { severity: 'critical', address: 'aws_instance.a' }),
      drift('o2', { severity: 'low', address: 'aws_instance.a' }),
      drift('o3', { severity: 'info', address: 'module.m.aws_s3_bucket.b["x"]' }),
      drift('gone', { status: 'resolved', address: 'aws_instance.c' }),
      drift('rogue', { kind: 'unmanaged', address: undefined }),
      drift('acked', { address: 'aws_instance.d' }),
    ])
    await store.setDriftStatus('acme', { drift_id: 'acked', status: 'acknowledged', changed_at: '2026-11-22T12:01:00.000Z', by: 'alice' })
    await store.saveDrifts('beta', [drift('b1', { address: 'aws_instance.other_tenant' })])
    const byAddress = (rows: Array<{ address: string; severity: Severity }>) => rows.map((r) => `${r.address} ${r.severity}`).sort()
    expect(byAddress(await store.openDriftAddresses('acme'))).toEqual(['aws_instance.a critical', 'aws_instance.a low', 'module.m.aws_s3_bucket.b["x"] info'])
    expect(byAddress(await store.openDriftAddresses('beta'))).toEqual(['aws_instance.other_tenant high'])
    expect(await store.openDriftAddresses('nobody')).toEqual([])
  })

  it('walks every drift with keyset cursors, matching page-number order', async () => {
    const store = impl.make()
    // Same detected_at for several drifts: the id breaks ties.
    const drifts = Array.from({ length: 23 }, (_, i) => drift(`k${String(i).padStart(2, '0')}`, { detected_at: `2026-11-22T10:0${i % 4}:00.000Z`, severity: i % 2 ? 'low' : 'high' }))
    await store.saveDrifts('acme', drifts)
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await store.listDrifts('acme', { limit: 5, cursor, severity_min: 'low' })
      expect(page.total).toBe(23)
      seen.push(...page.items.map((d) => d.id))
      cursor = page.next_cursor
      pages++
    } while (cursor && pages < 10)
    expect(pages).toBe(5)
    const byPage = await store.listDrifts('acme', { limit: 100 })
    expect(seen).toEqual(byPage.items.map((d) => d.id))
    expect(byPage.next_cursor).toBeUndefined()
    const high = await store.listDrifts('acme', { limit: 4, severity: 'high' })
    const next = await store.listDrifts('acme', { limit: 4, severity: 'high', cursor: high.next_cursor })
    expect([...high.items, ...next.items].map((d) => d.id)).toEqual(byPage.items.filter((d) => d.severity === 'high').slice(0, 8).map((d) => d.id))
    expect((await store.listDrifts('acme', { limit: 5, cursor: 'not-a-cursor' })).items).toHaveLength(5)
    await store.close()
  })

  it('updates drifts by id and records status changes in the history', async () => {
    const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveDrifts('acme', [drift('d1'), drift('d2', { severity: 'low' })])
    await store.saveDrifts('acme', [drift('d1', { severity: 'critical', changes: [] })])
    expect((await store.getDrift('acme', 'd1'))?.severity).toBe('critical')
    expect((await store.listDrifts('acme', { severity: 'critical' })).total).toBe(1)
    expect((await store.listDrifts('acme', { severity: 'high' })).total).toBe(0)
    // The first save is a detection, the second an update that changed the drift: both are history.
    expect((await store.driftHistory('acme', 'd1')).map((h) => [h.action, h.status, h.changed_at])).toEqual([
      ['detected', 'open', '2026-11-22T10:00:00.000Z'], ['updated', 'open', '2026-11-22T12:00:00.000Z']])

    const acked = await store.setDriftStatus('acme', { drift_id: 'd1', status: 'acknowledged', changed_at: '2026-11-22T12:01:00.000Z', by: 'alice', note: 'on it' })
    expect(acked?.status).toBe('acknowledged')
    expect((await store.getDrift('acme', 'd1'))?.status).toBe('acknowledged')
    expect((await store.listDrifts('acme', { status: 'acknowledged' })).items.map((d) => d.id)).toEqual(['d1'])
    expect((await store.listDrifts('acme', { status: 'open' })).items.map((d) => d.id)).toEqual(['d2'])
    await store.saveDrifts('acme', [drift('d1', { status: 'resolved' })])
    const history = (await store.driftHistory('acme', 'd1')).filter((h) => h.action === 'status')
    expect(history.map((h) => h.status)).toEqual(['acknowledged', 'resolved'])
    expect(history[0]).toEqual({ drift_id: 'd1', action: 'status', status: 'acknowledged', changed_at: '2026-11-22T12:01:00.000Z', by: 'alice', note: 'on it' })
    expect(history[1].changed_at).toBe('2026-11-22T12:00:00.000Z')

    expect(await store.setDriftStatus('acme', { drift_id: 'nope', status: 'resolved', changed_at: clock.isoNow() })).toBeUndefined()
    expect(await store.setDriftStatus('beta', { drift_id: 'd1', status: 'resolved', changed_at: clock.isoNow() })).toBeUndefined()
    expect(await store.driftHistory('beta', 'd1')).toEqual([])
    expect((await store.getDrift('acme', 'd1'))?.status).toBe('resolved')
    await store.close()
  })

  it('stores remediation plans and records decisions', async () => {
    const clock = manualClock(Date.parse('2026-11-22T13:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveRemediations('acme', [plan('p1'), plan('p2', { created_at: '2026-11-22T10:30:00.000Z' }), plan('p3', { status: 'applied' })])
    await store.saveRemediations('beta', [plan('p1', { summary: 'beta plan' })])
    const listed = await store.listRemediations('acme', {})
    expect(listed.total).toBe(3)
    expect(listed.items[0].id).toBe('p2')
    expect((await store.listRemediations('acme', { status: 'proposed' })).total).toBe(2)
    const decided = await store.decideRemediation('acme', 'p1', 'approved', 'bob')
    expect(decided).toMatchObject({ id: 'p1', status: 'approved', decided_by: 'bob', decided_at: '2026-11-22T13:00:00.000Z' })
    expect((await store.getRemediation('acme', 'p1'))?.status).toBe('approved')
    expect((await store.getRemediation('beta', 'p1'))).toMatchObject({ status: 'proposed', summary: 'beta plan' })
    expect((await store.listRemediations('acme', { status: 'proposed' })).items.map((p) => p.id)).toEqual(['p2'])
    expect(await store.decideRemediation('acme', 'missing', 'rejected', 'bob')).toBeUndefined()
    expect(await store.decideRemediation('gamma', 'p1', 'rejected', 'bob')).toBeUndefined()
    await store.close()
  })

  it('never lets a save undo a decision, and makes obsolete only the plans nobody decided', async () => {
    const clock = manualClock(Date.parse('2026-11-22T14:00:00.000Z'))
    const store = impl.make(clock)
    await store.saveRemediations('acme', [plan('p1'), plan('p2'), plan('p3')])
    await store.decideRemediation('acme', 'p1', 'approved', 'bob')
    // A proposal saved again (the pipeline's writer replaying a batch) leaves the decision alone.
    await store.saveRemediations('acme', [plan('p1')])
    expect((await store.getRemediation('acme', 'p1'))?.status).toBe('approved')

    const gone = await store.obsoleteRemediations('acme', [plan('p1'), plan('p2'), plan('p4')], 'tfdrift:drift-resolved')
    expect(gone.map((p) => p.id).sort()).toEqual(['p2', 'p4'])
    expect(gone.find((p) => p.id === 'p2')).toMatchObject({ status: 'obsolete', decided_by: 'tfdrift:drift-resolved', decided_at: '2026-11-22T14:00:00.000Z' })
    expect((await store.getRemediation('acme', 'p1'))?.status).toBe('approved')
    expect((await store.getRemediation('acme', 'p3'))?.status).toBe('proposed')
    // p4 was not saved yet (its proposal still on its way to the store): it is recorded obsolete, and the late proposal does not revive it.
    await store.saveRemediations('acme', [plan('p4')])
    expect((await store.getRemediation('acme', 'p4'))?.status).toBe('obsolete')
    expect((await store.listRemediations('acme', { status: 'obsolete' })).items.map((p) => p.id).sort()).toEqual(['p2', 'p4'])
    expect(await store.obsoleteRemediations('acme', [plan('p2')], 'again')).toEqual([])
    expect(await store.getRemediation('beta', 'p2')).toBeUndefined()
    await store.close()
  })

  it('keeps plugin state by tenant, scope and key; an undefined value deletes the key', async () => {
    const store = impl.make()
    await store.savePluginState('acme', 'drift:prod', [['drift:a', { id: 'a', n: 1 }], ['source:x', ['expected', 'x']]])
    await store.savePluginState('acme', 'other', [['drift:a', 'other scope']])
    await store.savePluginState('beta', 'drift:prod', [['drift:a', 'beta']])
    await store.savePluginState('acme', 'drift:prod', [['drift:a', { id: 'a', n: 2 }], ['source:x', undefined], ['never', undefined]])
    expect([...(await store.loadPluginState('acme', 'drift:prod')).entries()]).toEqual([['drift:a', { id: 'a', n: 2 }]])
    expect([...(await store.loadPluginState('acme', 'other')).entries()]).toEqual([['drift:a', 'other scope']])
    expect([...(await store.loadPluginState('beta', 'drift:prod')).entries()]).toEqual([['drift:a', 'beta']])
    expect((await store.loadPluginState('gamma', 'drift:prod')).size).toBe(0)
    // Values are copied in and out.
    const loaded = await store.loadPluginState('acme', 'drift:prod')
    ;(loaded.get('drift:a') as { n: number }).n = 99
    expect((await store.loadPluginState('acme', 'drift:prod')).get('drift:a')).toEqual({ id: 'a', n: 2 })
    await expect(store.savePluginState('', 'drift:prod', [['k', 1]])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await expect(store.savePluginState('acme', '', [['k', 1]])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await store.close()
  })

  it('rejects incomplete records with a coded error, saves nothing of that call, and keeps working', async () => {
    const store = impl.make()
    const bad = { ...drift('x2'), detected_at: undefined } as unknown as Drift
    await expect(store.saveDrifts('acme', [drift('x1'), bad])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await expect(store.saveDrifts('', [drift('x1')])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await expect(store.saveChangeEvents('acme', [{ id: 'e' } as never])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await expect(store.saveRemediations('acme', [null as never])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    await expect(store.saveSnapshot('acme', 'p', { kind: 'expected', source: 's', taken_at: 't' } as never)).rejects.toMatchObject({ code: 'TFD_ERR_STORE_RECORD' })
    expect((await store.listDrifts('acme', {})).total).toBe(0)
    await store.saveDrifts('acme', [drift('x1')])
    expect((await store.listDrifts('acme', {})).total).toBe(1)
    const clamp = await store.listDrifts('acme', { page: -3, limit: 1e9 })
    expect(clamp).toMatchObject({ page: 1, limit: 1000 })
    await store.close()
    await expect(store.listDrifts('acme', {})).rejects.toMatchObject({ code: 'TFD_ERR_STORE_CLOSED' })
    await expect(store.saveDrifts('acme', [drift('x3')])).rejects.toMatchObject({ code: 'TFD_ERR_STORE_CLOSED' })
  })
})
