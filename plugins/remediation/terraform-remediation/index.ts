/**
 * `terraform-remediation`: an operator from drift items (`drift.detected` / `drift.updated`) to
 * `remediation.proposed` items (topic `remediations`) carrying a RemediationPlan.
 */
import { createRequire } from 'node:module'
import { Observable } from 'rxjs'
import type { Drift, Severity } from '../../../engine/model.ts'
import { newId } from '../../../engine/ids.ts'
import { definePlugin, nodeHelper, type PipelineItem } from '../../../engine/plugin-api.ts'
import { toPlan, type PlanOptions } from './plan.ts'

/** Options of the `terraform-remediation` plugin (see options.schema.json). */
export interface TerraformRemediationOptions {
  mode?: 'propose' | 'auto_approve'
  auto_approve_below?: Severity
  missing?: 'removed' | 'recreate'
  modified?: 'revert' | 'accept'
  passthrough?: boolean
  max_tracked?: number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

export default definePlugin<'remediation', TerraformRemediationOptions>({
  name: 'terraform-remediation',
  kind: 'remediation',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Terraform remediation plans for drifts: import/removed blocks, targeted applies, configuration updates.',
  optionsSchema,
  create(ctx, options) {
    const planOptions: PlanOptions = {
      mode: options.mode ?? 'propose', auto_approve_below: options.auto_approve_below ?? 'medium',
      missing: options.missing ?? 'removed', modified: options.modified ?? 'revert',
    }
    const maxTracked = options.max_tracked ?? 10_000
    // drift id → content of its last plan; Map order doubles as LRU order, so memory stays bounded.
    const last = new Map<string, string>()
    const handle = (item: PipelineItem): PipelineItem[] => {
      const out: PipelineItem[] = options.passthrough ? [item] : []
      if (item.type === 'drift.resolved') {
        last.delete((item.data as Drift)?.id)
        return out
      }
      if (item.type !== 'drift.detected' && item.type !== 'drift.updated') return out
      const drift = item.data as Drift
      if (!drift?.id || !drift.kind) return out
      try {
        const plan = toPlan(drift, planOptions, newId(ctx.clock.now()), ctx.clock.isoNow())
        if (last.get(drift.id) === plan.content) return out
        last.delete(drift.id)
        last.set(drift.id, plan.content)
        if (last.size > maxTracked) last.delete(last.keys().next().value as string)
        out.push({ type: 'remediation.proposed', topic: 'remediations', data: plan })
      } catch (err) {
        ctx.logger.warn({ drift_id: drift.id, err: (err as Error).message }, 'Could not build a remediation plan for a drift; skipped it.')
      }
      return out
    }
    return {
      operator: (input) => new Observable<PipelineItem>((subscriber) => input.subscribe({
        next: (item) => { for (const o of handle(item)) subscriber.next(o) },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      })),
    }
  },
})

/** Config helper: `terraformRemediation({ mode: 'propose' })`. */
export const terraformRemediation = nodeHelper<TerraformRemediationOptions>('terraform-remediation')
