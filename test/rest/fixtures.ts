/**
 * Seed data for the REST tests: two tenants with overlapping shapes. Every id, address and name of
 * tenant `globex` contains "globex", so a response to `acme` that mentions it is a tenant leak.
 */
import type { ChangeEvent, Drift, RemediationPlan, ResourceInstance, Snapshot } from '../../engine/model.ts'
import type { Store } from '../../engine/store/store.ts'

const T0 = '2026-11-22T10:00:00.000Z'

function res(address: string, partial: Partial<ResourceInstance> & Pick<ResourceInstance, 'type' | 'name'>): ResourceInstance {
  return { address, mode: 'managed', provider: 'aws', attributes: { id: `id-${address}` }, resource_id: `id-${address}`, ...partial }
}

/** acme: vpc ← subnets[0,1] ← instance ← module db; one sensitive attribute; a google bucket referencing the vpc. */
export const acmeResources: ResourceInstance[] = [
  res('aws_vpc.main', { type: 'aws_vpc', name: 'main', attributes: { id: 'vpc-1', cidr_block: '10.0.0.0/16' } }),
  res('aws_subnet.a[0]', { type: 'aws_subnet', name: 'a', index_key: 0, dependencies: ['aws_vpc.main'] }),
  res('aws_subnet.a[1]', { type: 'aws_subnet', name: 'a', index_key: 1, dependencies: ['aws_vpc.main'] }),
  res('aws_instance.web', { type: 'aws_instance', name: 'web', dependencies: ['aws_subnet.a'] }),
  res('module.db.aws_db_instance.this', {
    type: 'aws_db_instance', name: 'this', module: 'module.db', dependencies: ['aws_instance.web', 'aws_subnet.a'],
    attributes: { id: 'db-1', password: 'hunter2-secret', engine: 'postgres' }, sensitive_paths: [['password']],
  }),
  res('aws_iam_policy.p["team/a"]', { type: 'aws_iam_policy', name: 'p', index_key: 'team/a' }),
  // References the VPC by value only (no state dependency): an inferred `reference` edge.
  res('google_storage_bucket.assets', { type: 'google_storage_bucket', name: 'assets', provider: 'google', attributes: { id: 'assets', network: 'id-aws_vpc.main' } }),
]

export const globexResources: ResourceInstance[] = [
  res('aws_vpc.main', { type: 'aws_vpc', name: 'main', attributes: { id: 'vpc-globex' }, resource_id: 'vpc-globex' }),
  res('aws_s3_bucket.globex_logs', { type: 'aws_s3_bucket', name: 'globex_logs', dependencies: ['aws_vpc.main'] }),
]

function snapshot(resources: ResourceInstance[], source: string, kind: Snapshot['kind'] = 'expected'): Snapshot {
  return { kind, source, taken_at: T0, serial: 7, lineage: 'lin-1', terraform_version: '1.9.5', resources }
}

function drift(id: string, partial: Partial<Drift>): Drift {
  return { id, kind: 'modified', type: 'aws_instance', provider: 'aws', severity: 'medium', detected_at: T0, status: 'open', ...partial }
}

export const acmeDrifts: Drift[] = [
  drift('d-web', {
    address: 'aws_instance.web', severity: 'high',
    changes: [
      { path: 'instance_type', expected: 't3.micro', actual: 't3.large', sensitive: false },
      { path: 'user_data', expected: 'secret-expected', actual: 'secret-actual', sensitive: true },
    ],
    actor: { user: 'alice', event_name: 'ModifyInstanceAttribute' },
  }),
  drift('d-subnet', { kind: 'missing', address: 'aws_subnet.a[1]', type: 'aws_subnet', severity: 'critical' }),
  drift('d-sg', { kind: 'unmanaged', type: 'aws_security_group', resource_id: 'sg-123', severity: 'low' }),
  drift('d-gcs', { address: 'google_storage_bucket.assets', type: 'google_storage_bucket', provider: 'google', severity: 'info', status: 'resolved' }),
]

export const globexDrifts: Drift[] = [
  drift('globex-d1', { address: 'aws_s3_bucket.globex_logs', type: 'aws_s3_bucket', severity: 'critical' }),
]

function event(id: string, partial: Partial<ChangeEvent> = {}): ChangeEvent {
  return { id, source: 'cloudtrail', time: T0, event_name: 'ModifyInstanceAttribute', resource_id: 'id-aws_instance.web', actor: { user: 'alice' }, ...partial }
}

export const acmeEvents: ChangeEvent[] = [event('e-1'), event('e-2', { event_name: 'DeleteSubnet', resource_id: 'id-aws_subnet.a[1]' })]
export const globexEvents: ChangeEvent[] = [event('globex-e1', { resource_id: 'globex-bucket' })]

function plan(id: string, driftId: string, partial: Partial<RemediationPlan> = {}): RemediationPlan {
  return { id, drift_id: driftId, strategy: 'revert', content: 'terraform apply -target=x', summary: `Revert ${driftId}`, status: 'proposed', created_at: T0, ...partial }
}

export const acmePlans: RemediationPlan[] = [plan('r-web', 'd-web'), plan('r-subnet', 'd-subnet', { strategy: 'removed' }), plan('r-done', 'd-gcs', { status: 'applied' })]
export const globexPlans: RemediationPlan[] = [plan('globex-r1', 'globex-d1')]

/** Writes both tenants' data into a store. */
export async function seed(store: Store): Promise<void> {
  await store.saveSnapshot('acme', 'prod', snapshot(acmeResources, 'infra/acme.tfstate'))
  await store.saveSnapshot('acme', 'prod', snapshot(acmeResources.slice(0, 2), 'aws://observed', 'observed'))
  await store.saveSnapshot('globex', 'prod', snapshot(globexResources, 'infra/globex.tfstate'))
  await store.saveChangeEvents('acme', acmeEvents)
  await store.saveChangeEvents('globex', globexEvents)
  await store.saveDrifts('acme', acmeDrifts)
  await store.saveDrifts('globex', globexDrifts)
  await store.setDriftStatus('acme', { drift_id: 'd-gcs', status: 'acknowledged', changed_at: '2026-11-22T10:05:00.000Z', by: 'bob' })
  await store.setDriftStatus('acme', { drift_id: 'd-gcs', status: 'resolved', changed_at: '2026-11-22T10:10:00.000Z', by: 'bob', note: 'fixed in PR 42' })
  await store.saveRemediations('acme', acmePlans)
  await store.saveRemediations('globex', globexPlans)
  await store.flush()
}
