/**
 * Verification of approved plans: an approved plan becomes `applied` once its drift resolves (a later
 * snapshot — or a change event putting the value back — shows it gone), and `failed` when the drift is
 * still there `within` ms after the approval. The store decides atomically (`settleRemediations`), so a
 * plan is settled once, whichever of resolution and deadline comes first.
 */
import type { Logger } from 'pino'
import { type RemediationPlan, type Clock, type Store, TfdriftError } from 'tfdrift'

/** Parses `90s`, `30m`, `1h`, `2d` or a number of milliseconds. */
export function parseWithin(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number') return value
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim())
  if (!m) throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', `Invalid verify_within ${JSON.stringify(value)}; use e.g. "30m", "1h", "2d" or milliseconds.`)
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] ?? 'ms']!
  return Number(m[1]) * unit
}

function describe(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

/** Settles a tenant's approved plans; each method returns the plans it changed (to publish). */
export class Verifier {
  constructor(
    private readonly store: Store,
    private readonly tenant: string,
    private readonly clock: Clock,
    private readonly withinMs: number,
    private readonly logger: Logger,
  ) {}

  /** Every approved plan of the tenant. */
  private async approved(): Promise<RemediationPlan[]> {
    const out: RemediationPlan[] = []
    for (let page = 1; ; page++) {
      const result = await this.store.listRemediations(this.tenant, { status: 'approved', page, limit: 1000 })
      out.push(...result.items)
      if (result.items.length < 1000) return out
    }
  }

  /** The drift resolved: its approved plans were applied. */
  async resolved(driftId: string): Promise<RemediationPlan[]> {
    const ids = (await this.approved()).filter((p) => p.drift_id === driftId).map((p) => p.id)
    return ids.length ? this.store.settleRemediations(this.tenant, ids, 'applied') : []
  }

  /**
   * Settles every approved plan whose drift resolved (a resolution this node missed, e.g. while
   * restarting) as applied, and every plan whose drift is still there past its deadline as failed.
   */
  async sweep(): Promise<RemediationPlan[]> {
    const now = this.clock.now()
    const applied: string[] = []
    const failed: Array<{ id: string; reason: string }> = []
    for (const plan of await this.approved()) {
      const drift = await this.store.getDrift(this.tenant, plan.drift_id)
      if (drift?.status === 'resolved') { applied.push(plan.id); continue }
      const approvedAt = Date.parse(plan.decided_at ?? plan.created_at)
      if (!drift || Number.isNaN(approvedAt) || approvedAt + this.withinMs > now) continue
      failed.push({ id: plan.id, reason: `The drift was still ${drift.status} ${describe(this.withinMs)} after approval (deadline ${new Date(approvedAt + this.withinMs).toISOString()}); the change was not applied, or did not fix it.` })
    }
    const out = applied.length ? await this.store.settleRemediations(this.tenant, applied, 'applied') : []
    for (const f of failed) out.push(...await this.store.settleRemediations(this.tenant, [f.id], 'failed', f.reason))
    if (failed.length) this.logger.warn({ tenant: this.tenant, failed: failed.length }, 'Approved remediation plans were marked failed: their drifts persist past the verification deadline.')
    return out
  }
}
