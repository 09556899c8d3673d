import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildGraph } from '../../engine/graph/index.ts'
import { parseState } from '../../engine/terraform/state.ts'
import type { ResourceInstance, Snapshot } from '../../engine/model.ts'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { expectedDependsOn, moduleSteps } from './terraform-rule.ts'

const dir = requireCorpus()

function r(address: string, attributes: Record<string, unknown>, extra: Partial<ResourceInstance> = {}): ResourceInstance {
  const m = /^(?:(.*)\.)?((?:data\.)?)([a-z0-9_]+)\.([a-z0-9_-]+)(\[.*\])?$/.exec(address)!
  const key = m[5] ? JSON.parse(m[5].slice(1, -1)) as string | number : undefined
  return {
    address, mode: m[2] ? 'data' : 'managed', type: m[3]!, name: m[4]!, provider: 'aws', attributes,
    ...(m[1] ? { module: m[1] } : {}), ...(key !== undefined ? { index_key: key } : {}),
    ...(typeof attributes.id === 'string' ? { resource_id: attributes.id } : {}),
    ...(typeof attributes.arn === 'string' ? { arn: attributes.arn } : {}),
    ...extra,
  }
}
const snap = (source: string, resources: ResourceInstance[]): Snapshot => ({ kind: 'expected', source, taken_at: '2026-01-01T00:00:00.000Z', resources })

