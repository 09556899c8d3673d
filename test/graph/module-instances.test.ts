/**
 * State `dependencies` name resources without module keys; the graph resolves them to the instances
 * in the dependent's own module instances (issue 7, item 3). A hand-built state with nested for_each
 * modules where the right edges are listed by hand, then the demo estate against the plain rule.
 */
import { describe, expect, it } from 'vitest'
import { buildGraph } from '../../engine/graph/index.ts'
import { parseAddress } from '../../engine/terraform/address.ts'
import type { ResourceInstance, Snapshot } from '../../engine/model.ts'
import { generateEstate } from '../../plugins/discovery/demo/estate/index.ts'
import { expectedDependsOn } from './terraform-rule.ts'

function r(address: string, dependencies: string[] = []): ResourceInstance {
  const { modules: _, ...parts } = parseAddress(address)
  return { address, ...parts, provider: 'aws', attributes: {}, ...(dependencies.length ? { dependencies } : {}) }
}
const snap = (resources: ResourceInstance[]): Snapshot => ({ kind: 'expected', source: 'nested.tfstate', taken_at: '2026-01-01T00:00:00.000Z', resources })
const depEdges = (s: Snapshot[]) => buildGraph(s, { inferReferences: false }).edges.filter((e) => e.kind === 'depends_on').map((e) => `${e.source} -> ${e.target}`).sort()

const P = 'module.env["prod"]', S = 'module.env["staging"]'
const nested = snap([
  r(`${P}.aws_kms_key.k`), r(`${S}.aws_kms_key.k`),
  r(`${P}.module.net["eu"].aws_vpc.this`), r(`${P}.module.net["us"].aws_vpc.this`), r(`${S}.module.net["eu"].aws_vpc.this`),
  ...[`${P}.module.svc["a"]`, `${P}.module.svc["b"]`, `${S}.module.svc["a"]`].map((m) => r(`${m}.aws_security_group.app`, ['module.env.module.net.aws_vpc.this'])),
  ...[`${P}.module.svc["a"].aws_instance.app[0]`, `${P}.module.svc["a"].aws_instance.app[1]`, `${P}.module.svc["b"].aws_instance.app[0]`, `${S}.module.svc["a"].aws_instance.app[0]`]
    .map((a) => r(a, ['module.env.aws_kms_key.k', 'module.env.module.svc.aws_security_group.app'])),
  r(`${P}.module.svc["a"].aws_lb_target_group_attachment.app["x"]`, ['module.env.module.svc.aws_instance.app']),
  r(`${P}.module.svc["a"].data.aws_iam_policy_document.p`),
  r(`${P}.module.svc["a"].aws_iam_policy.p`, ['module.env.module.svc.data.aws_iam_policy_document.p']),
  r(`${P}.aws_cloudwatch_dashboard.d`, ['module.env.module.svc.aws_instance.app']),
  r('aws_route53_record.all', ['module.env.module.svc.aws_instance.app']),
])

