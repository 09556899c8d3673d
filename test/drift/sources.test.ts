/**
 * With several state files the drift tracker judges absence (missing / unmanaged) only once every
 * discovery node has delivered its first snapshot, and after a restart it starts from the snapshots it
 * last used: resources of a state file not read yet never show up as false drifts. Real terraform-state
 * nodes on real files, a real SQLite store.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { of } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../../engine/clock.ts'
import type { Drift, Snapshot } from '../../engine/model.ts'
import { definePlugin } from '../../engine/plugin-api.ts'
import { instance, testRuns, until, type Run } from './support/pipeline.ts'

/** A Terraform v4 state holding `aws_instance` resources: name → [id, instance_type]. */
const tfstate = (lineage: string, instances: Record<string, [string, string]>) => JSON.stringify({
  version: 4, terraform_version: '1.9.0', serial: 1, lineage, outputs: {},
  resources: Object.entries(instances).map(([name, [id, type]]) => ({
    mode: 'managed', type: 'aws_instance', name, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 1, attributes: { id, instance_type: type } }],
  })),
})

/** The live side, emitted as soon as the node starts: it reaches the tracker before any state file. */
const live = definePlugin({
  name: 'test-live-now', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: (ctx) => ({
    output: of({ type: 'snapshot', data: {
      kind: 'observed', source: 'aws', taken_at: ctx.clock.isoNow(),
      resources: [instance('aws_instance.a', 'i-a', { instance_type: 't3.large' }), instance('aws_instance.b', 'i-b', { instance_type: 't3.micro' })],
    } satisfies Snapshot }),
  }),
})

const runs = testRuns('tfdrift-sources-')

const drifts = (run: Run) => run.seen.filter((e) => e.topic === 'drifts').map((e) => `${e.type} ${(e.data as Drift).kind} ${(e.data as Drift).address}`)

describe('drift tracker with several state files', () => {
  it('at first start, waits for the second state node before judging missing and unmanaged', async () => {
    const dir = runs.dir()
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    writeFileSync(join(dir, 'a.tfstate'), tfstate('l-a', { a: ['i-a', 't3.micro'] }))
    const run = await runs.boot(dir, clock, {
      discovery: [
        { use: 'terraform-state', id: 'state-a', with: { paths: [join(dir, 'a.tfstate')], refresh: 20 } },
        { use: 'terraform-state', id: 'state-b', with: { paths: [join(dir, 'b.tfstate')], refresh: 20 } },
        { use: live, id: 'live' },
      ],
      analysis: [{ use: 'drift', id: 'drift' }],
      remediation: [{ use: 'terraform-remediation', id: 'plans' }],
    })
    // The modified drift needs no absence judgement: it is reported at once.
    await until(() => drifts(run).includes('drift.detected modified aws_instance.a'), 'the modified drift of state a')
    await until(() => run.types('source.error').length > 0, 'state b not readable yet')
    writeFileSync(join(dir, 'b.tfstate'), tfstate('l-b', { b: ['i-b', 't3.micro'] }))
    await until(() => run.types('state.summary').some((e) => (e.data as { sources: { expected: string[] } }).sources.expected.length === 2), 'state b read')

    expect(drifts(run)).toEqual(['drift.detected modified aws_instance.a'])
    expect(run.types('remediation.proposed')).toHaveLength(1)
  })

  it('after a restart, a state file read after another one of the same node causes no false drift', async () => {
    const dir = runs.dir()
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    writeFileSync(join(dir, 'a.tfstate'), tfstate('l-a', { a: ['i-a', 't3.micro'] }))
    writeFileSync(join(dir, 'b.tfstate'), tfstate('l-b', { b: ['i-b', 't3.micro'] }))
    const pipeline = {
      discovery: [{ use: 'terraform-state', id: 'states', with: { paths: [join(dir, 'a.tfstate'), join(dir, 'b.tfstate')], refresh: 0 } }, { use: live, id: 'live' }],
      analysis: [{ use: 'drift', id: 'drift' }],
    }
    const first = await runs.boot(dir, clock, pipeline)
    await until(() => first.types('state.summary').some((e) => (e.data as { sources: { expected: string[] } }).sources.expected.length === 2), 'both states read')
    await first.stop()
    runs.forget()

    const second = await runs.boot(dir, clock, pipeline)
    await until(async () => second.runtime.stats().nodes.find((n) => n.node === 'states')?.state === 'completed', 'both states read again')
    await until(async () => second.runtime.stats().nodes.find((n) => n.node === 'drift')?.queue_depth === 0, 'the tracker idle')
    expect(drifts(second)).toEqual([])
  })
})
