/**
 * The embedded default's pipeline without the server: demo → drift → terraform-remediation, wired with
 * RxJS as the engine does. Every simulated change that leaves drift gets a drift with its actor and a
 * remediation plan, and no secret of the estate (database passwords, SecureString parameters) appears
 * in any drift or plan.
 */
import { describe, expect, it } from 'vitest'
import { from, lastValueFrom, toArray } from 'rxjs'
import type { ChangeEvent, Drift, RemediationPlan, Snapshot } from '../../engine/model.ts'
import type { PipelineItem } from '../../engine/plugin-api.ts'
import demo from '../../plugins/discovery/demo/index.ts'
import drift from '../../plugins/analysis/drift/index.ts'
import remediation from '../../plugins/remediation/terraform-remediation/index.ts'
import { take, testContext } from './context.ts'

describe('demo → drift → terraform-remediation', () => {
  it('turns simulated out-of-band changes into attributed drifts and safe remediation plans', async () => {
    const ctx = testContext()
    const { output } = await demo.create(ctx, { size: 800, seed: 'pipeline', interval: 0, max_changes: 60, revert_probability: 0 })
    const items = await take(output as AsyncIterable<PipelineItem>, 10_000)
    const { operator: analyse } = await drift.create(testContext(), {})
    const { operator: remediate } = await remediation.create(testContext(), {})
    const drifts = await lastValueFrom(from(items).pipe(analyse, toArray()))
    const plans = await lastValueFrom(from(drifts).pipe(remediate, toArray()))

    const detected = drifts.filter((d) => d.type === 'drift.detected').map((d) => d.data as Drift)
    expect(detected.length).toBeGreaterThan(20)
    expect(new Set(detected.map((d) => d.kind))).toEqual(new Set(['missing', 'unmanaged', 'modified']))
    // Most drifts are attributed to the engineer whose change caused them.
    const events = items.filter((i) => i.type === 'change.received').map((i) => i.data as ChangeEvent)
    const users = new Set(events.map((e) => e.actor?.user))
    const attributed = detected.filter((d) => d.actor?.user && users.has(d.actor.user))
    expect(attributed.length / detected.length).toBeGreaterThan(0.8)

    const proposed = plans.filter((p) => p.type === 'remediation.proposed').map((p) => p.data as RemediationPlan)
    const planned = new Set(proposed.map((p) => p.drift_id))
    for (const d of detected) expect(planned.has(d.id), `${d.kind} ${d.address ?? d.resource_id}`).toBe(true)
    const byKind = (k: Drift['kind']) => proposed.filter((p) => detected.find((d) => d.id === p.drift_id)?.kind === k)
    expect(byKind('unmanaged').every((p) => p.strategy === 'import' && p.content.includes('import {'))).toBe(true)
    expect(byKind('modified').every((p) => p.strategy === 'revert' && /terraform apply -target='/.test(p.content))).toBe(true)
    expect(byKind('missing').every((p) => ['removed', 'command'].includes(p.strategy))).toBe(true)

    // Secrets of the estate never leak into drifts or plans.
    const expected = items.find((i) => i.type === 'snapshot' && (i.data as Snapshot).kind === 'expected')!.data as Snapshot
    const secrets = expected.resources.flatMap((r) => (r.sensitive_paths ?? []).map((p) => r.attributes[p[0] as string])).filter((v): v is string => typeof v === 'string' && v.length > 8)
    expect(secrets.length).toBeGreaterThan(5)
    const published = JSON.stringify([...drifts.map((d) => d.data), ...proposed])
    for (const s of secrets) expect(published).not.toContain(s)
  })
})
