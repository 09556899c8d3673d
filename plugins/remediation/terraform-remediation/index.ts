/**
 * `terraform-remediation`: an operator from drift items (`drift.detected` / `drift.updated`) to
 * `remediation.proposed` items (topic `remediations`) carrying a RemediationPlan. It remembers the last
 * plan per drift in the store, so a restart proposes nothing already proposed or decided; the proposed
 * plan of a drift that resolved, or that a newer plan replaced, becomes `remediation.obsoleted`.
 * Approved plans are verified (`verify.ts`): `remediation.applied` when the drift resolves,
 * `remediation.failed` when it is still there `verify_within` after the approval.
 */
import { createRequire } from 'node:module'
import { Observable, type Subscriber } from 'rxjs'
import type { Drift, RemediationPlan, Severity } from '../../../engine/model.ts'
import { newId } from '../../../engine/ids.ts'
import { definePlugin, nodeHelper, type PipelineItem } from '../../../engine/plugin-api.ts'
import { toPlan, type PlanOptions } from '../../../engine/remediation/drift-plan.ts'
import { parseWithin, Verifier } from './verify.ts'

/** Options of the `terraform-remediation` plugin (see options.schema.json). */
export interface TerraformRemediationOptions {
  mode?: 'propose' | 'auto_approve'
  auto_approve_below?: Severity
  missing?: 'removed' | 'recreate'
  modified?: 'revert' | 'accept'
  passthrough?: boolean
  max_tracked?: number
  /** How long after approval a drift may persist before its plan is marked failed (`30m`, `1h`, `2d` or ms). */
  verify_within?: string | number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

export default definePlugin<'remediation', TerraformRemediationOptions>({
  name: 'terraform-remediation',
  kind: 'remediation',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Terraform remediation plans for drifts: import/removed blocks, targeted applies, configuration updates.',
  optionsSchema,
  async create(ctx, options) {
    const planOptions: PlanOptions = {
      mode: options.mode ?? 'propose', auto_approve_below: options.auto_approve_below ?? 'medium',
      missing: options.missing ?? 'removed', modified: options.modified ?? 'revert',
    }
    const maxTracked = options.max_tracked ?? 10_000
    const scope = `terraform-remediation:${ctx.pipeline}:${ctx.node}`
    const remember = (entries: Array<[string, RemediationPlan | undefined]>) => {
      ctx.store.savePluginState(ctx.tenant, scope, entries).catch((error: unknown) => {
        ctx.logger.error({ err_message: (error as Error)?.message }, 'Could not save the last remediation plans; after a restart some plans may be proposed again.')
      })
    }
    // drift id → its last plan; Map order doubles as LRU order, so memory stays bounded.
    const last = new Map<string, RemediationPlan>()
    const stored = [...(await ctx.store.loadPluginState(ctx.tenant, scope)).values()] as RemediationPlan[]
    for (const plan of stored.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0))) last.set(plan.drift_id, plan)

    let output: Subscriber<PipelineItem> | undefined
    const inFlight = new Set<Promise<void>>()
    const verifyMs = parseWithin(options.verify_within, 86_400_000)
    const verifier = new Verifier(ctx.store, ctx.tenant, ctx.clock, verifyMs, ctx.logger)
    const settleType = { applied: 'remediation.applied', failed: 'remediation.failed' } as const
    /** Runs a verification step and announces the plans it settled. */
    const verify = (step: () => Promise<RemediationPlan[]>) => {
      const done: Promise<void> = step().then((changed) => {
        for (const data of changed) output?.next({ type: settleType[data.status as 'applied' | 'failed'], topic: 'remediations', data })
      }, (error: unknown) => {
        ctx.logger.warn({ err_message: (error as Error)?.message }, 'Could not verify approved remediation plans; trying again later.')
      }).finally(() => inFlight.delete(done))
      inFlight.add(done)
    }
    // Deadlines are checked as pipeline items arrive (a later snapshot) and on a timer, at most every `period` ms.
    const period = Math.min(60_000, Math.max(1000, Math.floor(verifyMs / 10)))
    let lastSweep = Number.NEGATIVE_INFINITY
    const sweepIfDue = () => {
      if (ctx.clock.now() - lastSweep < period) return
      lastSweep = ctx.clock.now()
      verify(() => verifier.sweep())
    }
    /** The store decides atomically, so a plan someone approved meanwhile is never announced obsolete. */
    const retire = (plan: RemediationPlan, by: string) => {
      const done: Promise<void> = ctx.store.obsoleteRemediations(ctx.tenant, [plan], by).then((changed) => {
        for (const data of changed) output?.next({ type: 'remediation.obsoleted', topic: 'remediations', data })
      }, (error: unknown) => {
        ctx.logger.warn({ remediation_id: plan.id, err_message: (error as Error)?.message }, 'Could not mark a remediation plan obsolete; it stays proposed.')
      }).finally(() => inFlight.delete(done))
      inFlight.add(done)
    }

    const handle = (item: PipelineItem): PipelineItem[] => {
      const out: PipelineItem[] = options.passthrough ? [item] : []
      sweepIfDue()
      if (item.type === 'drift.resolved') {
        const id = (item.data as Drift)?.id
        if (id) verify(() => verifier.resolved(id))
        const plan = last.get(id)
        if (!plan) return out
        last.delete(id)
        remember([[id, undefined]])
        if (plan.status === 'proposed') retire(plan, 'tfdrift:drift-resolved')
        return out
      }
      if (item.type !== 'drift.detected' && item.type !== 'drift.updated') return out
      const drift = item.data as Drift
      if (!drift?.id || !drift.kind) return out
      try {
        const plan = toPlan(drift, planOptions, newId(ctx.clock.now()), ctx.clock.isoNow())
        const previous = last.get(drift.id)
        if (previous?.content === plan.content) return out
        last.delete(drift.id)
        last.set(drift.id, plan)
        const writes: Array<[string, RemediationPlan | undefined]> = [[drift.id, plan]]
        if (last.size > maxTracked) {
          const oldest = last.keys().next().value as string
          last.delete(oldest)
          writes.push([oldest, undefined])
        }
        remember(writes)
        out.push({ type: 'remediation.proposed', topic: 'remediations', data: plan })
        if (previous?.status === 'proposed') retire(previous, 'tfdrift:superseded')
      } catch (err) {
        ctx.logger.warn({ drift_id: drift.id, err: (err as Error).message }, 'Could not build a remediation plan for a drift; skipped it.')
      }
      return out
    }
    return {
      operator: (input) => new Observable<PipelineItem>((subscriber) => {
        output = subscriber
        const timer = setInterval(sweepIfDue, period)
        timer.unref?.()
        const sub = input.subscribe({
          next: (item) => { for (const o of handle(item)) subscriber.next(o) },
          error: (err) => subscriber.error(err),
          // Obsolete plans still being recorded are announced before the output ends.
          complete: () => { void Promise.all(inFlight).then(() => subscriber.complete()) },
        })
        return () => { clearInterval(timer); sub.unsubscribe(); if (output === subscriber) output = undefined }
      }),
    }
  },
})

/** Config helper: `terraformRemediation({ mode: 'propose' })`. */
export const terraformRemediation = nodeHelper<TerraformRemediationOptions>('terraform-remediation')
