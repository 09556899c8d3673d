import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { maskSecrets, type ChangeEvent, type PipelineItem } from 'tfdrift'
import { validateEventPublication, take, testContext } from 'tfdrift/testing'
import { requireCorpus } from '../../../test/support/corpus.ts'
import plugin from './index.ts'
import { convertAlert, type ConvertOptions, type SecurityAlert } from './convert.ts'

const NOW = '2026-11-22T10:00:00.000Z'
const OPTS: ConvertOptions = { failed: 'skip', read_only: 'skip', security_alerts: true }
const OFF: ConvertOptions = { ...OPTS, security_alerts: false }
/** The check the bus's consumers rely on: the envelope this data becomes matches schemas/events/security.alert.schema.json. */
const publishable = (data: unknown) => validateEventPublication({ topic: 'events', type: 'security.alert', tenant: 'acme', data: JSON.parse(JSON.stringify(data)) })
/** A syscall alert in the shape Falco's http_output posts (own values, not a fixture). */
const shell = (over: Record<string, unknown> = {}) => ({
  hostname: 'node-3', output: '10:01:02.123456789: Critical A shell was spawned in a container (user=root shell=bash cmdline=bash -i)', priority: 'Critical',
  rule: 'Terminal shell in container', source: 'syscall', tags: ['container', 'shell', 'mitre_execution'], time: '2026-11-21T10:01:02.123456789Z',
  output_fields: { 'container.id': 'c0ffee123456', 'evt.time': 1795255262123456789, 'proc.cmdline': 'bash -i', 'proc.name': 'bash', 'proc.tty': 34816, 'user.loginuid': -1, 'user.name': 'root' },
  ...over,
})
const meta = { tenant: 'acme', headers: {} }
const route = (ctx: ReturnType<typeof testContext>) => ctx.routes[0]!

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

  it('keeps ct.request.* fields named like Object members as plain parameters', () => {
    const r = convertAlert(alert({ 'ct.name': 'PutBucketTagging', 'ct.request.bucket': 'acme-logs', 'ct.request.constructor': 'x', 'ct.request.__proto__': 'y' }), OPTS, NOW)
    expect(r.kind).toBe('event')
    const parameters = (r as { event: { parameters: Record<string, unknown> } }).event.parameters
    expect(Object.keys(parameters).sort()).toEqual(['__proto__', 'bucketName', 'constructor'])
    expect(Object.getPrototypeOf(parameters)).toBe(Object.prototype)
  })

  it('skips read-only and failed calls unless told to keep or flag them', () => {
    expect(convertAlert(alert({ 'ct.name': 'DescribeInstances' }), OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    expect(convertAlert(alert({ 'ct.name': 'DescribeInstances' }), { ...OPTS, read_only: 'keep' }, NOW).kind).toBe('event')
    expect(convertAlert(alert({ 'ct.name': 'RunInstances', 'ct.error': 'UnauthorizedOperation' }), OPTS, NOW)).toMatchObject({ kind: 'skipped', reason: 'failed' })
    expect(convertAlert(alert({ 'ct.name': 'RunInstances', 'ct.error': 'UnauthorizedOperation' }), { ...OPTS, failed: 'flag' }, NOW)).toMatchObject({ kind: 'event', event: { error_code: 'UnauthorizedOperation' } })
  })

  it('turns alerts that are not cloud changes into security alerts: priority, severity, rule, source, time, hostname, tags, output and fields', () => {
    const r = convertAlert(shell(), OPTS, NOW)
    expect(r).toEqual({
      kind: 'alert',
      alert: {
        id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), rule: 'Terminal shell in container', priority: 'Critical', severity: 'critical', source: 'syscall',
        time: '2026-11-21T10:01:02.123Z', hostname: 'node-3', tags: ['container', 'shell', 'mitre_execution'], output: shell().output, output_fields: shell().output_fields,
      },
    })
    expect(publishable((r as { alert: SecurityAlert }).alert)).toEqual({ ok: true })
    const k8s = convertAlert({ rule: 'Attach/Exec Pod', priority: 'Notice', source: 'k8s_audit', time: '2026-11-21T10:05:00Z', output_fields: { 'ka.target.namespace': 'prod', 'ka.user.name': 'alice' } }, OPTS, NOW)
    expect(k8s).toMatchObject({ kind: 'alert', alert: { rule: 'Attach/Exec Pod', severity: 'low', source: 'k8s_audit', tags: [], output_fields: { 'ka.user.name': 'alice' } } })
    expect(publishable((k8s as { alert: SecurityAlert }).alert)).toEqual({ ok: true })
  })

  it('skips alerts that are not cloud changes when security_alerts is off, as before', () => {
    expect(convertAlert(shell(), OFF, NOW)).toEqual({ kind: 'skipped', reason: 'not_cloud', event_name: 'Terminal shell in container' })
    expect(convertAlert({ source: 'syscall', output_fields: { 'proc.name': 'sh' } }, OFF, NOW)).toEqual({ kind: 'skipped', reason: 'not_cloud' })
  })

  it("masks a security alert's secret-looking fields exactly as change events' parameters are masked, and their values in the output text", () => {
    const fields = { 'proc.name': 'mysqld', 'proc.env[MYSQL_PASSWORD]': 'hunter2-pass', 'k8s.secret.token': 'tok-123456', 'ka.req.body': '{"kind":"Secret","data":{"password":"c2VjcmV0"}}' }
    const r = convertAlert(shell({ output: 'Notice env leak (proc=mysqld MYSQL_PASSWORD=hunter2-pass token=tok-123456)', output_fields: fields }), OPTS, NOW)
    const alert = (r as { alert: SecurityAlert }).alert
    expect(alert.output_fields).toEqual(maskSecrets(fields))
    expect(alert.output_fields['proc.env[MYSQL_PASSWORD]']).toBe('(sensitive)')
    expect(alert.output).toBe('Notice env leak (proc=mysqld MYSQL_PASSWORD=(sensitive) token=(sensitive))')
    for (const secret of ['hunter2', 'tok-123456', 'c2VjcmV0']) expect(JSON.stringify(r)).not.toContain(secret)
    expect(alert.output_fields['proc.name']).toBe('mysqld')
  })

  it.each([
    ['info', 'Informational', 'info'], ['DEBUG', 'Debug', 'info'], ['alert', 'Alert', 'critical'], ['Emergency', 'Emergency', 'critical'],
    ['Error', 'Error', 'high'], ['warning', 'Warning', 'medium'], ['Notice', 'Notice', 'low'],
  ])("reads Falco's priority %s as %s, severity %s (so WS/SSE severity filters apply)", (priority, canonical, severity) => {
    expect(convertAlert(shell({ priority }), OPTS, NOW)).toMatchObject({ kind: 'alert', alert: { priority: canonical, severity } })
  })

  it('keeps an unknown priority as sent, without a severity, and omits what the alert does not say', () => {
    const odd = convertAlert(shell({ priority: 'Loud' }), OPTS, NOW) as { alert: SecurityAlert }
    expect(odd.alert.priority).toBe('Loud')
    expect(odd.alert).not.toHaveProperty('severity')
    const bare = convertAlert({ rule: 'Falco internal: metrics snapshot', output_fields: { 'evt.source': 'syscall' } }, OPTS, NOW) as { alert: SecurityAlert }
    expect(bare.alert).toEqual({ id: expect.any(String), rule: 'Falco internal: metrics snapshot', time: NOW, tags: [], output_fields: { 'evt.source': 'syscall' } })
    expect(publishable(bare.alert)).toEqual({ ok: true })
  })

  it("takes the time from `time`, else from evt.time; a `time` with junk after it keeps its RFC 3339 part; else when received", () => {
    const at = (over: Record<string, unknown>) => (convertAlert(shell(over), OPTS, NOW) as { alert: SecurityAlert }).alert.time
    expect(at({ time: undefined })).toBe('2026-11-21T10:01:02.123Z')
    expect(at({ time: '2021-04-13T20:58:00.746609046Z+2' })).toBe('2021-04-13T20:58:00.746Z')
    expect(at({ time: 'yesterday', output_fields: {} })).toBe(NOW)
    expect(at({ time: undefined, output_fields: {} })).toBe(NOW)
  })

  it('uses evt.hostname when the alert has no hostname, and keeps only string tags', () => {
    const r = convertAlert(shell({ hostname: undefined, tags: ['shell', 3, null], output_fields: { 'evt.hostname': 'node-9' } }), OPTS, NOW)
    expect(r).toMatchObject({ kind: 'alert', alert: { hostname: 'node-9', tags: ['shell'] } })
  })

  it('rejects a security alert without a rule name, which a stream consumer could not tell apart', () => {
    const r = convertAlert({ source: 'syscall', output: 'something', output_fields: { 'proc.name': 'sh' } }, OPTS, NOW)
    expect(r).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/has no `rule`/) })
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
    expect(await route.handle(alert({ 'ct.name': 'RunInstances' }), meta)).toEqual({ status: 202, data: { accepted: 1, alerts: 0, skipped: {} } })
    const batch = [alert({ 'ct.name': 'TerminateInstances' }), { rule: 'Terminal shell in container', output_fields: {} }, 'garbage', alert({ 'ct.region': 'x' }), alert({ 'ct.name': 'DescribeInstances' })]
    const res = await route.handle(batch, meta)
    expect(res.status).toBe(400)
    expect(res.data).toEqual({
      code: 'TFD_ERR_EVENT_INVALID', message: expect.any(String), accepted: 1, alerts: 1, skipped: { read_only: 1 }, rejected: [{ index: 2, message: expect.any(String) }, { index: 3, message: expect.any(String) }],
    })
    expect((res.data as { message: string }).message).toMatch(/2 of 5 Falco alert\(s\) are malformed \(item 2: .*got string; item 3: output_fields\["ct\.name"\] is missing/)
    const items = await take(output as AsyncIterable<PipelineItem>, 3)
    expect(items.map((i) => [i.type, i.topic, (i.data as { event_name?: string; rule?: string }).event_name ?? (i.data as SecurityAlert).rule])).toEqual([
      ['change.received', 'events', 'RunInstances'], ['change.received', 'events', 'TerminateInstances'], ['security.alert', 'events', 'Terminal shell in container'],
    ])
  })

  it('with security_alerts off answers and emits exactly as before: other alerts are counted as skipped, nothing else is queued', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { security_alerts: false })
    const res = await ctx.routes[0]!.handle([shell(), alert({ 'ct.name': 'RunInstances' }), shell({ source: 'k8s_audit' })], meta)
    expect(res).toEqual({ status: 202, data: { accepted: 1, skipped: { not_cloud: 2 } } })
    expect((await route(ctx).handle(alert({ 'ct.name': 'StopInstances' }), meta))).toEqual({ status: 202, data: { accepted: 1, skipped: {} } })
    expect((await take(output as AsyncIterable<PipelineItem>, 2)).map((i) => i.type)).toEqual(['change.received', 'change.received'])
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

  it('queues a batch of change events and security alerts whole or not at all, so the retry after a 503 duplicates nothing', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { queue_size: 2 })
    const full = await route(ctx).handle([alert({ 'ct.name': 'RunInstances' }), shell()], meta)
    expect(full).toEqual({ status: 202, data: { accepted: 1, alerts: 1, skipped: {} } })
    // One slot is free after a take; a change event alone would fit, the batch does not.
    expect(await take(output as AsyncIterable<PipelineItem>, 1)).toHaveLength(1)
    expect(await route(ctx).handle([alert({ 'ct.name': 'StopInstances' }), shell()], meta)).toMatchObject({ status: 503, data: { code: 'queue_full' } })
    expect(await route(ctx).handle([shell(), shell()], meta)).toMatchObject({ status: 503, data: { code: 'queue_full' } })
    expect((await take(output as AsyncIterable<PipelineItem>, 1)).map((i) => i.type)).toEqual(['security.alert'])
    expect(await route(ctx).handle([alert({ 'ct.name': 'StopInstances' }), shell()], meta)).toMatchObject({ status: 202 })
    expect((await take(output as AsyncIterable<PipelineItem>, 2)).map((i) => i.type).sort()).toEqual(['change.received', 'security.alert'])
  })
})