const network = snap('network.tfstate', [
  r('aws_vpc.main', { id: 'vpc-0a1', arn: 'arn:aws:ec2:eu-west-1:111:vpc/vpc-0a1', cidr_block: '10.0.0.0/16' }),
  r('aws_subnet.private[0]', { id: 'subnet-0a', vpc_id: 'vpc-0a1' }, { dependencies: ['aws_vpc.main'] }),
  r('aws_subnet.private[1]', { id: 'subnet-0b', vpc_id: 'vpc-0a1' }, { dependencies: ['aws_vpc.main'] }),
  r('aws_security_group.web', { id: 'sg-0123', vpc_id: 'vpc-0a1', ingress: [{ from_port: 443, cidr_blocks: ['0.0.0.0/0'] }] }),
  r('data.aws_caller_identity.current', { id: '111122223333', account_id: '111122223333' }),
])
const app = snap('app.tfstate', [
  r('module.web["eu"].aws_instance.web[0]', { id: 'i-0aa', subnet_id: 'subnet-0a', vpc_security_group_ids: ['sg-0123'], iam_instance_profile: 'web-profile', owner_id: '111122223333' }),
  r('aws_iam_role.web', { id: 'web-role', arn: 'arn:aws:iam::111:role/web-role', name: 'web-role' }),
  r('aws_iam_instance_profile.web', { id: 'web-profile', role: 'web-role', arn: 'arn:aws:iam::111:instance-profile/web-profile', name: 'web-profile' }),
  r('aws_s3_bucket.logs', { id: 'logs-bucket-1', arn: 'arn:aws:s3:::logs-bucket-1' }),
  r('aws_iam_role_policy.web', { id: 'web-role:logs', role: 'web-role', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::logs-bucket-1/*' }] }) }),
  r('aws_lambda_function.f', { id: 'f', role: 'arn:aws:iam::111:role/web-role', timeout: 3, publish: 'true' }),
  r('aws_instance.web', { id: 'i-dup' }, { dependencies: ['module.web.aws_instance.web'] }),
])

describe('buildGraph', () => {
  const g = buildGraph([network, app])
  const edge = (from: string, to: string) => g.edges.find((e) => e.source === from && e.target === to)

  it('keys nodes by address, (type, id) and ARN', () => {
    expect(g.node('aws_vpc.main')).toMatchObject({ type: 'aws_vpc', resource_id: 'vpc-0a1', source: 'network.tfstate' })
    expect(g.findByTypeId('aws_subnet', 'subnet-0b').map((n) => n.id)).toEqual(['aws_subnet.private[1]'])
    expect(g.findByArn('arn:aws:s3:::logs-bucket-1')!.id).toBe('aws_s3_bucket.logs')
    expect(g.node('module.web["eu"].aws_instance.web[0]')).toMatchObject({ module: 'module.web["eu"]', index_key: 0, label: 'aws_instance.web[0]' })
  })

  it('draws depends_on edges from state dependencies (from outside the module: every instance of it)', () => {
    expect(edge('aws_subnet.private[0]', 'aws_vpc.main')!.kind).toBe('depends_on')
    expect(edge('aws_instance.web', 'module.web["eu"].aws_instance.web[0]')!.kind).toBe('depends_on')
  })

  it('infers references from attribute values, across states', () => {
    expect(edge('aws_security_group.web', 'aws_vpc.main')).toMatchObject({ kind: 'reference', via: ['vpc_id'] })
    expect(edge('module.web["eu"].aws_instance.web[0]', 'aws_subnet.private[0]')!.via).toEqual(['subnet_id'])
    expect(edge('module.web["eu"].aws_instance.web[0]', 'aws_security_group.web')!.via).toEqual(['vpc_security_group_ids.0'])
    expect(edge('module.web["eu"].aws_instance.web[0]', 'aws_iam_instance_profile.web')).toBeDefined()
    expect(edge('aws_iam_instance_profile.web', 'aws_iam_role.web')!.via).toEqual(['role'])
    expect(edge('aws_lambda_function.f', 'aws_iam_role.web')!.via).toEqual(['role'])
    expect(edge('aws_iam_role_policy.web', 'aws_s3_bucket.logs')!.via).toEqual(['policy'])
    // a dependency edge that is also a reference stays depends_on and records the path
    expect(edge('aws_subnet.private[0]', 'aws_vpc.main')).toMatchObject({ kind: 'depends_on', via: ['vpc_id'] })
  })

  it('does not link through identity fields, data sources or generic values', () => {
    expect(g.edges.some((e) => e.target === 'data.aws_caller_identity.current')).toBe(false)
    expect(g.edges.some((e) => e.source === 'aws_iam_role.web')).toBe(false)
    expect(g.edges.filter((e) => e.source === 'aws_lambda_function.f')).toHaveLength(1)
  })

  it('impact = all transitive dependents, nearest first', () => {
    const impact = g.impact('aws_vpc.main')
    const byId = Object.fromEntries(impact.map((i) => [i.id, i.depth]))
    expect(byId['aws_subnet.private[0]']).toBe(1)
    expect(byId['aws_security_group.web']).toBe(1)
    expect(byId['module.web["eu"].aws_instance.web[0]']).toBe(2)
    expect(byId['aws_instance.web']).toBe(3)
    expect(impact.map((i) => i.depth)).toEqual([...impact.map((i) => i.depth)].sort((a, b) => a - b))
    expect(byId['aws_s3_bucket.logs']).toBeUndefined()
    expect(g.impact('aws_s3_bucket.logs').map((i) => i.id)).toEqual(['aws_iam_role_policy.web'])
    expect(g.impact('nope.nope')).toEqual([])
  })

  it('survives cycles in impact', () => {
    const c = buildGraph([snap('c', [r('aws_a.x', { id: 'aaaa1', peer: 'bbbb1' }), r('aws_b.y', { id: 'bbbb1', peer: 'aaaa1' })])])
    expect(c.impact('aws_a.x').map((i) => i.id)).toEqual(['aws_b.y'])
  })

  it('keeps both copies when two states hold the same address', () => {
    const two = buildGraph([snap('a.tfstate', [r('aws_vpc.main', { id: 'vpc-1111' })]), snap('b.tfstate', [r('aws_vpc.main', { id: 'vpc-2222' })])])
    expect(two.nodes.map((n) => n.id)).toEqual(['aws_vpc.main', 'aws_vpc.main@b.tfstate'])
  })

  it('exports Cytoscape JSON', () => {
    const cy = g.toCytoscape()
    expect(cy.elements.nodes).toHaveLength(g.nodes.length)
    expect(cy.elements.edges).toHaveLength(g.edges.length)
    const ids = new Set(cy.elements.nodes.map((n) => n.data.id))
    for (const e of cy.elements.edges) {
      expect(ids.has(e.data.source)).toBe(true)
      expect(ids.has(e.data.target)).toBe(true)
    }
    expect(JSON.parse(JSON.stringify(cy))).toEqual(cy)
  })

  it('adds unmanaged live objects keyed by type and id, with their references', () => {
    const live: Snapshot = { kind: 'observed', source: 'aws', taken_at: '2026-01-01T00:00:00.000Z', resources: [
      { address: '', mode: 'managed', type: 'aws_instance', name: '', provider: 'aws', resource_id: 'i-rogue', attributes: { id: 'i-rogue', subnet_id: 'subnet-0b' } },
    ] }
    const g2 = buildGraph([network, live])
    expect(g2.node('aws_instance:i-rogue')).toMatchObject({ address: '', label: 'aws_instance i-rogue', source: 'aws' })
    expect(g2.edges.find((e) => e.source === 'aws_instance:i-rogue')).toMatchObject({ target: 'aws_subnet.private[1]', kind: 'reference', via: ['subnet_id'] })
    expect(g2.impact('aws_vpc.main').map((i) => i.id)).toContain('aws_instance:i-rogue')
  })

  it('can skip inference', () => {
    expect(buildGraph([network, app], { inferReferences: false }).edges.every((e) => e.kind === 'depends_on')).toBe(true)
  })
})

describe.runIf(corpusDir())('corpus: graphs', () => {
  const files = dir ? ['tfstate', 'tfstate-legacy'].flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.tfstate')).map((f) => join(d, f))) : []
  const load = (f: string) => parseState(readFileSync(join(dir!, f)), { source: f })
  const dependsOn = (s: Snapshot) => buildGraph([s], { inferReferences: false }).edges.filter((e) => e.kind === 'depends_on').map((e) => `${e.source}\n${e.target}`)

  it.each(files)('%s: depends_on edges are exactly the instances each state dependency refers to', (f) => {
    const s = load(f)
    expect(buildGraph([s]).nodes.length).toBe(s.resources.filter((x) => !x.deposed).length)
    expect(new Set(dependsOn(s))).toEqual(expectedDependsOn(s.resources))
  })

  // The corpus's keyed module calls have one instance each: a second instance of the largest one
  // (same dependencies, as Terraform would record them) must link only within itself.
  const keyed = files.map((f) => [f, largestKeyedInstance(load(f).resources)] as const).filter(([, m]) => m)
  it.each(keyed)('%s: a second instance of %s depends on nothing in the first', (f, m) => {
    const s = load(f)
    const copy = `${m!.slice(0, m!.lastIndexOf('['))}["copy"]`
    const within = (a: string, mod: string) => a.startsWith(`${mod}.`)
    const clones = s.resources.filter((x) => within(x.address, m!)).map((x) => ({ ...x, address: copy + x.address.slice(m!.length), module: copy + x.module!.slice(m!.length) }))
    const edges = dependsOn({ ...s, resources: [...s.resources, ...clones] }).map((e) => e.split('\n') as [string, string])
    expect(edges.filter(([a, b]) => (within(a, copy) && within(b, m!)) || (within(a, m!) && within(b, copy)))).toEqual([])
    const inside = (mod: string) => edges.filter(([a, b]) => within(a, mod) && within(b, mod)).length
    expect(inside(copy)).toBe(inside(m!))
    expect(inside(copy)).toBeGreaterThan(0)
  })
})

/** The module instance path, up to its first keyed step, that holds the most resources. */
function largestKeyedInstance(resources: ResourceInstance[]): string | undefined {
  const counts = new Map<string, number>()
  for (const x of resources) {
    const steps = moduleSteps(x.module)
    const i = steps.findIndex(([, key]) => key)
    if (i < 0) continue
    const path = steps.slice(0, i + 1).map(([name, key]) => `module.${name}${key}`).join('.')
    counts.set(path, (counts.get(path) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0]
}
