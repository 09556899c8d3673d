/** Builds fake AWS estates of any size for the tests and the bench: deterministic ids, every kind of object. */
import { CLOUDCONTROL_TYPES } from '../src/cloudcontrol-types.ts'
import { emptyAccount, type AccountWorld } from './fake-aws.ts'

export interface WorldSize {
  instances?: number; securityGroups?: number; vpcs?: number; subnets?: number; tables?: number; keys?: number
  /** Objects per Cloud Control type per region. */
  cloudcontrol?: number
  roles?: number; buckets?: number
}

const hex = (n: number, width = 8) => n.toString(16).padStart(width, '0')

/** One account's estate over `regions`; ids embed the region index so regions never share ids. */
export function makeAccount(regions: string[], size: WorldSize = {}): AccountWorld {
  const acct = emptyAccount(regions)
  regions.forEach((region, r) => {
    const rw = acct.regions[region]!
    const id = (prefix: string, i: number) => `${prefix}-${hex(r * 1_000_000 + i, 17)}`
    for (let i = 0; i < (size.vpcs ?? 1); i++) rw.vpcs.push({ id: id('vpc', i), cidr: `10.${i % 256}.0.0/16`, tags: { Name: `vpc-${i}` } })
    const vpc = rw.vpcs[0]?.id ?? 'vpc-0'
    for (let i = 0; i < (size.subnets ?? 2); i++) rw.subnets.push({ id: id('subnet', i), vpc, cidr: `10.0.${i % 256}.0/24`, az: `${region}a`, public: i % 2 === 0, tags: { Name: `subnet-${i}` } })
    for (let i = 0; i < (size.securityGroups ?? 2); i++) rw.securityGroups.push({ id: id('sg', i), name: `sg-${i}`, description: 'managed by terraform', vpc, ingress: [{ protocol: 'tcp', from: 443, to: 443, cidrs: ['10.0.0.0/8'] }], tags: {} })
    for (let i = 0; i < (size.instances ?? 3); i++) {
      rw.instances.push({ id: id('i', i), type: 't3.micro', ami: 'ami-0123456789abcdef0', subnet: rw.subnets[0]?.id ?? 'subnet-0', vpc, ip: `10.0.0.${i % 250}`, groups: [rw.securityGroups[0]?.id ?? 'sg-0'], tags: { Name: `web-${i}` }, az: `${region}a` })
    }
    for (let i = 0; i < (size.tables ?? 2); i++) rw.tables.push({ name: `table-${r}-${i}`, hash: 'pk', range: i % 2 ? 'sk' : undefined, billing: 'PAY_PER_REQUEST' })
    for (let i = 0; i < (size.keys ?? 2); i++) rw.keys.push({ id: `${hex(r, 8)}-0000-4000-8000-${hex(i, 12)}`, description: `key ${i}` })
    rw.keys.push({ id: `${hex(r, 8)}-ffff-4000-8000-000000000000`, description: 'Default key that protects my S3 objects', manager: 'AWS' })
    if (rw.keys[0]) rw.aliases.push({ name: `alias/app-${r}`, target: rw.keys[0].id }, { name: 'alias/aws/s3', target: rw.keys[rw.keys.length - 1]!.id })
    for (const t of CLOUDCONTROL_TYPES) {
      if (t.global && r > 0) continue
      const list = (rw.cloudcontrol[t.cfn] = [] as Array<{ id: string; props: Record<string, unknown> }>)
      for (let i = 0; i < (size.cloudcontrol ?? 1); i++) {
        const value = `${t.type.replace(/_/g, '-')}-${r}-${i}`
        const props: Record<string, unknown> = { Name: value, Tags: [{ Key: 'team', Value: 'core' }] }
        if (typeof t.id === 'string') props[t.id] = t.id.endsWith('Arn') || t.id === 'Arn' ? `arn:aws:x:${region}:111111111111:${value}` : value
        if (t.type === 'aws_lambda_function') Object.assign(props, { Runtime: 'nodejs20.x', MemorySize: 128, Timeout: 3, Handler: 'index.handler' })
        if (t.type === 'aws_sqs_queue') Object.assign(props, { QueueName: value, VisibilityTimeout: 30 })
        list.push({ id: String(typeof t.id === 'string' ? props[t.id] : value), props })
      }
    }
  })
  for (let i = 0; i < (size.roles ?? 2); i++) acct.roles.push({ name: `role-${i}`, description: `role ${i}`, policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' })
  acct.policies.push({ name: 'app-read' })
  acct.users.push('deploy')
  for (let i = 0; i < (size.buckets ?? 2); i++) acct.buckets.push({ name: `bucket-${i}`, region: regions[i % regions.length]!, tags: i % 2 ? undefined : { team: 'core' }, versioning: i % 2 ? undefined : 'Enabled' })
  return acct
}

/** A Terraform v4 state holding the given resources (type, name, attributes). */
export function tfstate(resources: Array<{ type: string; name: string; attributes: Record<string, unknown> }>): string {
  return JSON.stringify({
    version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'test', outputs: {},
    resources: resources.map((r) => ({ mode: 'managed', type: r.type, name: r.name, provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ schema_version: 1, attributes: r.attributes }] })),
  })
}