const corpus = requireCorpus()
describe.runIf(corpus)('falco corpus (every alert in fixtures/falco)', () => {
  const dir = join(corpus ?? '', 'falco')
  const files = corpus ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>
  const cloud = (a: Record<string, unknown>) => a.source === 'aws_cloudtrail' || a.source === 'gcpaudit' || Object.keys((a.output_fields ?? {}) as object).some((k) => /^(ct|gcp)\./.test(k))

  it.each(files)('%s converts without error: cloud alerts become change events, the rest schema-valid security alerts', (file) => {
    const a = load(file)
    const r = convertAlert(a, { ...OPTS, read_only: 'keep' }, NOW)
    expect(r.kind, JSON.stringify(r)).toBe(cloud(a) ? 'event' : 'alert')
    if (r.kind === 'event') {
      expect(r.event.source).toBe('falco')
      expect(r.event.event_name).toBeTruthy()
      expect(Number.isNaN(Date.parse(r.event.time))).toBe(false)
      expect(r.event.actor?.event_name).toBe(r.event.event_name)
    }
    if (r.kind === 'alert') {
      expect(publishable(r.alert)).toEqual({ ok: true })
      expect(r.alert.rule).toBe(a.rule)
      expect(Object.keys(r.alert.output_fields)).toEqual(Object.keys(a.output_fields as object))
      for (const k of ['source', 'hostname'] as const) if (typeof a[k] === 'string') expect(r.alert[k]).toBe(a[k])
      if (Array.isArray(a.tags)) expect(r.alert.tags).toEqual(a.tags)
    }
    expect(convertAlert(a, { ...OFF, read_only: 'keep' }, NOW).kind).toBe(cloud(a) ? 'event' : 'skipped')
  })

  it('loses and misclassifies none: every alert is a change event or a security alert, in the counts the files give', () => {
    const alerts = files.map(load)
    const kinds = alerts.map((a) => convertAlert(a, { ...OPTS, read_only: 'keep' }, NOW).kind)
    const count = (k: string) => kinds.filter((x) => x === k).length
    expect(count('event')).toBe(alerts.filter(cloud).length)
    expect(count('alert')).toBe(alerts.filter((a) => !cloud(a)).length)
    expect(count('event') + count('alert')).toBe(files.length)
    // Pinned so a corpus change that moves them is noticed (issue 8 says 21 of 30; the files hold 22 besides 8 cloud alerts).
    expect([files.length, count('event'), count('alert')]).toEqual([30, 8, 22])
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
    expect(all).toEqual({ status: 202, data: { accepted: files.map(load).filter(cloud).length, alerts: files.map(load).filter((a) => !cloud(a)).length, skipped: {} } })
  })
})
