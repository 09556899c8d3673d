/**
 * Every entry of the event mapping files, against a record of the real shape: the corpus records of
 * fixtures/cloudtrail where the event has one, plus the samples in mapping/samples (requestParameters /
 * responseElements written from the AWS API and CloudTrail documentation), wrapped in a full
 * CloudTrail envelope and parsed by the real parser. An event name with neither fails.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ChangeEvent, EventAttribute } from '../../engine/model.ts'
import { requireCorpus } from '../support/corpus.ts'
import { parseRecord, type ParseOptions } from '../../engine/audit/parse.ts'
import { loadMappings, mappingTable } from '../../engine/audit/mapping/table.ts'

const OPTIONS: ParseOptions = { failed: 'flag', read_only: 'keep', source: 'cloudtrail' }
const SAMPLES = new URL('../../engine/audit/mapping/samples/', import.meta.url)

interface Sample {
  events: string[]
  eventSource?: string
  type: string
  id: string
  request?: Record<string, unknown>
  response?: Record<string, unknown>
  attributes?: Record<string, unknown>
  alternative?: Record<string, Record<string, unknown>>
}

const samples: Array<Sample & { file: string }> = readdirSync(SAMPLES).filter((f) => f.endsWith('.samples.json') && f.startsWith('aws-')).sort()
  .flatMap((file) => (JSON.parse(readFileSync(new URL(file, SAMPLES), 'utf8')) as Sample[]).map((s) => ({ ...s, file })))

/** A CloudTrail record as CloudTrail delivers it, around a sample's parameters. */
function envelope(eventName: string, s: Sample): Record<string, unknown> {
  return {
    eventVersion: '1.09', eventTime: '2026-11-20T08:15:00Z', eventSource: s.eventSource ?? 'ec2.amazonaws.com', eventName,
    awsRegion: 'eu-west-1', sourceIPAddress: '203.0.113.24', userAgent: 'aws-cli/2.15.0', eventID: '5c1b6f0e-0a44-4bb0-9d2f-54d5b0e7c001',
    eventType: 'AwsApiCall', readOnly: false, recipientAccountId: '123456789012', managementEvent: true, eventCategory: 'Management',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
    requestParameters: s.request ?? null, responseElements: s.response ?? null,
  }
}

const asObject = (attrs: EventAttribute[] | undefined) => Object.fromEntries((attrs ?? []).map((a) => [a.path, a.value]))

const corpus = requireCorpus()
const corpusByEvent = new Map<string, string[]>()
if (corpus) {
  for (const f of readdirSync(join(corpus, 'cloudtrail')).filter((f) => f.endsWith('.json'))) {
    const name = f.split('__')[0]!.replace(/\d{8}(v\d+)?$/, '')
    corpusByEvent.set(name, [...(corpusByEvent.get(name) ?? []), f])
  }
}

const table = mappingTable()
const awsEvents = [...table.aws.keys()].sort()
const withAttributes = awsEvents.filter((e) => table.aws.get(e)!.some((x) => x.attributes?.length || x.also?.some((t) => t.attributes?.length)))

