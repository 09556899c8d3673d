/**
 * `tfdrift scan --state … --provider aws` against the fake AWS: missing, modified and unmanaged drifts,
 * and no `missing` for a type the credentials cannot read.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runScan } from '../../../engine/cli/scan.ts'
import { FakeAws } from './fake-aws.ts'
import { makeAccount, tfstate } from './world.ts'

let fake: FakeAws
let endpoint: string
let dir: string
const env = { ...process.env }

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' })
  fake = new FakeAws({ '111111111111': makeAccount(['us-east-1'], { instances: 3, roles: 1 }) })
  endpoint = await fake.start()
  dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-aws-scan-'))
  writeFileSync(path.join(dir, 'main.tfstate'), tfstate([
    // In sync except the type: modified. A state-only attribute (user_data) is not compared: the plugin never read it.
    { type: 'aws_instance', name: 'web', attributes: { id: 'i-00000000000000000', instance_type: 't3.large', ami: 'ami-0123456789abcdef0', user_data: 'x', tags_all: { Name: 'web-0' } } },
    { type: 'aws_instance', name: 'api', attributes: { id: 'i-00000000000000001', instance_type: 't3.micro', tags_all: { Name: 'web-1' } } },
    // Deleted out of band: missing.
    { type: 'aws_instance', name: 'gone', attributes: { id: 'i-0deadbeefdeadbeef', instance_type: 't3.micro' } },
    // KMS is denied below: never reported missing.
    { type: 'aws_kms_key', name: 'k', attributes: { id: '00000000-0000-4000-8000-00000000dead', description: 'x' } },
  ]))
})
afterAll(async () => {
  await fake.stop()
  rmSync(dir, { recursive: true, force: true })
  process.env = env
})

it('scan --provider aws reports missing, modified and unmanaged resources, and nothing for an unreadable type', async () => {
  fake.faults = { deny: ['kms'] }
  const out: string[] = []
  const err: string[] = []
  const code = await runScan({
    state: [path.join(dir, 'main.tfstate')], provider: 'aws', region: ['us-east-1'], endpoint, format: 'json',
    providerOptions: JSON.stringify({ types: ['aws_instance', 'aws_kms_key'], max_attempts: 2 }),
  }, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s), isTTY: false } })
  expect(err.join('')).toContain('may not read aws_kms_key')
  expect(code).toBe(2)
  const result = JSON.parse(out.join(''))
  const drifts = result.drifts as Array<{ kind: string; type: string; resource_id?: string; address?: string; changes?: Array<{ path: string }> }>
  const summary = drifts.map((d) => `${d.kind} ${d.address ?? d.resource_id}`).sort()
  expect(summary).toEqual(['missing aws_instance.gone', 'modified aws_instance.web', 'unmanaged i-00000000000000002'])
  expect(drifts.find((d) => d.kind === 'modified')!.changes!.map((c) => c.path)).toEqual(['instance_type'])
})

it('scan --provider draws progress on a terminal', async () => {
  fake.faults = {}
  const err: string[] = []
  await runScan({ state: [path.join(dir, 'main.tfstate')], provider: 'aws', region: ['us-east-1'], endpoint, format: 'json', providerOptions: '{"types":["aws_instance","aws_vpc"]}' },
    { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s), isTTY: true } })
  expect(err.join('')).toMatch(/\r\u001b\[2Kaws: 2\/2 /)
})

it('scan --provider refuses bad provider options before calling AWS', async () => {
  const err: string[] = []
  const before = fake.requests
  const code = await runScan({ state: [path.join(dir, 'main.tfstate')], provider: 'aws', providerOptions: '{"concurrency":0}' },
    { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } })
  expect(code).toBe(1)
  expect(err.join('')).toContain('concurrency')
  expect(fake.requests).toBe(before)
})
