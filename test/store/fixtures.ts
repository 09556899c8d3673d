/** Small builders for store tests: realistic-shaped drifts, events, plans and snapshots. */
import type { ChangeEvent, Drift, RemediationPlan, ResourceInstance, Severity, Snapshot } from '../../engine/model.ts'

export function drift(id: string, overrides: Partial<Drift> = {}): Drift {
  return {
    id,
    kind: 'modified',
    address: `aws_security_group.sg_${id}`,
    type: 'aws_security_group',
    provider: 'aws',
    resource_id: `sg-${id}`,
    changes: [{ path: 'ingress.0.cidr_blocks.0', expected: '10.0.0.0/8', actual: '0.0.0.0/0', sensitive: false }],
    severity: 'high' as Severity,
    actor: { user: 'alice', arn: 'arn:aws:iam::123456789012:user/alice', event_name: 'AuthorizeSecurityGroupIngress' },
    detected_at: '2026-11-22T10:00:00.000Z',
    status: 'open',
    ...overrides,
  }
}

export function event(id: string, overrides: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    id,
    source: 'cloudtrail',
    time: '2026-11-22T10:00:00.000Z',
    event_name: 'AuthorizeSecurityGroupIngress',
    event_source: 'ec2.amazonaws.com',
    resource_type: 'aws_security_group',
    resource_id: 'sg-0a1b2c',
    region: 'eu-west-1',
    actor: { user: 'alice', source_ip: '203.0.113.7' },
    parameters: { groupId: 'sg-0a1b2c', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22 }] } },
    ...overrides,
  }
}

export function plan(id: string, overrides: Partial<RemediationPlan> = {}): RemediationPlan {
  return {
    id,
    drift_id: `d-${id}`,
    strategy: 'import',
    content: `import {\n  to = aws_instance.web\n  id = "i-${id}"\n}`,
    summary: 'Import the unmanaged instance',
    status: 'proposed',
    created_at: '2026-11-22T10:00:00.000Z',
    ...overrides,
  }
}

export function resource(address: string, overrides: Partial<ResourceInstance> = {}): ResourceInstance {
  const [type, name] = address.split('.').slice(-2)
  return { address, mode: 'managed', type, name, provider: 'aws', resource_id: `id-${name}`, attributes: { id: `id-${name}`, tags: { Name: name } }, ...overrides }
}

export function snapshot(kind: Snapshot['kind'], source: string, resources: ResourceInstance[], taken_at = '2026-11-22T10:00:00.000Z'): Snapshot {
  return { kind, source, taken_at, serial: 7, lineage: 'b3f0c7e2-1d2a-4c55-9e59-8b1f6f1c2d3e', resources }
}