describe('event mapping table', () => {
  it('maps at least 400 AWS event names, at least 120 with attribute extraction', () => {
    expect(awsEvents.length).toBeGreaterThanOrEqual(400)
    expect(withAttributes.length).toBeGreaterThanOrEqual(120)
  })

  it.each(awsEvents)('%s has a real-shaped record (corpus or sample) for every entry', (event) => {
    const entries = table.aws.get(event)!
    const mine = samples.filter((s) => s.events.includes(event))
    const real = corpusByEvent.get(event) ?? []
    expect(mine.length + real.length, `${event}: no sample in mapping/samples and no corpus record`).toBeGreaterThan(0)
    // Entries told apart by event_source / when / unless each need their own sample.
    if (entries.length > 1) {
      for (const entry of entries) {
        const covered = mine.some((s) => (s.eventSource ?? 'ec2.amazonaws.com') === (entry.event_source ?? s.eventSource ?? 'ec2.amazonaws.com') && (entry.type_by_id_prefix || s.type === entry.type))
        expect(covered, `${event} → ${entry.type} (${entry.pointer}) has no sample`).toBe(true)
      }
    }
  })

  it.each(samples.flatMap((s) => s.events.map((e) => [e, s.file, s] as const)))('%s (%s sample) → the type, id and attribute values the sample says', (event, _file, s) => {
    const r = parseRecord(envelope(event, s), OPTIONS, '2026-11-22T10:00:00.000Z')
    expect(r.kind).toBe('event')
    const e = (r as { event: ChangeEvent }).event
    expect({ type: e.resource_type, id: e.resource_id }).toEqual({ type: s.type, id: s.id })
    expect(e.operation).toMatch(/^(create|update|delete|action)$/)
    if (s.attributes) expect(asObject(e.attributes)).toEqual(expect.objectContaining(s.attributes))
    for (const [type, values] of Object.entries(s.alternative ?? {})) {
      expect(asObject(e.alternatives?.find((a) => a.resource_type === type)?.attributes)).toEqual(values)
    }
  })

  it.runIf(corpus)('every corpus record maps to the type its manifest names, with the attribute values it carries', () => {
    const dir = join(corpus!, 'cloudtrail')
    const [header, ...rows] = readFileSync(join(dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'))
    const types = new Map(rows.map((r) => [r[0]!, r[header!.indexOf('terraform_resource_types')]!]))
    let withValues = 0
    for (const [event, files] of corpusByEvent) {
      for (const f of files) {
        const e = (parseRecord(JSON.parse(readFileSync(join(dir, f), 'utf8')), OPTIONS, '2026-11-22T10:00:00.000Z') as { event: ChangeEvent }).event
        expect(table.aws.has(event), `${f}: ${event} is not mapped`).toBe(true)
        expect(types.get(f), `${f}: ${e.resource_type}`).toContain(e.resource_type!)
        if (e.attributes?.length) withValues++
      }
    }
    expect(withValues).toBeGreaterThanOrEqual(8)
  })

  it.runIf(corpus)('corpus values land at Terraform paths in Terraform shapes', () => {
    const load = (f: string) => (parseRecord(JSON.parse(readFileSync(join(corpus!, 'cloudtrail', f), 'utf8')), OPTIONS, '2026-11-22T10:00:00.000Z') as { event: ChangeEvent }).event
    expect(asObject(load('ModifyDBInstance__2.json').attributes)).toEqual({ deletion_protection: false, publicly_accessible: true })
    expect(asObject(load('PutBucketVersioning__3.json').attributes)).toEqual({ 'versioning_configuration.0.status': 'Enabled', 'versioning_configuration.0.mfa_delete': 'Disabled' })
    expect(asObject(load('UpdateAssumeRolePolicy__1.json').attributes).assume_role_policy).toMatch(/"AWS": "arn:aws:iam::193672423079:root"/)
    expect(asObject(load('AuthorizeSecurityGroupIngress__1.json').attributes).ingress).toEqual([{ cidr_blocks: ['208.236.235.254/0'], description: '', from_port: 22, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 22 }])
    // Redacted values (userData, Lambda environment) are never claimed.
    expect(load('ModifyInstanceAttribute__1.json').attributes).toBeUndefined()
    expect(asObject(load('UpdateFunctionConfiguration20150331v2__1.json').attributes)).toEqual({ layers: ['arn:aws:lambda:eugov-eastcentral-1r:712967571683:layer:stratus-red-team-lambda-layer-my-lambda-extension:1'] })
  })

  const googleSamples = (JSON.parse(readFileSync(new URL('google.samples.json', SAMPLES), 'utf8')) as Array<Sample & { resourceName: string }>)
  const googleMethods = [...table.google.keys()].sort()

  it('maps the main GCP audit methods to google_* types', () => {
    const types = new Set([...table.google.values()].flat().map((e) => e.type))
    for (const t of ['google_compute_instance', 'google_compute_firewall', 'google_compute_network', 'google_storage_bucket', 'google_service_account', 'google_project_iam_policy', 'google_sql_database_instance']) expect(types).toContain(t)
    for (const m of googleMethods) expect(googleSamples.some((s) => s.events.includes(m)), `${m} has no sample`).toBe(true)
  })

  it.each(googleSamples.flatMap((s) => s.events.map((e) => [e, s] as const)))('GCP %s (an audit log entry as Logging delivers it) → type, Terraform id and values', (method, s) => {
    const entry = {
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', status: {}, serviceName: s.eventSource, methodName: method.startsWith('google.') || method === 'SetIamPolicy' ? method : `v1.${method}`,
        resourceName: s.resourceName, authenticationInfo: { principalEmail: 'alice@acme.example' }, requestMetadata: { callerIp: '203.0.113.9', callerSuppliedUserAgent: 'gcloud/470.0.0' },
        ...(s.request ? { request: s.request } : {}), ...(s.response ? { response: s.response } : {}),
      },
      insertId: '-abc123', resource: { type: 'gce_instance', labels: { project_id: 'acme-prod', zone: 'us-central1-a' } },
      timestamp: '2026-11-20T08:15:00.123456Z', severity: 'NOTICE', logName: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity',
    }
    const r = parseRecord(entry, OPTIONS, '2026-11-22T10:00:00.000Z')
    expect(r.kind).toBe('event')
    const e = (r as { event: ChangeEvent }).event
    expect({ type: e.resource_type, id: e.resource_id, method: e.event_name }).toEqual({ type: s.type, id: s.id, method })
    expect(e.actor).toMatchObject({ user: 'alice@acme.example', source_ip: '203.0.113.9', event_id: '-abc123', account_id: 'acme-prod' })
    if (s.attributes) expect(asObject(e.attributes)).toEqual(expect.objectContaining(s.attributes))
  })

  it('GCP: failed calls (status.code) and reads are skipped', () => {
    const entry = (methodName: string, status: unknown) => ({ protoPayload: { serviceName: 'compute.googleapis.com', methodName, resourceName: 'projects/p/zones/z/instances/i', status }, timestamp: '2026-11-20T08:15:00Z' })
    const skip: ParseOptions = { failed: 'skip', read_only: 'skip', source: 'cloudtrail' }
    expect(parseRecord(entry('v1.compute.instances.setMachineType', { code: 7, message: 'PERMISSION_DENIED' }), skip, 'x')).toMatchObject({ kind: 'skipped', reason: 'failed' })
    expect(parseRecord(entry('v1.compute.instances.get', {}), skip, 'x')).toMatchObject({ kind: 'skipped', reason: 'read_only' })
    expect(parseRecord(entry('v1.compute.instances.setMachineType', {}), skip, '2026-11-22T10:00:00.000Z').kind).toBe('event')
  })

  it.runIf(corpus)('the Falco GCP setMetadata fixture maps to google_compute_instance through the same table', async () => {
    const { convertAlert } = await import('../../plugins/sources/falco/convert.ts')
    const alert = JSON.parse(readFileSync(join(corpus!, 'falco', 'tfdrift-falco__docs__gcpaudit-setMetadata.json'), 'utf8'))
    const r = convertAlert(alert, { failed: 'skip', read_only: 'skip', security_alerts: true }, '2026-11-22T10:00:00.000Z')
    expect(r).toMatchObject({ kind: 'event', event: { resource_type: 'google_compute_instance', resource_id: 'projects/123456789/zones/us-central1-a/instances/my-instance', operation: 'update', event_name: 'compute.instances.setMetadata' } })
  })

  it('rejects a bad mapping file with TFD_ERR_MAPPING_INVALID naming the file and JSON pointer of each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfdrift-mapping-'))
    try {
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ provider: 'aws', entries: [
        { events: ['RunInstances'], type: 'aws_instance', op: 'explode', id: 'request:instanceId' },
        { events: ['StopInstances'], type: 'aws_instance', op: 'action', id: 'request:instanceId', attributes: [{ path: 'instance_type', from: 'request:x', as: 'rotx' }] },
      ] }))
      writeFileSync(join(dir, 'broken.json'), '{ "provider": ')
      let error: unknown
      try { loadMappings(dir) } catch (e) { error = e }
      expect(error).toMatchObject({ code: 'TFD_ERR_MAPPING_INVALID' })
      const problems = (error as { problems: Array<{ file: string; pointer: string; message: string }> }).problems
      expect(problems).toEqual(expect.arrayContaining([
        expect.objectContaining({ file: join(dir, 'bad.json'), pointer: '/entries/0/op' }),
        expect.objectContaining({ file: join(dir, 'broken.json'), message: expect.stringMatching(/not valid JSON/) }),
      ]))
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ provider: 'aws', entries: [{ events: ['StopInstances'], type: 'aws_instance', op: 'action', id: 'request:instanceId', attributes: [{ path: 'instance_type', from: 'request:x', as: 'rotx' }] }, { events: ['StopInstances'], type: 'aws_instance', op: 'action', id: 'request:instanceId' }] }))
      rmSync(join(dir, 'broken.json'))
      try { loadMappings(dir) } catch (e) { error = e }
      expect((error as { problems: Array<{ pointer: string; message: string }> }).problems).toEqual([
        expect.objectContaining({ pointer: '/entries/0/attributes/0/as', message: expect.stringContaining('converter "rotx" does not exist') }),
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
