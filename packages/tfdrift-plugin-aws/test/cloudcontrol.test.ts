/**
 * Cloud Control's GetResource is skipped only where the listed model can stand in for it: the discovered
 * resources are the same whatever the list handler returns (identifiers, summaries or whole models).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Snapshot } from 'tfdrift'
import { discover, type AwsOptions } from '../src/index.ts'
import { FakeAws, type Faults } from './fake-aws.ts'
import { makeAccount } from './world.ts'

const REGIONS = ['us-east-1']
let fake: FakeAws
let endpoint: string
const env = { ...process.env }

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' })
  const world = makeAccount(REGIONS, { cloudcontrol: 2 })
  // ECR objects carry every property the row reads, so a whole listed model is complete for them.
  for (const r of world.regions['us-east-1']!.cloudcontrol['AWS::ECR::Repository']!) {
    Object.assign(r.props, { Arn: `arn:aws:ecr:us-east-1:111111111111:repository/${r.id}`, ImageTagMutability: 'MUTABLE', RepositoryUri: `111111111111.dkr.ecr.us-east-1.amazonaws.com/${r.id}` })
  }
  fake = new FakeAws({ '111111111111': world })
  endpoint = await fake.start()
})
afterAll(async () => {
  await fake.stop()
  process.env = env
})

const options = (types: string[]): AwsOptions => ({ regions: REGIONS, types, concurrency: 8, max_attempts: 3, max_retry_ms: 3000, endpoint, cloudcontrol: true, cloudcontrol_detail: true, interval_seconds: 0 })
const sorted = (s: Snapshot) => [...s.resources].sort((a, b) => `${a.type}/${a.resource_id}`.localeCompare(`${b.type}/${b.resource_id}`))

async function scan(types: string[], listModel: Faults['listModel']) {
  fake.faults = listModel ? { listModel } : {}
  const before = fake.calls['cloudcontrolapi:GetResource'] ?? 0
  const { snapshot } = await discover(options(types))
  return { resources: sorted(snapshot), gets: (fake.calls['cloudcontrolapi:GetResource'] ?? 0) - before }
}

describe('Cloud Control GetResource skip', () => {
  const types = ['aws_ecr_repository', 'aws_lambda_function', 'aws_cloudwatch_log_group']

  it('reads every object when lists carry identifiers only, and finds the same resources whatever the lists carry', async () => {
    const baseline = await scan(types, 'primary')
    expect(baseline.gets).toBe(6)
    expect(baseline.resources.find((r) => r.type === 'aws_lambda_function')!.attributes).toMatchObject({ handler: 'index.handler', memory_size: 128 })
    // Whole listed models: ECR's hold every property its row reads; Lambda's lack Role, Description… (unset or unlisted?), so they are read.
    const full = await scan(types, 'full')
    expect(full.gets).toBe(2)
    expect(full.resources).toEqual(baseline.resources)
    // The default fake: the LogGroup handler lists whole models (the row says so), the others identifiers.
    const real = await scan(types, undefined)
    expect(real.gets).toBe(4)
    expect(real.resources).toEqual(baseline.resources)
  })

  it('never trusts a summary: a listed model that lacks a property the row reads is read in full', async () => {
    const baseline = await scan(['aws_ecr_repository', 'aws_lambda_function'], 'primary')
    const summary = await scan(['aws_ecr_repository', 'aws_lambda_function'], 'partial')
    expect(summary.gets).toBe(4)
    expect(summary.resources).toEqual(baseline.resources)
  })
})
