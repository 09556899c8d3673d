/** The `drift` analysis plugin: its options schema, the detected → updated → resolved lifecycle, actor attribution, and the demo estate end to end. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import driftPlugin, { drift } from '../../plugins/analysis/drift/index.ts'
import demoPlugin from '../../plugins/discovery/demo/index.ts'
import { BUILTIN_PLUGINS } from '../../plugins/index.ts'
import type { ChangeEvent, Drift, ResourceInstance, Snapshot } from '../../engine/model.ts'
import type { OperatorInstance, PipelineItem } from '../../engine/plugin-api.ts'
import { testContext } from '../plugins/context.ts'

const inst = (address: string, attributes: Record<string, unknown>): ResourceInstance => {
  const [type, name] = address.split('.') as [string, string]
  return { address, mode: 'managed', type, name, provider: 'aws', resource_id: attributes.id as string, attributes }
}
const snap = (kind: Snapshot['kind'], resources: ResourceInstance[], source = `${kind}.json`): PipelineItem<Snapshot> =>
  ({ type: 'snapshot', data: { kind, source, taken_at: '2026-11-22T10:00:00Z', resources } })

async function operator(options: Record<string, unknown> = {}) {
  const ctx = testContext()
  const instance = (await driftPlugin.create(ctx, options)) as OperatorInstance
  const input = new Subject<PipelineItem>()
  const out: PipelineItem[] = []
  input.pipe(instance.operator).subscribe((item) => out.push(item))
  return { ctx, input, out, drain: () => out.splice(0, out.length) }
}

describe('drift plugin definition', () => {
  it('is registered as a built-in analysis plugin with a typed config helper', () => {
    expect(BUILTIN_PLUGINS).toContain(driftPlugin)
    expect(driftPlugin).toMatchObject({ name: 'drift', kind: 'analysis' })
    expect(drift({ ignore: ['aws_s3_bucket.*'] }, { id: 'd' })).toEqual({ use: 'drift', with: { ignore: ['aws_s3_bucket.*'] }, id: 'd' })
  })

  it('has an options schema where every option has a description, and every example validates', () => {
    const ajv = new Ajv2020({ useDefaults: true, strict: false })
    const validate = ajv.compile(driftPlugin.optionsSchema)
    const props = driftPlugin.optionsSchema.properties as Record<string, { description?: string; examples?: unknown[] }>
    for (const [name, prop] of Object.entries(props)) {
      expect(prop.description, name).toBeTruthy()
      for (const example of prop.examples ?? []) expect(validate({ [name]: example }), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true)
    }
    expect(validate({ min_severity: 'huge' })).toBe(false)
    expect(validate({ unknown: 1 })).toBe(false)
    const withDefaults: Record<string, unknown> = {}
    validate(withDefaults)
    expect(withDefaults).toMatchObject({ ignore: [], min_severity: 'info', recent_changes: 10000 })
  })

  it('fails clearly when the ignore file cannot be read', async () => {
    await expect(async () => driftPlugin.create(testContext(), { ignore_file: '/nonexistent/.tfdriftignore' })).rejects.toMatchObject({ code: 'TFD_ERR_IGNORE_FILE' })
  })
})

describe('drift operator', () => {
  const expected = snap('expected', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.micro' }), inst('aws_s3_bucket.logs', { id: 'logs' })])

  it('detects, updates, resolves, and summarises coverage', async () => {
    const { input, drain } = await operator()
    input.next(expected)
    expect(drain()).toEqual([]) // one side only: nothing to compare yet
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.large' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    let out = drain()
    expect(out.map((i) => i.type)).toEqual(['drift.detected', 'state.summary'])
    const detected = out[0]!.data as Drift
    expect(out[0]!.topic).toBe('drifts')
    expect(detected).toMatchObject({ kind: 'modified', address: 'aws_instance.web', status: 'open', detected_at: '2026-11-22T10:00:00.000Z' })
    expect(out[1]).toMatchObject({ topic: 'state', data: { coverage: { managed: 2, modified: 1, percent: 100 }, counts: { total: 1 } } })

    // Same drift again: no event, only the summary.
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.large' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    expect(drain().map((i) => i.type)).toEqual(['state.summary'])

    // Changed again: same id, updated, first detection time kept.
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.xlarge' })]))
    out = drain()
    expect(out.map((i) => i.type)).toEqual(['drift.updated', 'drift.detected', 'state.summary'])
    expect((out[0]!.data as Drift).id).toBe(detected.id)
    expect((out[0]!.data as Drift).detected_at).toBe(detected.detected_at)
    expect((out[1]!.data as Drift).kind).toBe('missing')

    // Everything back in sync: both resolved.
    input.next(snap('observed', expected.data.resources))
    out = drain()
    expect(out.filter((i) => i.type === 'drift.resolved').map((i) => (i.data as Drift).status)).toEqual(['resolved', 'resolved'])
    expect(out.at(-1)).toMatchObject({ type: 'state.summary', data: { counts: { total: 0 } } })
  })

  it('recomputes only when a snapshot changed (same state serial and lineage: nothing to emit)', async () => {
    const { input, drain } = await operator()
    const state = (serial: number) => ({ type: 'snapshot', data: { ...expected.data, serial, lineage: 'l-1' } })
    input.next(state(1))
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.large' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    expect(drain().map((i) => i.type)).toEqual(['drift.detected', 'state.summary'])
    input.next(state(1))
    expect(drain()).toEqual([])
    input.next(state(2))
    expect(drain().map((i) => i.type)).toEqual(['state.summary'])
  })

  it('attributes drifts to the actor of a recent change event, before or after detection', async () => {
    const { input, drain } = await operator()
    const change: ChangeEvent = {
      id: 'ev-1', source: 'cloudtrail', time: '2026-11-22T09:59:00Z', event_name: 'ModifyInstanceAttribute', resource_id: 'i-1',
      actor: { user: 'alice', arn: 'arn:aws:iam::1:user/alice', source_ip: '10.0.0.1' },
    }
    input.next({ type: 'change.received', topic: 'events', data: change })
    expect(drain()).toEqual([])
    input.next(expected)
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.large' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    const detected = drain().find((i) => i.type === 'drift.detected')!.data as Drift
    expect(detected.actor).toMatchObject({ user: 'alice', event_name: 'ModifyInstanceAttribute', event_id: 'ev-1' })

    // A later call on a drift whose cause is known changed more or put it back: the next snapshot tells which.
    input.next({ type: 'change.received', topic: 'events', data: { ...change, id: 'ev-2', actor: { user: 'bob' } } })
    expect(drain()).toEqual([])
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 't3.xlarge' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    const updated = drain().filter((i) => i.type.startsWith('drift.'))
    expect(updated.map((i) => i.type)).toEqual(['drift.updated'])
    expect((updated[0]!.data as Drift).actor?.user).toBe('bob')
    // Failed calls changed nothing: never attributed.
    input.next({ type: 'change.received', topic: 'events', data: { ...change, id: 'ev-3', error_code: 'AccessDenied', actor: { user: 'mallory' } } })
    expect(drain()).toEqual([])
  })

  it('never blames a fixer: a partial fix keeps the cause as actor, and the one who completes it is resolved_by', async () => {
    const { input, drain } = await operator()
    const by = (user: string, id: string): PipelineItem => ({ type: 'change.received', topic: 'events', data: { id, source: 'cloudtrail', time: '2026-11-22T10:00:00.000Z', event_name: 'ModifyInstanceAttribute', resource_id: 'i-1', actor: { user } } })
    const web = (attributes: Record<string, unknown>) => snap('observed', [inst('aws_instance.web', { id: 'i-1', ...attributes }), inst('aws_s3_bucket.logs', { id: 'logs' })])
    input.next(by('alice', 'ev-1'))
    input.next(expected)
    input.next(web({ instance_type: 't3.large', ebs_optimized: true }))
    expect((drain().find((i) => i.type === 'drift.detected')!.data as Drift).actor?.user).toBe('alice')
    input.next(by('bob', 'ev-2')) // bob undoes one of alice's two changes
    input.next(web({ instance_type: 't3.micro', ebs_optimized: true }))
    const shrunk = drain().find((i) => i.type === 'drift.updated')!.data as Drift
    expect([shrunk.actor?.user, shrunk.changes!.map((c) => c.path)]).toEqual(['alice', ['ebs_optimized']])
    input.next(by('carol', 'ev-3'))
    input.next(web({ instance_type: 't3.micro' }))
    const resolved = drain().find((i) => i.type === 'drift.resolved')!.data as Drift
    expect([resolved.actor?.user, resolved.resolved_by?.user]).toEqual(['alice', 'carol'])
  })

  it('keeps the recent-changes index bounded', async () => {
    const { input, drain } = await operator({ recent_changes: 2 })
    for (const id of ['i-1', 'i-2', 'i-3']) {
      input.next({ type: 'change.received', data: { id, source: 's', time: 't', event_name: 'X', resource_id: id, actor: { user: id } } })
    }
    input.next(expected)
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', instance_type: 'big' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    const detected = drain().find((i) => i.type === 'drift.detected')!.data as Drift
    expect(detected.actor).toBeUndefined() // i-1 was the oldest and was forgotten
  })

  it('applies ignore rules, min severity, and keeps running after a bad item', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-plugin-'))
    writeFileSync(join(dir, '.tfdriftignore'), 'aws_s3_bucket.*\n')
    const { input, drain } = await operator({ ignore: ['aws_instance.*.tags.*'], ignore_file: join(dir, '.tfdriftignore'), min_severity: 'medium' })
    input.next({ type: 'snapshot', data: { kind: 'observed', source: 'bad' } }) // no resources: skipped, logged
    input.next(snap('expected', [inst('aws_instance.web', { id: 'i-1', tags: { A: '1' }, ami: 'a' }), inst('aws_s3_bucket.logs', { id: 'logs' })]))
    input.next(snap('observed', [inst('aws_instance.web', { id: 'i-1', tags: { A: '2' }, ami: 'a' })], 'observed-2.json'))
    const out = drain()
    expect(out.filter((i) => i.type.startsWith('drift.'))).toEqual([])
    expect(out.at(-1)!.type).toBe('state.summary')
  })

  it('analyses the simulated demo estate end to end, with actors from its change events', async () => {
    const ctx = testContext()
    const demo = await demoPlugin.create(ctx, { size: 200, interval: 0, max_changes: 12, seed: 'drift-test' })
    const analysis = (await driftPlugin.create(ctx, {})) as OperatorInstance
    const items = await lastValueFrom(from(demo.output as AsyncIterable<PipelineItem>).pipe(analysis.operator, toArray()))
    const types = new Set(items.map((i) => i.type))
    expect(types.has('state.summary')).toBe(true)
    expect(types.has('drift.detected')).toBe(true)
    const drifts = items.filter((i) => i.type === 'drift.detected' || i.type === 'drift.updated').map((i) => i.data as Drift)
    expect(drifts.some((d) => d.actor?.user || d.actor?.arn)).toBe(true)
    const detectedIds = items.filter((i) => i.type === 'drift.detected').map((i) => (i.data as Drift).id)
    const resolvedIds = new Set(items.filter((i) => i.type === 'drift.resolved').map((i) => (i.data as Drift).id))
    // An id is detected again only after it was resolved.
    expect(detectedIds.filter((id, n) => detectedIds.indexOf(id) !== n && !resolvedIds.has(id))).toEqual([])
  })
})
