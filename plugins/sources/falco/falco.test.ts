import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ChangeEvent } from '../../../engine/model.ts'
import type { PipelineItem } from '../../../engine/plugin-api.ts'
import { requireCorpus } from '../../../test/support/corpus.ts'
import { take, testContext } from '../../../test/plugins/context.ts'
import plugin from './index.ts'
import { convertAlert, type ConvertOptions } from './convert.ts'

const NOW = '2026-11-22T10:00:00.000Z'
const OPTS: ConvertOptions = { failed: 'skip', read_only: 'skip' }
const meta = { tenant: 'acme', headers: {} }

const alert = (fields: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  hostname: 'falco-7d9f', output: 'Warning Potential Terraform drift detected', priority: 'Warning', rule: 'Terraform Managed Resource Modified',
  source: 'aws_cloudtrail', tags: ['drift', 'terraform'], time: '2026-11-20T08:15:00.123456789Z', output_fields: fields, ...over,
})

describe('falco alert conversion', () => {
  it('maps CloudTrail-plugin fields to a change event with resource and actor', () => {
    const r = convertAlert(alert({
      'ct.name': 'AuthorizeSecurityGroupIngress', 'ct.region': 'eu-west-1', 'ct.src': 'ec2.amazonaws.com', 'ct.id': '9fd68588-ecbf-4528-a345-199fa6bb0821',
      'ct.request': '{"groupId":"sg-0a1b2c3d4e5f60718","ipPermissions":{"items":[{"fromPort":22,"toPort":22}]}}',
      'ct.user': 'alice@acme.example', 'ct.user.arn': 'arn:aws:sts::123456789012:assumed-role/Admin/alice@acme.example', 'ct.user.accountid': '123456789012',
      'ct.srcip': '203.0.113.24', 'ct.useragent': 'console.ec2.amazonaws.com',
    }), OPTS, NOW)
    expect(r).toMatchObject({
      kind: 'event',
      event: {
        source: 'falco', time: '2026-11-20T08:15:00.123Z', event_name: 'AuthorizeSecurityGroupIngress', event_source: 'ec2.amazonaws.com',
        resource_type: 'aws_security_group', resource_id: 'sg-0a1b2c3d4e5f60718', arn: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f60718',
        region: 'eu-west-1', account_id: '123456789012',
        actor: { user: 'alice@acme.example', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice@acme.example', source_ip: '203.0.113.24', user_agent: 'console.ec2.amazonaws.com', event_id: '9fd68588-ecbf-4528-a345-199fa6bb0821' },
        parameters: { groupId: 'sg-0a1b2c3d4e5f60718' },
      },
    })
  })

  it('reads lower-cased ct.request.* fields, ct.resources ARNs, null and integer fields', () => {
    const r = convertAlert(alert({ 'ct.name': 'DeleteBucket', 'ct.request.bucket': 'acme-logs', 'ct.request.name': null, 'ct.user': 'bob', 'ct.user.accountid': 123456789012, 'evt.time.iso8601': 1784730281000000000 }, { time: undefined }), OPTS, NOW)
    expect(r).toMatchObject({ kind: 'event', event: { resource_type: 'aws_s3_bucket', resource_id: 'acme-logs', arn: 'arn:aws:s3:::acme-logs', account_id: '123456789012', time: '2026-07-22T14:24:41.000Z' } })
    const withResources = convertAlert(alert({ 'ct.name': 'StopInstances', 'ct.resources': 'AWS::EC2::Instance arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0' }), OPTS, NOW)
    expect(withResources).toMatchObject({ kind: 'event', event: { resource_type: 'aws_instance', resource_id: 'i-0123456789abcdef0', arn: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0' } })
  })

  it('skips read-only and failed calls unless told to keep or flag them', () => {
    expect(convertAlert(alert({ 'ct.name': 'DescribeInstances' }), OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    expect(convertAlert(alert({ 'ct.name': 'DescribeInstances' }), { ...OPTS, read_only: 'keep' }, NOW).kind).toBe('event')
    expect(convertAlert(alert({ 'ct.name': 'RunInstances', 'ct.error': 'UnauthorizedOperation' }), OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'failed' })
    expect(convertAlert(alert({ 'ct.name': 'RunInstances', 'ct.error': 'UnauthorizedOperation' }), { ...OPTS, failed: 'flag' }, NOW)).toMatchObject({ kind: 'event', event: { error_code: 'UnauthorizedOperation' } })
  })

  it('skips alerts that are not cloud changes (syscall, k8s audit, internal)', () => {
    expect(convertAlert({ rule: 'Terminal shell in container', source: 'syscall', output_fields: { 'proc.name': 'sh' } }, OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'not_cloud' })
  })

  it.each([
    ['a string', 'hello', /must be a JSON object, got string/],
    ['null', null, /got null/],
    ['output_fields as a list', { rule: 'x', output_fields: [1] }, /output_fields must be an object/],
    ['no alert fields', { foo: 1 }, /not a Falco alert/],
    ['no event name', alert({ 'ct.region': 'eu-west-1' }), /output_fields\["ct\.name"\] is missing/],
    ['a null event name', alert({ 'ct.name': null }), /output_fields\["ct\.name"\] is null/],
    ['a bad time', alert({ 'ct.name': 'RunInstances' }, { time: 'yesterday' }), /time "yesterday" is not an RFC 3339 timestamp/],
  ])('rejects %s with a precise message', (_label, bad, message) => {
    const r = convertAlert(bad, OPTS, NOW)
    expect(r.kind).toBe('invalid')
    expect((r as { message: string }).message).toMatch(message)
  })

  it('masks secret-looking request parameters', () => {
    const r = convertAlert(alert({ 'ct.name': 'UpdateLoginProfile', 'ct.request': '{"userName":"bob","password":"hunter2"}' }), OPTS, NOW)
    expect(JSON.stringify(r)).not.toContain('hunter2')
  })
})

describe('falco plugin ingress', () => {
  it('registers POST /api/v1/falco/events with the publish scope and emits accepted alerts in order', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, {})
    expect(ctx.routes).toHaveLength(1)
    expect(ctx.routes[0]).toMatchObject({ method: 'POST', path: '/api/v1/falco/events', scope: 'publish' })
    const route = ctx.routes[0]!
    expect(await route.handle(alert({ 'ct.name': 'RunInstances' }), meta)).toEqual({ status: 202, data: { accepted: 1, skipped: {} } })
    const batch = [alert({ 'ct.name': 'TerminateInstances' }), { rule: 'Terminal shell in container', output_fields: {} }, 'garbage', alert({ 'ct.region': 'x' })]
    const res = await route.handle(batch, meta)
    expect(res.status).toBe(400)
    expect(res.data).toMatchObject({ code: 'TFD_ERR_EVENT_INVALID', accepted: 1, skipped: { not_cloud: 1 }, rejected: [{ index: 2 }, { index: 3 }] })
    expect((res.data as { message: string }).message).toMatch(/2 of 4 Falco alert\(s\) are malformed \(item 2: .*got string; item 3: output_fields\["ct\.name"\] is missing/)
    const items = await take(output as AsyncIterable<PipelineItem>, 2)
    expect(items.map((i) => [i.type, i.topic, (i.data as ChangeEvent).event_name])).toEqual([['change.received', 'events', 'RunInstances'], ['change.received', 'events', 'TerminateInstances']])
  })

  it('declares the route it registers, so `tfdrift validate` finds collisions before anything runs', async () => {
    for (const options of [{}, { path: '/hooks/falco' }]) {
      const ctx = testContext()
      await plugin.create(ctx, options)
      expect(plugin.ingress?.(options)).toEqual(ctx.routes.map(({ method, path, scope }) => ({ method, path, scope })))
      ctx.controller.abort()
    }
  })

  it('answers 503 (keeping nothing) when its queue is full, then accepts again once drained', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { path: '/hooks/falco', queue_size: 2 })
    const route = ctx.routes[0]!
    expect(route.path).toBe('/hooks/falco')
    expect((await route.handle([alert({ 'ct.name': 'RunInstances' }), alert({ 'ct.name': 'StopInstances' })], meta)).status).toBe(202)
    const full = await route.handle([alert({ 'ct.name': 'StartInstances' })], meta)
    expect(full).toMatchObject({ status: 503, data: { code: 'queue_full' } })
    expect(await take(output as AsyncIterable<PipelineItem>, 2)).toHaveLength(2)
    expect((await route.handle([alert({ 'ct.name': 'StartInstances' })], meta)).status).toBe(202)
  })
})

const corpus = requireCorpus()
describe.runIf(corpus)('falco corpus (every alert in fixtures/falco)', () => {
  const dir = join(corpus ?? '', 'falco')
  const files = corpus ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>
  const cloud = (a: Record<string, unknown>) => a.source === 'aws_cloudtrail' || a.source === 'gcpaudit' || Object.keys((a.output_fields ?? {}) as object).some((k) => /^(ct|gcp)\./.test(k))

  it.each(files)('%s converts without error: cloud alerts become events, the rest are skipped', (file) => {
    const a = load(file)
    const r = convertAlert(a, { failed: 'skip', read_only: 'keep' }, NOW)
    expect(r.kind, JSON.stringify(r)).toBe(cloud(a) ? 'event' : 'skipped')
    if (r.kind === 'event') {
      expect(r.event.source).toBe('falco')
      expect(r.event.event_name).toBeTruthy()
      expect(Number.isNaN(Date.parse(r.event.time))).toBe(false)
      expect(r.event.actor?.event_name).toBe(r.event.event_name)
    }
  })

  it('the real capture (null and integer output_fields) keeps actor, region, account and time', () => {
    const r = convertAlert(load('tfdrift-falco__real-capture__AuthorizeSecurityGroupIngress.json'), OPTS, NOW)
    expect(r).toMatchObject({
      kind: 'event',
      event: {
        event_name: 'AuthorizeSecurityGroupIngress', resource_type: 'aws_security_group', region: 'ap-northeast-1', account_id: '230446364776', time: '2026-07-22T14:24:41.000Z',
        actor: { user: 'ADMIN_OKTA_TEST', source_ip: '221.113.81.87', account_id: '230446364776' },
      },
    })
    expect((r as { event: ChangeEvent }).event.resource_id).toBeUndefined()
  })

  it.each([
    ['tfdrift-falco__fixture__ModifyInstanceAttribute.json', { resource_type: 'aws_instance', resource_id: 'i-1234567890abcdef0', actor: { user: 'admin', arn: 'arn:aws:iam::123456789012:user/admin' } }],
    ['tfdrift-falco__demo__ModifyInstanceAttribute.json', { resource_id: 'i-0demoweb0000001', region: 'ap-northeast-1', parameters: { instanceType: { value: 't3.2xlarge' } } }],
    ['tfdrift-falco__fixture__e2e-ModifyInstanceAttribute.json', { resource_id: 'i-0moneyshotdemo01', time: '2026-07-23T09:40:55.000Z', actor: { user: 'ADMIN_OKTA_TEST' } }],
    ['tfdrift-falco__fixture__e2e-ModifyInstanceAttribute-ctrequest.json', { resource_type: 'aws_instance', time: NOW }],
    ['tfdrift-falco__docs__gcpaudit-setMetadata.json', { event_name: 'compute.instances.setMetadata', resource_type: 'google_compute_instance', resource_id: 'projects/123456789/zones/us-central1-a/instances/my-instance', account_id: 'my-project-123', actor: { user: 'user@example.com' } }],
    ['tfdrift-falco__docs__gcpaudit-setMetadata-design.json', { region: 'us-central1', account_id: '123', actor: { user: 'user@example.com' } }],
  ])('%s maps its fields', (file, expected) => {
    expect(convertAlert(load(file), OPTS, NOW)).toMatchObject({ kind: 'event', event: expected })
  })

  it('skips the read-only DescribeInstances alert', () => {
    expect(convertAlert(load('tfdrift-falco__fixture__DescribeInstances-readonly.json'), OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'read_only' })
  })

  it('rejects each line of the drift-event NDJSON (not Falco alerts) with a 400, and accepts every real alert in one batch', async () => {
    const ctx = testContext()
    await plugin.create(ctx, { read_only: 'keep' })
    const lines = readFileSync(join(dir, 'tfdrift-falco__sample-drift-events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)
    const res = await ctx.routes[0]!.handle(lines, meta)
    expect(res.status).toBe(400)
    expect((res.data as { rejected: unknown[] }).rejected).toHaveLength(lines.length)
    expect((res.data as { message: string }).message).toMatch(/not a Falco alert/)
    const all = await ctx.routes[0]!.handle(files.map(load), meta)
    expect(all.status).toBe(202)
    expect((all.data as { accepted: number }).accepted).toBe(files.map(load).filter(cloud).length)
  })
})
