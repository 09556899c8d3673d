/**
 * The drift tracker keeps its memory (#8 item 4), through real runtime runs on a real SQLite file:
 * a restart continues the open drifts (same ids, detected_at, actor; not detected again) and keeps
 * remediation decisions; a change event that puts a resource back is named the resolver, not the cause;
 * the plans of a resolved drift become `obsolete`.
 */
import { describe, expect, it } from 'vitest'
import { manualClock } from '../../engine/clock.ts'
import type { Drift, RemediationPlan } from '../../engine/model.ts'
import type { NodeConfig } from '../../engine/plugin-api.ts'
import { startRest, TOKENS } from '../rest/harness.ts'
import { change, instance, scripted, snapshot, testRuns, until, type Run } from './support/pipeline.ts'

const state = scripted('test-state')
const live = scripted('test-live')
const events = scripted('test-events', 'source')
const PIPELINE: Record<string, NodeConfig[]> = {
  discovery: [{ use: state.plugin, id: 'state' }, { use: live.plugin, id: 'live' }],
  sources: [{ use: events.plugin, id: 'events' }],
  analysis: [{ use: 'drift', id: 'drift' }],
  remediation: [{ use: 'terraform-remediation', id: 'plans' }],
}

const runs = testRuns('tfdrift-continuity-')

const plansOf = async (run: Run) => (await run.runtime.store.listRemediations('acme', { limit: 1000 })).items
const driftsOf = async (run: Run) => (await run.runtime.store.listDrifts('acme', { limit: 1000 })).items

