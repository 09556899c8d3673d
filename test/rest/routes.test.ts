/**
 * Happy paths of every REST route over a real HTTP listener: data, pagination totals, filters, masking —
 * once over the memory store and once over a SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { seed, acmeResources } from './fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness, type StoreKind } from './harness.ts'
import type { Store } from '../../engine/store/store.ts'

const read = TOKENS.acmeRead

describe.each<StoreKind>(['memory', 'sqlite'])('REST routes over the %s store', (kind) => {
  let h: Harness
  let dispose: () => Promise<void>
  let store: Store
  beforeAll(async () => {
    const made = makeStore(kind)
    dispose = made.dispose
    store = made.store
    await seed(made.store)
    h = await startRest(made.store, new MemoryBus(), { stats: () => ({ pipelines: 1, connections: 3 }) })
  })
  afterAll(async () => { await h.close(); await dispose() })


  describe('graph', () => {
    it('GET /api/v1/graph returns Cytoscape elements with dependency edges and drift annotations', async () => {
      const { status, body } = await h.call('/api/v1/graph', read)
      expect(status).toBe(200)
      expect(body.success).toBe(true)
      const { elements, node_count, edge_count } = body.data
      expect(node_count).toBe(acmeResources.length)
      expect(elements.nodes).toHaveLength(node_count)
      expect(elements.edges).toHaveLength(edge_count)
      const ids = elements.nodes.map((n: any) => n.data.id)
      expect(ids).toContain('module.db.aws_db_instance.this')
      // aws_instance.web depends on resource aws_subnet.a → one edge per instance of it.
      const fromWeb = elements.edges.filter((e: any) => e.data.source === 'aws_instance.web').map((e: any) => e.data.target).sort()
      expect(fromWeb).toEqual(['aws_subnet.a[0]', 'aws_subnet.a[1]'])
      const web = elements.nodes.find((n: any) => n.data.id === 'aws_instance.web').data
      expect(web).toMatchObject({ type: 'aws_instance', provider: 'aws', drift_severity: 'high', drift_count: 1 })
      const subnet1 = elements.nodes.find((n: any) => n.data.id === 'aws_subnet.a[1]').data
      expect(subnet1.drift_severity).toBe('critical')
      // The resolved drift on the GCS bucket is not an open drift.
      expect(elements.nodes.find((n: any) => n.data.id === 'google_storage_bucket.assets').data.drift_severity).toBeUndefined()
    })

    it('GET /graph/nodes paginates with totals and filters by provider', async () => {
      const p1 = await h.call('/api/v1/graph/nodes?limit=3&page=1', read)
      const p3 = await h.call('/api/v1/graph/nodes?limit=3&page=3', read)
      expect(p1.body.data).toMatchObject({ total: acmeResources.length, page: 1, limit: 3 })
      expect(p1.body.data.items).toHaveLength(3)
      expect(p3.body.data.items).toHaveLength(acmeResources.length - 6)
      const google = await h.call('/api/v1/graph/nodes?provider=google', read)
      expect(google.body.data.items.map((n: any) => n.id)).toEqual(['google_storage_bucket.assets'])
      expect(google.body.data.total).toBe(1)
    })

    it('GET /graph/edges paginates', async () => {
      const all = await h.call('/api/v1/graph/edges?limit=1000', read)
      expect(all.body.data.total).toBe(all.body.data.items.length)
      // subnets[0,1]→vpc, web→subnets[0,1], db→web, db→subnets[0,1] from state; bucket→vpc inferred
      expect(all.body.data.total).toBe(8)
      const inferred = all.body.data.items.find((e: any) => e.source === 'google_storage_bucket.assets')
      expect(inferred).toMatchObject({ target: 'aws_vpc.main', kind: 'reference', via: ['network'] })
      expect(all.body.data.items.filter((e: any) => e.kind === 'depends_on')).toHaveLength(7)
      const page2 = await h.call('/api/v1/graph/edges?limit=2&page=2', read)
      expect(page2.body.data.items).toEqual(all.body.data.items.slice(2, 4))
    })

    it('GET /graph/impact/:address lists transitive dependents nearest first', async () => {
      const { status, body } = await h.call(`/api/v1/graph/impact/${encodeURIComponent('aws_vpc.main')}`, read)
      expect(status).toBe(200)
      expect(body.data.address).toBe('aws_vpc.main')
      const byAddress = Object.fromEntries(body.data.items.map((e: any) => [e.address, e.depth]))
      expect(byAddress).toEqual({ 'aws_subnet.a[0]': 1, 'aws_subnet.a[1]': 1, 'google_storage_bucket.assets': 1, 'aws_instance.web': 2, 'module.db.aws_db_instance.this': 2 })
      const depths = body.data.items.map((e: any) => e.depth)
      expect(depths).toEqual([...depths].sort())
      const shallow = await h.call(`/api/v1/graph/impact/aws_vpc.main?max_depth=1`, read)
      expect(shallow.body.data.total).toBe(3)
    })
  })

  describe('state', () => {
    it('GET /api/v1/state summarises snapshots and counts', async () => {
      const { body } = await h.call('/api/v1/state', read)
      expect(body.data.resource_count).toBe(acmeResources.length)
      expect(body.data.by_provider).toEqual({ aws: 6, google: 1 })
      expect(body.data.by_type.aws_subnet).toBe(2)
      const kinds = body.data.snapshots.map((s: any) => `${s.kind}:${s.resource_count}`).sort()
      expect(kinds).toEqual(['expected:7', 'observed:2'])
      expect(body.data.snapshots[0]).toMatchObject({ serial: 7, lineage: 'lin-1', terraform_version: '1.9.5' })
      expect(body.data.snapshots[0].resources).toBeUndefined()
    })

    it('GET /state/resources filters by type and provider and paginates', async () => {
      const subnets = await h.call('/api/v1/state/resources?type=aws_subnet', read)
      expect(subnets.body.data.total).toBe(2)
      expect(subnets.body.data.items.map((r: any) => r.address).sort()).toEqual(['aws_subnet.a[0]', 'aws_subnet.a[1]'])
      const google = await h.call('/api/v1/state/resources?provider=google', read)
      expect(google.body.data.items.map((r: any) => r.address)).toEqual(['google_storage_bucket.assets'])
      const paged = await h.call('/api/v1/state/resources?limit=5&page=2', read)
      expect(paged.body.data).toMatchObject({ total: 7, page: 2, limit: 5 })
      expect(paged.body.data.items).toHaveLength(2)
      const defaults = await h.call('/api/v1/state/resources', read)
      expect(defaults.body.data).toMatchObject({ page: 1, limit: 50 })
    })

    it('GET /state/resources?kind=observed lists the live side', async () => {
      const observed = await h.call('/api/v1/state/resources?kind=observed', read)
      expect(observed.body.data.items.map((r: any) => r.address).sort()).toEqual(['aws_subnet.a[0]', 'aws_vpc.main'])
      const bad = await h.call('/api/v1/state/resources?kind=live', read)
      expect(bad.status).toBe(400)
    })

    it('GET /state/resources/:address finds URL-encoded addresses and masks sensitive attributes', async () => {
      const db = await h.call(`/api/v1/state/resources/${encodeURIComponent('module.db.aws_db_instance.this')}`, read)
      expect(db.status).toBe(200)
      expect(db.body.data.attributes).toEqual({ id: 'db-1', password: '(sensitive)', engine: 'postgres' })
      expect(db.text).not.toContain('hunter2')
      const listed = await h.call('/api/v1/state/resources?type=aws_db_instance', read)
      expect(listed.text).not.toContain('hunter2')
      const slash = await h.call(`/api/v1/state/resources/${encodeURIComponent('aws_iam_policy.p["team/a"]')}`, read)
      expect(slash.status).toBe(200)
      expect(slash.body.data.index_key).toBe('team/a')
    })
  })

  describe('events', () => {
    it('GET /api/v1/events lists and filters; /events/:id returns one', async () => {
      const all = await h.call('/api/v1/events', read)
      expect(all.body.data.total).toBe(2)
      const deletes = await h.call('/api/v1/events?event_name=DeleteSubnet', read)
      expect(deletes.body.data.items.map((e: any) => e.id)).toEqual(['e-2'])
      const one = await h.call('/api/v1/events/e-1', read)
      expect(one.body.data).toMatchObject({ id: 'e-1', source: 'cloudtrail', actor: { user: 'alice' } })
    })
  })

  describe('drifts', () => {
    it('filters by severity, severity_min, kind, resource_type, provider and status', async () => {
      const ids = async (q: string) => (await h.call(`/api/v1/drifts${q}`, read)).body.data.items.map((d: any) => d.id).sort()
      expect(await ids('')).toEqual(['d-gcs', 'd-sg', 'd-subnet', 'd-web'])
      expect(await ids('?severity=high')).toEqual(['d-web'])
      expect(await ids('?severity_min=high')).toEqual(['d-subnet', 'd-web'])
      expect(await ids('?kind=unmanaged')).toEqual(['d-sg'])
      expect(await ids('?resource_type=aws_subnet')).toEqual(['d-subnet'])
      expect(await ids('?provider=google')).toEqual(['d-gcs'])
      expect(await ids('?status=resolved')).toEqual(['d-gcs'])
      expect(await ids('?status=open&severity_min=medium&provider=aws')).toEqual(['d-subnet', 'd-web'])
      const paged = await h.call('/api/v1/drifts?limit=3&page=2', read)
      expect(paged.body.data).toMatchObject({ total: 4, page: 2, limit: 3 })
      expect(paged.body.data.items).toHaveLength(1)
    })

    it('keyset pagination: next_cursor walks every drift once', async () => {
      const first = await h.call('/api/v1/drifts?limit=3', read)
      expect(first.body.data.items).toHaveLength(3)
      expect(typeof first.body.data.next_cursor).toBe('string')
      const second = await h.call(`/api/v1/drifts?limit=3&cursor=${encodeURIComponent(first.body.data.next_cursor)}`, read)
      expect(second.body.data.next_cursor).toBeUndefined()
      const ids = [...first.body.data.items, ...second.body.data.items].map((d: any) => d.id).sort()
      expect(ids).toEqual(['d-gcs', 'd-sg', 'd-subnet', 'd-web'])
    })

    it('masks sensitive change values in lists and by id', async () => {
      const list = await h.call('/api/v1/drifts?severity=high', read)
      expect(list.text).not.toContain('secret-expected')
      expect(list.text).not.toContain('secret-actual')
      const change = list.body.data.items[0].changes.find((c: any) => c.path === 'user_data')
      expect(change).toEqual({ path: 'user_data', expected: '(sensitive)', actual: '(sensitive)', sensitive: true })
      expect(list.body.data.items[0].changes[0]).toEqual({ path: 'instance_type', expected: 't3.micro', actual: 't3.large', sensitive: false })
    })

    it('GET /drifts/:id includes the status history', async () => {
      const { body } = await h.call('/api/v1/drifts/d-gcs', read)
      expect(body.data).toMatchObject({ id: 'd-gcs', status: 'resolved' })
      expect(body.data.history.map((c: any) => [c.action, c.status])).toEqual([['detected', 'resolved'], ['status', 'acknowledged'], ['status', 'resolved']])
      expect(body.data.history[2]).toMatchObject({ by: 'bob', note: 'fixed in PR 42' })
      const detectedOnly = await h.call('/api/v1/drifts/d-web', read)
      expect(detectedOnly.body.data.history.map((c: any) => c.action)).toEqual(['detected'])
    })
  })

  describe('stats', () => {
    it('counts drifts by kind, severity and status and computes coverage', async () => {
      const { body } = await h.call('/api/v1/stats', read)
      const d = body.data.drifts
      expect(d.total).toBe(4)
      expect(d.by_kind).toEqual({ missing: 1, unmanaged: 1, modified: 2 })
      expect(d.by_severity).toEqual({ critical: 1, high: 1, medium: 0, low: 1, info: 1 })
      expect(d.by_status).toEqual({ open: 3, acknowledged: 0, snoozed: 0, remediated: 0, resolved: 1 })
      // 7 managed in state, 1 missing (open), 1 unmanaged (open) → managed 6 / (6 + 1 + 1) = 75 %.
      expect(body.data.coverage).toEqual({ managed: 6, unmanaged: 1, missing: 1, modified: 1, percent: 75 })
      expect(body.data.resources).toBe(7)
      expect(body.data.events).toBe(2)
      expect(body.data.remediations).toEqual({ total: 3, by_status: { proposed: 2, approved: 0, rejected: 0, applied: 1, failed: 0, obsolete: 0 } })
      expect(body.data.runtime).toEqual({ pipelines: 1, connections: 3 })
    })
  })

  describe('remediations (read)', () => {
    it('lists with a status filter and returns one by id', async () => {
      const proposed = await h.call('/api/v1/remediations?status=proposed', read)
      expect(proposed.body.data.items.map((p: any) => p.id).sort()).toEqual(['r-subnet', 'r-web'])
      const one = await h.call('/api/v1/remediations/r-done', read)
      expect(one.body.data).toMatchObject({ id: 'r-done', status: 'applied', drift_id: 'd-gcs' })
    })

    it('filters obsolete plans, which can no longer be approved (409)', async () => {
      const [plan] = (await store.listRemediations('acme', { status: 'proposed', limit: 1 })).items
      await store.obsoleteRemediations('acme', [plan!], 'tfdrift:drift-resolved')
      const obsolete = await h.call('/api/v1/remediations?status=obsolete', read)
      expect(obsolete.body.data.items).toEqual([expect.objectContaining({ id: plan!.id, status: 'obsolete', decided_by: 'tfdrift:drift-resolved' })])
      const late = await h.call(`/api/v1/remediations/${plan!.id}/approve`, TOKENS.acmeAdmin, { method: 'POST' })
      expect(late.status).toBe(409)
      expect(late.body.error.message).toMatch(/already obsolete \(by tfdrift:drift-resolved\)/)
    })
  })
})