describe('state dependencies resolve to module instances', () => {
  it('binds the module path shared with the dependent and fans out below it (hand-checked edges)', () => {
    const a = `${P}.module.svc["a"]`, b = `${P}.module.svc["b"]`, sa = `${S}.module.svc["a"]`
    expect(depEdges([nested])).toEqual([
      // same module instance: the resource there, with every count/for_each instance of it
      `${a}.aws_iam_policy.p -> ${a}.data.aws_iam_policy_document.p`,
      `${a}.aws_instance.app[0] -> ${a}.aws_security_group.app`,
      `${a}.aws_instance.app[1] -> ${a}.aws_security_group.app`,
      `${a}.aws_lb_target_group_attachment.app["x"] -> ${a}.aws_instance.app[0]`,
      `${a}.aws_lb_target_group_attachment.app["x"] -> ${a}.aws_instance.app[1]`,
      `${b}.aws_instance.app[0] -> ${b}.aws_security_group.app`,
      `${sa}.aws_instance.app[0] -> ${sa}.aws_security_group.app`,
      // a parent module's resource: the dependent's own instance of that parent
      `${a}.aws_instance.app[0] -> ${P}.aws_kms_key.k`,
      `${a}.aws_instance.app[1] -> ${P}.aws_kms_key.k`,
      `${b}.aws_instance.app[0] -> ${P}.aws_kms_key.k`,
      `${sa}.aws_instance.app[0] -> ${S}.aws_kms_key.k`,
      // a sibling module call: every instance of it within the shared env instance, none of staging's
      `${a}.aws_security_group.app -> ${P}.module.net["eu"].aws_vpc.this`,
      `${a}.aws_security_group.app -> ${P}.module.net["us"].aws_vpc.this`,
      `${b}.aws_security_group.app -> ${P}.module.net["eu"].aws_vpc.this`,
      `${b}.aws_security_group.app -> ${P}.module.net["us"].aws_vpc.this`,
      `${sa}.aws_security_group.app -> ${S}.module.net["eu"].aws_vpc.this`,
      // a child module call from its parent instance: that instance's children only
      `${P}.aws_cloudwatch_dashboard.d -> ${a}.aws_instance.app[0]`,
      `${P}.aws_cloudwatch_dashboard.d -> ${a}.aws_instance.app[1]`,
      `${P}.aws_cloudwatch_dashboard.d -> ${b}.aws_instance.app[0]`,
      // from outside the module: every instance
      `aws_route53_record.all -> ${a}.aws_instance.app[0]`,
      `aws_route53_record.all -> ${a}.aws_instance.app[1]`,
      `aws_route53_record.all -> ${b}.aws_instance.app[0]`,
      `aws_route53_record.all -> ${sa}.aws_instance.app[0]`,
    ].sort())
    expect(depEdges([nested])).toEqual([...expectedDependsOn(nested.resources)].map((p) => p.replace('\n', ' -> ')).sort())
  })

  it('a dependency that names module keys itself refers to that module instance only', () => {
    const s = snap([r(`${P}.aws_kms_key.k`), r(`${S}.aws_kms_key.k`), r('aws_iam_role.x', [`${S}.aws_kms_key.k`])])
    expect(depEdges([s])).toEqual([`aws_iam_role.x -> ${S}.aws_kms_key.k`])
  })

  it('impact of a module instance resource stays inside what really depends on it', () => {
    const g = buildGraph([nested], { inferReferences: false })
    expect(g.impact(`${P}.module.svc["b"].aws_security_group.app`).map((i) => `${i.depth} ${i.id}`)).toEqual([
      `1 ${P}.module.svc["b"].aws_instance.app[0]`, `2 ${P}.aws_cloudwatch_dashboard.d`, '2 aws_route53_record.all',
    ])
  })
})

describe('demo estate graph', () => {
  const { resources } = generateEstate({ size: 2500, seed: 'tfdrift-demo', regions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'] })
  const g = buildGraph([{ kind: 'expected', source: 'demo', taken_at: '2026-01-01T00:00:00.000Z', resources }])

  it('has exactly the depends_on edges of the rule, a few per node', () => {
    const expected = expectedDependsOn(resources)
    const actual = g.edges.filter((e) => e.kind === 'depends_on').map((e) => `${e.source}\n${e.target}`)
    expect(actual.length).toBe(expected.size)
    expect(new Set(actual)).toEqual(expected)
    // Linking every instance gave 120,942 depends_on edges (48 per node); the rule gives under 3.
    expect(actual.length / g.nodes.length).toBeLessThan(3)
  })

  it('impact of a checkout-ew1 security group lists only resources of that module instance', () => {
    const m = 'module.prod.module.service["checkout-ew1"]'
    const impact = g.impact(`${m}.aws_security_group.app`)
    expect(impact.length).toBeGreaterThan(3)
    for (const i of impact) expect(i.address.startsWith(`${m}.`), i.address).toBe(true)
  })
})
