/**
 * The plugin against the fake AWS on loopback, through the real SDK v3 clients and wire protocols:
 * paging, throttling and recovery, AccessDenied (type not covered), a failing region, assume-role.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { readFileSync } from 'node:fs'
import { toSnapshotFile, type PluginContext, type PipelineItem, type Snapshot } from 'tfdrift'
import plugin, { discover, SUPPORTED_TYPES, type AwsOptions } from '../src/index.ts'
import { FakeAws } from './fake-aws.ts'
import { makeAccount } from './world.ts'

const REGIONS = ['us-east-1', 'eu-west-1']
const ACCOUNT = '111111111111'
const OTHER = '222222222222'
let fake: FakeAws
let endpoint: string
const env = { ...process.env }

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' })
  delete process.env.AWS_PROFILE
  delete process.env.AWS_SESSION_TOKEN
  fake = new FakeAws({ [ACCOUNT]: makeAccount(REGIONS, { instances: 120, roles: 130, tables: 3, buckets: 3 }), [OTHER]: makeAccount(['us-east-1'], { instances: 2 }) })
  endpoint = await fake.start()
})
afterAll(async () => {
  await fake.stop()
  process.env = env
})
afterEach(() => { fake.faults = {} })

const options = (over: Partial<AwsOptions> = {}): AwsOptions => ({
  regions: REGIONS, concurrency: 8, max_attempts: 3, max_retry_ms: 3000, endpoint, cloudcontrol: true, cloudcontrol_detail: true, interval_seconds: 0, ...over,
})
const warnings: string[] = []
const logger = { info() {}, debug() {}, warn: (_o: unknown, m: string) => { warnings.push(m) } } as never
const ofType = (s: Snapshot, type: string) => s.resources.filter((r) => r.type === type)

describe('aws provider plugin', () => {
  it('covers at least 40 Terraform types', () => {
    expect(SUPPORTED_TYPES.length).toBeGreaterThanOrEqual(40)
  })

  it('discovers every type keyed as Terraform keys it, paging through EC2 NextToken and IAM Marker', async () => {
    const { snapshot, uncovered } = await discover(options(), { logger })
    expect(uncovered).toEqual([])
    expect(snapshot.covered_types).toEqual(SUPPORTED_TYPES)
    expect(ofType(snapshot, 'aws_instance')).toHaveLength(240) // 120 per region, pages of 50
    expect(fake.calls['ec2:DescribeInstances']).toBe(6)
    expect(ofType(snapshot, 'aws_iam_role')).toHaveLength(130) // global: once, three pages
    expect(fake.calls['iam:ListRoles']).toBe(3)
    const web = ofType(snapshot, 'aws_instance')[0]!
    expect(web).toMatchObject({ type: 'aws_instance', provider: 'aws', address: '', resource_id: web.attributes.id, partial: true,
      arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${web.attributes.id}` })
    expect(web.attributes).toMatchObject({ instance_type: 't3.micro', tags_all: { Name: 'web-0' }, ami: 'ami-0123456789abcdef0' })
    const role = ofType(snapshot, 'aws_iam_role').find((r) => r.resource_id === 'role-0')!
    expect(JSON.parse(role.attributes.assume_role_policy as string).Statement[0].Action).toBe('sts:AssumeRole')
    expect(ofType(snapshot, 'aws_s3_bucket').map((b) => b.resource_id).sort()).toEqual(['bucket-0', 'bucket-1', 'bucket-2'])
    expect(ofType(snapshot, 'aws_s3_bucket').find((b) => b.resource_id === 'bucket-0')!.attributes.tags_all).toEqual({ team: 'core' })
    expect(ofType(snapshot, 'aws_s3_bucket_versioning').map((b) => b.resource_id).sort()).toEqual(['bucket-0', 'bucket-2'])
    expect(ofType(snapshot, 'aws_dynamodb_table')).toHaveLength(6)
    expect(ofType(snapshot, 'aws_kms_key')).toHaveLength(4) // AWS-managed keys left out
    expect(ofType(snapshot, 'aws_kms_alias').map((a) => a.resource_id)).not.toContain('alias/aws/s3')
    const fn = ofType(snapshot, 'aws_lambda_function')[0]!
    expect(fn.attributes).toMatchObject({ function_name: fn.resource_id, runtime: 'nodejs20.x', memory_size: 128, tags_all: { team: 'core' } })
  })

  it('emits snapshots that validate against the snapshot schema', async () => {
    const { snapshot } = await discover(options({ types: ['aws_instance', 'aws_lambda_function', 'aws_s3_bucket'] }), { logger })
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/snapshot.schema.json', import.meta.url), 'utf8'))
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    ;(addFormats as unknown as (a: unknown) => void)(ajv)
    const validate = ajv.compile(schema)
    expect(validate(toSnapshotFile(snapshot)), JSON.stringify(validate.errors)).toBe(true)
    expect(snapshot.covered_types).toEqual(['aws_instance', 'aws_lambda_function', 'aws_s3_bucket'])
  })

  it('recovers from throttling (400 Throttling codes, then 429) within the SDK and its own bound', async () => {
    fake.faults = { throttle: { 'ec2:DescribeInstances': 3, 'iam:ListRoles': 1, 'dynamodb:ListTables': 1 } }
    const first = await discover(options({ regions: ['us-east-1'], max_attempts: 2, types: ['aws_instance', 'aws_iam_role', 'aws_dynamodb_table'] }), { logger })
    expect(first.uncovered).toEqual([])
    expect(ofType(first.snapshot, 'aws_instance')).toHaveLength(120)
    expect(first.stats.retried).toBeGreaterThanOrEqual(1) // 3 throttles > 2 SDK attempts: our own retry took over
    fake.faults = { throttle: { kms: 3 }, throttleStatus: 429 }
    const second = await discover(options({ types: ['aws_kms_key'] }), { logger })
    expect(second.snapshot.covered_types).toEqual(['aws_kms_key'])
    expect(ofType(second.snapshot, 'aws_kms_key')).toHaveLength(4)
  })

  it('reports a type the credentials may not read as not covered, never as empty', async () => {
    fake.faults = { deny: ['kms', 's3:GetBucketVersioning'] }
    warnings.length = 0
    const { snapshot, uncovered } = await discover(options({ types: ['aws_kms_key', 'aws_kms_alias', 'aws_instance', 'aws_s3_bucket', 'aws_s3_bucket_versioning'] }), { logger })
    expect(snapshot.covered_types).toEqual(['aws_instance', 'aws_s3_bucket'])
    expect(new Set(uncovered.map((u) => `${u.type}:${u.reason}`))).toEqual(new Set(['aws_kms_key:access_denied', 'aws_kms_alias:access_denied', 'aws_s3_bucket_versioning:access_denied']))
    expect(ofType(snapshot, 'aws_kms_key')).toHaveLength(0)
    expect(warnings.some((w) => w.includes('may not read aws_kms_key'))).toBe(true)
  })

  it('drops a type from covered_types when one region fails, keeping what the other region holds', async () => {
    fake.faults = { failRegions: ['eu-west-1'] }
    const { snapshot, uncovered } = await discover(options({ types: ['aws_instance', 'aws_iam_role'], max_attempts: 2 }), { logger })
    expect(snapshot.covered_types).toEqual(['aws_iam_role']) // IAM is global, read from us-east-1
    expect(uncovered).toEqual([expect.objectContaining({ type: 'aws_instance', region: 'eu-west-1', reason: 'error' })])
    expect(ofType(snapshot, 'aws_instance')).toHaveLength(120)
  })

  it('reads other accounts through STS AssumeRole', async () => {
    const { snapshot } = await discover(options({ regions: ['us-east-1'], types: ['aws_instance'], accounts: [{ role_arn: `arn:aws:iam::${OTHER}:role/read` }, { role_arn: `arn:aws:iam::${ACCOUNT}:role/read` }] }), { logger })
    expect(fake.calls['sts:AssumeRole']).toBeGreaterThanOrEqual(2)
    const accounts = new Set(ofType(snapshot, 'aws_instance').map((r) => r.arn!.split(':')[4]))
    expect(accounts).toEqual(new Set([ACCOUNT, OTHER]))
    expect(snapshot.source).toBe(`aws:${OTHER},${ACCOUNT}:us-east-1`)
  })

  it('runs as a discovery plugin: one snapshot, progress in the log, counters', async () => {
    const logs: Array<Record<string, unknown>> = []
    const counters: Record<string, number> = {}
    const ctx = {
      logger: { info: (o: Record<string, unknown>) => logs.push(o), warn() {}, debug() {} },
      metrics: { counter: (name: string) => ({ inc: (n = 1) => { counters[name] = (counters[name] ?? 0) + n } }), gauge: () => ({ set() {} }) },
      demand: { ready: () => Promise.resolve(), paused: false }, signal: new AbortController().signal,
    } as unknown as PluginContext
    const instance = await plugin.create(ctx, options({ types: ['aws_vpc', 'aws_subnet'] }))
    const items: PipelineItem[] = []
    for await (const item of instance.output as AsyncIterable<PipelineItem>) items.push(item)
    await instance.close?.()
    await instance.close?.()
    expect(items.map((i) => i.type)).toEqual(['snapshot'])
    expect((items[0]!.data as Snapshot).covered_types).toEqual(['aws_subnet', 'aws_vpc'])
    const progress = logs.filter((l) => l.progress).map((l) => l.progress as { done: number; total: number })
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4 })
    expect(counters.aws_api_requests_total).toBeGreaterThan(0)
    expect(counters.aws_resources_discovered_total).toBe(6)
  })
})
