import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { ChangeEvent, PipelineItem } from 'tfdrift'
import { requireCorpus } from '../../../test/support/corpus.ts'
import { take, testContext } from 'tfdrift/testing'
import plugin from './index.ts'
import { parseRecord, type ParseOptions, normalizeEventName, resourceOf } from 'tfdrift/audit'

const NOW = '2026-11-22T10:00:00.000Z'
const SKIP: ParseOptions = { failed: 'skip', read_only: 'skip', source: 'cloudtrail' }
const FLAG: ParseOptions = { failed: 'flag', read_only: 'skip', source: 'cloudtrail' }

const record = (over: Record<string, unknown> = {}) => ({
  eventVersion: '1.09', eventTime: '2026-11-20T08:15:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress',
  awsRegion: 'eu-west-1', sourceIPAddress: '203.0.113.24', userAgent: 'console.ec2.amazonaws.com', eventID: '5c1b6f0e-0a44-4bb0-9d2f-54d5b0e7c001',
  eventType: 'AwsApiCall', readOnly: false, recipientAccountId: '123456789012',
  userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b/alice@acme.example', accountId: '123456789012' },
  requestParameters: { groupId: 'sg-0a1b2c3d4e5f60718', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22 }] } },
  ...over,
})

describe('cloudtrail parsing', () => {
  it('maps a record to a change event with resource, region, account and actor', () => {
    const r = parseRecord(record(), SKIP, NOW)
    expect(r.kind).toBe('event')
    const e = (r as { event: ChangeEvent }).event
    expect(e).toMatchObject({
      source: 'cloudtrail', time: '2026-11-20T08:15:00.000Z', event_name: 'AuthorizeSecurityGroupIngress', event_source: 'ec2.amazonaws.com',
      resource_type: 'aws_security_group', resource_id: 'sg-0a1b2c3d4e5f60718', arn: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f60718',
      region: 'eu-west-1', account_id: '123456789012',
      actor: { user: 'alice@acme.example', source_ip: '203.0.113.24', user_agent: 'console.ec2.amazonaws.com', event_id: '5c1b6f0e-0a44-4bb0-9d2f-54d5b0e7c001', event_name: 'AuthorizeSecurityGroupIngress' },
    })
  })

  it('skips read-only calls by flag or by name, and keeps them on request', () => {
    expect(parseRecord(record({ eventName: 'DescribeInstances', readOnly: undefined }), SKIP, NOW)).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    expect(parseRecord(record({ eventName: 'StartLogging', readOnly: true }), SKIP, NOW)).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    expect(parseRecord(record({ eventName: 'ListBuckets', readOnly: undefined }), { ...SKIP, read_only: 'keep' }, NOW).kind).toBe('event')
  })

  it('skips or flags failed calls; an empty errorCode is not a failure', () => {
    expect(parseRecord(record({ errorCode: 'UnauthorizedOperation' }), SKIP, NOW)).toMatchObject({ kind: 'skipped', reason: 'failed' })
    expect(parseRecord(record({ errorCode: 'UnauthorizedOperation' }), FLAG, NOW)).toMatchObject({ kind: 'event', event: { error_code: 'UnauthorizedOperation' } })
    expect(parseRecord(record({ errorCode: '' }), SKIP, NOW).kind).toBe('event')
  })

  it('strips Lambda API-version suffixes', () => {
    expect(normalizeEventName('UpdateFunctionConfiguration20150331v2')).toBe('UpdateFunctionConfiguration')
    expect(normalizeEventName('CreateFunction20150331')).toBe('CreateFunction')
    expect(normalizeEventName('RunInstances')).toBe('RunInstances')
    const e = parseRecord(record({ eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionCode20150331v2', requestParameters: { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:api' } }), SKIP, NOW)
    expect(e).toMatchObject({ kind: 'event', event: { event_name: 'UpdateFunctionCode', resource_type: 'aws_lambda_function', resource_id: 'api', arn: 'arn:aws:lambda:eu-west-1:123456789012:function:api' } })
  })

  it('masks secret-looking request parameters', () => {
    const e = parseRecord(record({ eventName: 'CreateLoginProfile', requestParameters: { userName: 'bob', password: 'hunter2', nested: { SecretString: 's3cr3t', ok: 1 } } }), SKIP, NOW)
    const params = (e as { event: ChangeEvent }).event.parameters!
    expect(params).toEqual({ userName: 'bob', password: '(sensitive)', nested: { SecretString: '(sensitive)', ok: 1 } })
    expect(JSON.stringify(params)).not.toContain('hunter2')
  })

  it('masks secrets inside JSON-encoded request parameters (issue 11, defect 5)', () => {
    const input = JSON.stringify({ host: 'db.internal', password: 'S1-sfn-pw', nested: JSON.stringify({ api_token: 'S1-sfn-token' }) })
    const e = parseRecord(record({ eventSource: 'states.amazonaws.com', eventName: 'StartExecution', requestParameters: { stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:m', input } }), SKIP, NOW)
    const params = (e as { event: ChangeEvent }).event.parameters!
    expect(JSON.stringify(params)).not.toMatch(/S1-sfn/)
    expect(JSON.parse(params.input as string)).toMatchObject({ host: 'db.internal', password: '(sensitive)' })
  })

  it.each([
    [42, /must be a JSON object, got number/],
    [[1], /got an array/],
    [{ eventTime: '2026-01-01T00:00:00Z' }, /eventName is missing/],
    [{ eventName: 'RunInstances', eventTime: 'yesterday' }, /eventTime "yesterday" is not an ISO-8601 time/],
    [{ eventName: 'RunInstances', requestParameters: 'x' }, /requestParameters must be an object/],
  ])('says precisely why a record is malformed (%j)', (bad, message) => {
    const r = parseRecord(bad, SKIP, NOW)
    expect(r.kind).toBe('invalid')
    expect((r as { message: string }).message).toMatch(message)
  })

  it('infers composite Terraform import ids for IAM attachments and inline policies', () => {
    expect(resourceOf({ eventName: 'AttachRolePolicy', requestParameters: { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }))
      .toMatchObject({ resource_type: 'aws_iam_role_policy_attachment', resource_id: 'app/arn:aws:iam::aws:policy/ReadOnlyAccess', operation: 'create' })
    expect(resourceOf({ eventName: 'PutRolePolicy', requestParameters: { roleName: 'app', policyName: 'inline' } }))
      .toMatchObject({ resource_type: 'aws_iam_role_policy', resource_id: 'app:inline', operation: 'create' })
  })
})

describe('cloudtrail plugin', () => {
  let dir: string
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tfdrift-ct-')) })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads {Records:[…]} log files, gzip included, skipping what options say', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ Records: [record(), record({ eventName: 'DescribeVpcs', readOnly: true }), record({ errorCode: 'Client.UnauthorizedOperation' })] }))
    writeFileSync(join(dir, 'b.json.gz'), gzipSync(JSON.stringify({ Records: [record({ eventName: 'RevokeSecurityGroupIngress' })] })))
    writeFileSync(join(dir, 'c.json'), '{ not json')
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { paths: [join(dir, '*.json*')], ingress: false })
    const items = await take(output as AsyncIterable<PipelineItem>, 10)
    expect(items.map((i) => (i.data as ChangeEvent).event_name)).toEqual(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress'])
    expect(items.every((i) => i.type === 'change.received' && i.topic === 'events')).toBe(true)
    expect(ctx.routes).toHaveLength(0)
  })

  it('polls a directory for new log files while still accepting pushes', async () => {
    const logs = join(dir, 'poll', 'AWSLogs', '123456789012', 'CloudTrail', 'eu-west-1')
    mkdirSync(logs, { recursive: true })
    writeFileSync(join(logs, '1.json'), JSON.stringify({ Records: [record({ eventName: 'StopInstances' })] }))
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { paths: [join(dir, 'poll')], poll: 20 })
    const source = output as AsyncIterable<PipelineItem>
    expect((await take(source, 1)).map((i) => (i.data as ChangeEvent).event_name)).toEqual(['StopInstances'])
    await ctx.routes[0]!.handle(record({ eventName: 'CreateTags', requestParameters: { resourcesSet: { items: [{ resourceId: 'vpc-0a1b2c3d4e5f60718' }] } } }), { tenant: 'acme', headers: {} })
    const pushed = await take(source, 1)
    expect(pushed[0]!.data).toMatchObject({ event_name: 'CreateTags', resource_type: 'aws_vpc' })
    writeFileSync(join(logs, '2.json.gz'), gzipSync(JSON.stringify({ Records: [record({ eventName: 'StartInstances' })] })))
    expect((await take(source, 1)).map((i) => (i.data as ChangeEvent).event_name)).toEqual(['StartInstances'])
    ctx.controller.abort()
    expect(await take(source, 1)).toEqual([])
  })

  it('declares the route it registers (none with ingress: false), so `tfdrift validate` finds collisions', async () => {
    for (const options of [{}, { path: '/hooks/ct' }, { ingress: false }]) {
      const ctx = testContext()
      await plugin.create(ctx, options)
      expect(plugin.ingress?.(options)).toEqual(ctx.routes.map(({ method, path, scope }) => ({ method, path, scope })))
      ctx.controller.abort()
    }
  })

  it('accepts pushed batches on its ingress route: 202, 400 naming bad items (good ones kept), 503 when full', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { path: '/hooks/ct', queue_size: 3 })
    expect(ctx.routes).toHaveLength(1)
    const route = ctx.routes[0]!
    expect(route).toMatchObject({ method: 'POST', path: '/hooks/ct', scope: 'publish' })
    const meta = { tenant: 'acme', headers: {} }
    expect(await route.handle({ Records: [record(), record({ eventName: 'GetObject', readOnly: true })] }, meta)).toEqual({ status: 202, data: { accepted: 1, skipped: { read_only: 1 } } })
    const bad = await route.handle([record({ eventName: 'StopInstances', requestParameters: { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } } }), 7, { eventTime: 'x' }], meta)
    expect(bad.status).toBe(400)
    expect(bad.data).toMatchObject({ code: 'TFD_ERR_EVENT_INVALID', accepted: 1, rejected: [{ index: 1 }, { index: 2 }] })
    expect((bad.data as { message: string }).message).toMatch(/item 1: .*got number; item 2: eventName is missing/)
    expect((await route.handle([record(), record()], meta)).status).toBe(503)
    const items = await take(output as AsyncIterable<PipelineItem>, 2)
    expect(items.map((i) => (i.data as ChangeEvent).event_name)).toEqual(['AuthorizeSecurityGroupIngress', 'StopInstances'])
    expect((items[1]!.data as ChangeEvent).resource_id).toBe('i-0123456789abcdef0')
  })

  it('unwraps EventBridge CloudTrail events pushed one by one or in a batch', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, {})
    const wrap = (detail: unknown) => ({ version: '0', id: 'c2d5e2c9-0000-4000-8000-000000000001', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: '123456789012', region: 'eu-west-1', detail })
    expect((await ctx.routes[0]!.handle(wrap(record()), { tenant: 'acme', headers: {} })).status).toBe(202)
    expect((await ctx.routes[0]!.handle([wrap(record({ eventName: 'RevokeSecurityGroupIngress' }))], { tenant: 'acme', headers: {} })).status).toBe(202)
    const items = await take(output as AsyncIterable<PipelineItem>, 2)
    expect(items.map((i) => (i.data as ChangeEvent).event_name)).toEqual(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress'])
  })

  it('ends its output when the pipeline aborts', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, {})
    const pending = (output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator]().next()
    ctx.controller.abort()
    expect((await pending).done).toBe(true)
  })
})

