/** Snapshot matching, drift kinds, coverage, ids, ignore/severity/masking wiring on hand-built snapshots. */
import { describe, expect, it } from 'vitest'
import { diffSnapshots } from '../../engine/drift/compare.ts'
import { MASK } from '../../engine/drift/mask.ts'
import type { ResourceInstance, Snapshot } from '../../engine/model.ts'

const NOW = '2026-11-22T10:00:00.000Z'

function inst(address: string, attributes: Record<string, unknown>, extra: Partial<ResourceInstance> = {}): ResourceInstance {
  const m = /^(?:(.*)\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[.*\])?$/.exec(address)
  const type = extra.type ?? m?.[2] ?? 'x'
  return { address, mode: 'managed', type, name: m?.[3] ?? 'n', provider: type.split('_')[0]!, resource_id: attributes.id as string | undefined, attributes, ...extra }
}
const snap = (kind: Snapshot['kind'], resources: ResourceInstance[], extra: Partial<Snapshot> = {}): Snapshot =>
  ({ kind, source: `${kind}.tfstate`, taken_at: NOW, resources, ...extra })

describe('diffSnapshots', () => {
  it('reports missing, unmanaged and modified with coverage as driftctl defines it', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a', ami: 'x' }), inst('aws_instance.b', { id: 'i-b' }), inst('aws_s3_bucket.c', { id: 'c' })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-a', ami: 'y' }), inst('aws_s3_bucket.c', { id: 'c' }), inst('', { id: 'i-z' }, { type: 'aws_instance' })])
    const { drifts, coverage } = diffSnapshots([e], [o], { now: NOW })
    expect(drifts.map((d) => [d.kind, d.address ?? d.resource_id]).sort()).toEqual([['missing', 'aws_instance.b'], ['modified', 'aws_instance.a'], ['unmanaged', 'i-z']])
    expect(coverage).toEqual({ managed: 2, unmanaged: 1, missing: 1, modified: 1, percent: 50 })
    const mod = drifts.find((d) => d.kind === 'modified')!
    expect(mod).toMatchObject({ type: 'aws_instance', provider: 'aws', resource_id: 'i-a', status: 'open', detected_at: NOW, state_source: 'expected.tfstate' })
    expect(mod.changes).toEqual([{ path: 'ami', expected: 'x', actual: 'y', sensitive: false }])
  })

  it('never matches by a bare id: two types sharing an id do not collide', () => {
    const e = snap('expected', [inst('aws_s3_bucket.logs', { id: 'shared' }), inst('aws_s3_bucket_policy.logs', { id: 'shared', policy: '{}' })])
    const o = snap('observed', [inst('', { id: 'shared', policy: '{}' }, { type: 'aws_s3_bucket_policy' })])
    const { drifts } = diffSnapshots([e], [o])
    expect(drifts.map((d) => `${d.kind} ${d.address}`)).toEqual(['missing aws_s3_bucket.logs'])
  })

  it('falls back to (type, id) for moved instances and keeps module/index addresses intact', () => {
    const e = snap('expected', [inst('module.net["eu"].aws_subnet.s[0]', { id: 'subnet-1', cidr_block: '10.0.0.0/24' }, { module: 'module.net["eu"]', index_key: 0 })])
    const o = snap('observed', [inst('module.network["eu"].aws_subnet.s[0]', { id: 'subnet-1', cidr_block: '10.0.1.0/24' }, { type: 'aws_subnet' })])
    const { drifts } = diffSnapshots([e], [o])
    expect(drifts).toHaveLength(1)
    expect(drifts[0]).toMatchObject({ kind: 'modified', address: 'module.net["eu"].aws_subnet.s[0]', module: 'module.net["eu"]' })
  })

  it('skips data sources and deposed objects', () => {
    const e = snap('expected', [inst('data.aws_ami.x', { id: 'ami-1' }, { mode: 'data', type: 'aws_ami' }), inst('aws_instance.a', { id: 'i-old' }, { deposed: 'abcd' }), inst('aws_instance.a', { id: 'i-new' })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-new' })])
    expect(diffSnapshots([e], [o]).drifts).toEqual([])
  })

  it('reports missing/unmanaged only for covered types', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a' }), inst('aws_iam_role.r', { id: 'r' })])
    const o = snap('observed', [inst('', { id: 'sg-9' }, { type: 'aws_security_group' }), inst('', { id: 'i-x' }, { type: 'aws_instance' })], { covered_types: ['aws_instance'] })
    const kinds = diffSnapshots([e], [o]).drifts.map((d) => `${d.kind} ${d.type}`).sort()
    expect(kinds).toEqual(['missing aws_instance', 'unmanaged aws_instance'])
  })

  it('gives stable ids: the same drift detected twice has the same id, different drifts differ', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a', ami: 'x' }), inst('aws_instance.b', { id: 'i-b' })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-a', ami: 'y' })])
    const first = diffSnapshots([e], [o]).drifts.map((d) => d.id)
    const again = diffSnapshots([e], [o], { now: '2030-01-01T00:00:00Z' }).drifts.map((d) => d.id)
    expect(again).toEqual(first)
    expect(new Set(first).size).toBe(2)
    expect(first.every((id) => /^drift_[0-9a-f]{16}$/.test(id))).toBe(true)
  })

  it('several states may share an address: the cloud id picks the partner', () => {
    const e1 = snap('expected', [inst('aws_instance.web', { id: 'i-1', ami: 'a' })], { source: 'prod.tfstate' })
    const e2 = snap('expected', [inst('aws_instance.web', { id: 'i-2', ami: 'b' })], { source: 'stage.tfstate' })
    const o = snap('observed', [inst('aws_instance.web', { id: 'i-2', ami: 'b' }), inst('aws_instance.web', { id: 'i-1', ami: 'a' })])
    expect(diffSnapshots([e1, e2], [o]).drifts).toEqual([])
  })

  it('masks sensitive values from state paths and secret-looking names', () => {
    const e = snap('expected', [inst('aws_db_instance.db', { id: 'db', password: 'hunter2', conn: { host: 'a' } }, { sensitive_paths: [['conn']] })])
    const o = snap('observed', [inst('aws_db_instance.db', { id: 'db', password: 'hunter3', conn: { host: 'b' } })])
    const changes = diffSnapshots([e], [o]).drifts[0]!.changes!
    expect(changes).toEqual([
      { path: 'conn.host', expected: MASK, actual: MASK, sensitive: true },
      { path: 'password', expected: MASK, actual: MASK, sensitive: true },
    ])
    expect(JSON.stringify(changes)).not.toMatch(/hunter/)
  })

  it('never compares values the plan marks unknown', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a', public_ip: '1.2.3.4' })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-a', public_ip: null }, { unknown_paths: [['public_ip']] })])
    expect(diffSnapshots([e], [o]).drifts).toEqual([])
  })

  it('applies ignore rules and min severity', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a', tags: { LastScanned: '1', Name: 'a' } }), inst('aws_s3_bucket.b', { id: 'b' })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-a', tags: { LastScanned: '2', Name: 'a' } })])
    const ignored = diffSnapshots([e], [o], { ignore: ['aws_instance.*.tags.LastScanned', 'aws_s3_bucket.*'] })
    expect(ignored.drifts).toEqual([])
    expect(ignored.coverage).toMatchObject({ managed: 1, missing: 0 })
    const filtered = diffSnapshots([e], [o], { minSeverity: 'high' })
    expect(filtered.drifts.map((d) => d.kind)).toEqual(['missing'])
  })

  it('rates with user rules first', () => {
    const e = snap('expected', [inst('aws_instance.a', { id: 'i-a', tags: { Name: 'a' } })])
    const o = snap('observed', [inst('aws_instance.a', { id: 'i-a', tags: { Name: 'b' } })])
    expect(diffSnapshots([e], [o]).drifts[0]!.severity).toBe('low')
    expect(diffSnapshots([e], [o], { severity: [{ type: 'aws_instance', attribute: 'tags.Name', severity: 'critical' }] }).drifts[0]!.severity).toBe('critical')
  })
})