describe('drift tracker continuity', () => {
  it('a restart continues open drifts (same id, detected_at, actor; no drift.detected) and re-proposes no decided plan', async () => {
    const dir = runs.dir()
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    const expected = () => snapshot('expected', 'prod.tfstate', [instance('aws_instance.web', 'i-web', { instance_type: 't3.micro' }), instance('aws_s3_bucket.logs', 'logs')], clock)
    const observed = (type: string, rogue = true) => snapshot('observed', 'aws', [
      instance('aws_instance.web', 'i-web', { instance_type: type }),
      ...(rogue ? [instance('', 'i-rogue', { instance_type: 'g5.xlarge' }, 'aws_instance')] : []),
    ], clock)

    const first = await runs.boot(dir, clock, PIPELINE)
    events.push(change('ev-alice', 'i-web', 'alice', clock))
    state.push(expected())
    live.push(observed('t3.large'))
    await until(async () => (await plansOf(first)).length === 3, 'a plan for each of the three drifts')
    const before = await driftsOf(first)
    const web = before.find((d) => d.kind === 'modified')!
    expect(web.actor?.user).toBe('alice')
    const planFor = (plans: RemediationPlan[], d: Drift) => plans.filter((p) => p.drift_id === d.id)
    const missing = before.find((d) => d.kind === 'missing')!
    const rest = await startRest(first.runtime.store, first.runtime.bus)
    const [approved] = planFor(await plansOf(first), web)
    const [rejected] = planFor(await plansOf(first), missing)
    expect((await rest.call(`/api/v1/remediations/${approved!.id}/approve`, TOKENS.acmeAdmin, { method: 'POST' })).status).toBe(200)
    expect((await rest.call(`/api/v1/remediations/${rejected!.id}/reject`, TOKENS.acmeAdmin, { method: 'POST' })).status).toBe(200)
    await rest.close()
    await first.stop()

    clock.advance(3_600_000)
    const second = await runs.boot(dir, clock, PIPELINE)
    state.push(expected())
    live.push(observed('t3.large'))
    await until(() => second.types('state.summary').length > 0, 'the first recomputation after the restart')
    live.push(observed('t3.xlarge'))
    await until(() => second.types('drift.updated').length === 1, 'the changed drift')

    expect(second.types('drift.detected')).toEqual([])
    expect(second.types('drift.resolved')).toEqual([])
    const updated = second.types('drift.updated')[0]!.data as Drift
    expect(updated).toMatchObject({ id: web.id, detected_at: web.detected_at, actor: { user: 'alice' } })
    await until(async () => (await plansOf(second)).length === 4, 'the plan of the changed drift')
    const after = await driftsOf(second)
    expect(after.map((d) => [d.id, d.detected_at, d.actor?.user]).sort()).toEqual(before.map((d) => [d.id, d.detected_at, d.actor?.user]).sort())
    const plans = await plansOf(second)
    // Decisions stand; only the changed drift gets a new proposal; the unchanged open one keeps its single plan.
    expect(planFor(plans, missing).map((p) => p.status)).toEqual(['rejected'])
    expect(planFor(plans, web).map((p) => p.status).sort()).toEqual(['approved', 'proposed'])
    const rogue = before.find((d) => d.kind === 'unmanaged')!
    expect(planFor(plans, rogue).map((p) => p.status)).toEqual(['proposed'])

    // The unmanaged instance goes away after the restart: the plan proposed before it becomes obsolete.
    live.push(observed('t3.xlarge', false))
    await until(() => second.types('remediation.obsoleted').length === 1, 'the plan of the resolved drift made obsolete')
    expect(second.types('remediation.obsoleted')[0]!.data).toMatchObject({ drift_id: rogue.id, status: 'obsolete' })
  })

  it('names the change event that puts a resource back as the resolver, not the cause, and proposes nothing for it', async () => {
    const dir = runs.dir()
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    const run = await runs.boot(dir, clock, PIPELINE)
    const web = (type: string) => [instance('aws_instance.web', 'i-web', { instance_type: type })]
    events.push(change('ev-alice', 'i-web', 'alice', clock))
    state.push(snapshot('expected', 'prod.tfstate', web('t3.micro'), clock))
    live.push(snapshot('observed', 'aws', web('t3.large'), clock))
    await until(() => run.types('remediation.proposed').length === 1, 'the plan of the drift')

    clock.advance(60_000)
    events.push(change('ev-bob', 'i-web', 'bob', clock)) // bob sets the instance type back
    live.push(snapshot('observed', 'aws', web('t3.micro'), clock))
    await until(() => run.types('drift.resolved').length === 1, 'the drift resolved')

    expect(run.types('drift.updated')).toEqual([])
    expect(run.types('remediation.proposed')).toHaveLength(1)
    const resolved = run.types('drift.resolved')[0]!.data as Drift
    expect(resolved.actor?.user).toBe('alice')
    expect(resolved.resolved_by).toMatchObject({ user: 'bob', event_id: 'ev-bob' })
    expect(resolved.resolved_at).toBe(clock.isoNow())
    await until(async () => (await run.runtime.store.getDrift('acme', resolved.id))?.status === 'resolved', 'the resolved drift stored')
    const rest = await startRest(run.runtime.store, run.runtime.bus)
    const served = (await rest.call(`/api/v1/drifts/${resolved.id}`, TOKENS.acmeRead)).body.data
    await rest.close()
    expect(served).toMatchObject({ status: 'resolved', actor: { user: 'alice' }, resolved_by: { user: 'bob' }, resolved_at: resolved.resolved_at })
  })

  it('marks the proposed plan of a resolved drift obsolete (stored and published); an approved one is verified applied', async () => {
    const dir = runs.dir()
    const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'))
    const run = await runs.boot(dir, clock, PIPELINE)
    const resources = (web: string, db: string) => [instance('aws_instance.web', 'i-web', { instance_type: web }), instance('aws_db_instance.main', 'db-1', { instance_class: db })]
    state.push(snapshot('expected', 'prod.tfstate', resources('t3.micro', 'db.t3.micro'), clock))
    live.push(snapshot('observed', 'aws', resources('t3.large', 'db.r6g.large'), clock))
    await until(async () => (await plansOf(run)).length === 2, 'two stored plans')
    const [first, second] = await plansOf(run)
    expect(await run.runtime.store.decideRemediation('acme', second!.id, 'approved', 'carol')).toBeDefined()

    live.push(snapshot('observed', 'aws', resources('t3.micro', 'db.t3.micro'), clock))
    await until(() => run.types('remediation.obsoleted').length === 1, 'the obsolete plan published')
    expect(run.types('remediation.obsoleted')[0]!.data).toMatchObject({ id: first!.id, status: 'obsolete', decided_by: 'tfdrift:drift-resolved' })
    expect((await run.runtime.store.getRemediation('acme', first!.id))?.status).toBe('obsolete')
    expect((await run.runtime.store.getRemediation('acme', second!.id))?.status).toBe('applied')
    expect((await run.runtime.store.listRemediations('acme', { status: 'proposed' })).total).toBe(0)
  })
})