const corpus = requireCorpus()
describe.runIf(corpus)('cloudtrail corpus (every record in fixtures/cloudtrail)', () => {
  const dir = join(corpus ?? '', 'cloudtrail')
  const manifest = new Map<string, { errorCode: string; types: string }>()
  const files = corpus ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []
  if (corpus) {
    const [header, ...rows] = readFileSync(join(dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'))
    const col = (n: string) => header!.indexOf(n)
    for (const r of rows) manifest.set(r[0]!, { errorCode: r[col('errorCode')]!, types: r[col('terraform_resource_types')]! })
  }
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>

  it('has the records the manifest lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(100)
    for (const f of files) expect(manifest.has(f), f).toBe(true)
  })

  it.each(files)('%s parses, is skipped or flagged as its errorCode/readOnly say, and maps to a Terraform type', (file) => {
    const raw = load(file)
    const failed = typeof raw.errorCode === 'string' && raw.errorCode !== ''
    const flagged = parseRecord(raw, { ...FLAG, read_only: 'keep' }, NOW)
    expect(flagged.kind, file).toBe('event')
    const e = (flagged as { event: ChangeEvent }).event
    expect(e.event_name).not.toMatch(/\d{8}(v\d+)?$/)
    expect(e.event_name).toBe(String(raw.eventName).replace(/\d{8}(v\d+)?$/, ''))
    expect(e.error_code).toBe(failed ? raw.errorCode : undefined)
    expect(failed).toBe(manifest.get(file)!.errorCode !== '-')
    expect(e.time).toBe(new Date(String(raw.eventTime)).toISOString())
    expect(e.region).toBe(raw.awsRegion)
    expect(e.resource_type, `${file} → no type`).toBeTruthy()
    expect(manifest.get(file)!.types, `${file}: ${e.resource_type}`).toContain(e.resource_type!)
    const identity = raw.userIdentity as Record<string, unknown> | undefined
    if (identity?.arn) expect(e.actor?.arn).toBe(identity.arn)
    if (raw.sourceIPAddress) expect(e.actor?.source_ip).toBe(raw.sourceIPAddress)
    if (raw.eventID) expect(e.actor?.event_id).toBe(raw.eventID)
    expect(e.actor?.user, file).toBeTruthy()
    expect(JSON.stringify(e.parameters ?? {})).not.toMatch(/"(masterUserPassword|tdeCredentialPassword|password)":"(?!\(sensitive\))/i)

    const skipped = parseRecord(raw, SKIP, NOW)
    if (raw.readOnly === true) expect(skipped).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    else if (failed) expect(skipped).toMatchObject({ kind: 'skipped', reason: 'failed' })
    else expect(skipped.kind).toBe('event')
  })

  it.each([
    ['AuthorizeSecurityGroupIngress__1.json', 'sg-003dc7f1f1c686164', 'christophe'],
    ['RunInstances__1.json', 'i-0f7c711dc84bedda0', 'Radiant'],
    ['AttachRolePolicy__1.json', 'stratus-red-team-malicious-iam-role/arn:aws:iam::aws:policy/AdministratorAccess', undefined],
    ['DeleteBucket__1.json', 'secrets', 'user_name'],
    ['UpdateFunctionConfiguration20150331v2__1.json', 'stratus-red-team-lambda-layer-simpleLambda', undefined],
    ['DeleteFlowLogs__1.json', 'fl-0e17aa62a21d4bbfe', undefined],
    ['CreateStage__1.json', 'ags-abcdef74gh-latest', undefined],
    ['CreateTags__2.json', 'i-060d00000000fd95b', undefined],
    ['ModifyDBInstance__2.json', 'customer-database', 'attacker'],
    ['StopLogging__2.json', 'example-trail', undefined],
    ['CreateSecurityGroup__1.json', 'sg-04d018d184a18f647', undefined],
    ['CreateMountTarget__1.json', 'fsmt-0fcbb40c868d404e8', undefined],
  ])('%s → resource id %s', (file, id, user) => {
    const e = (parseRecord(load(file), FLAG, NOW) as { event: ChangeEvent }).event
    expect(e.resource_id).toBe(id)
    if (user) expect(e.actor?.user).toBe(user)
  })

  it('reads the whole corpus as one {Records:[…]} log through the plugin', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tfdrift-ct-corpus-'))
    try {
      const records = files.map(load)
      writeFileSync(join(tmp, 'all.json'), JSON.stringify({ Records: records }))
      const { output } = await plugin.create(testContext(), { paths: [join(tmp, 'all.json')], ingress: false })
      const items = await take(output as AsyncIterable<PipelineItem>, 1000)
      const expected = records.filter((r) => r.readOnly !== true && !(typeof r.errorCode === 'string' && r.errorCode !== '')).length
      expect(items).toHaveLength(expected)
      expect(expected).toBeGreaterThan(80)
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
