/**
 * The drift analyzer's state between items: the latest expected and observed snapshot per source,
 * the open drifts (by stable id) and a bounded index of recent change events for actor attribution.
 * Each call returns the pipeline items to emit; nothing here buffers without bound.
 */
import type { Actor, ChangeEvent, Drift, Snapshot } from '../../../engine/model.ts'
import { SEVERITIES } from '../../../engine/model.ts'
import type { PipelineItem } from '../../../engine/plugin-api.ts'
import { diffSnapshots } from '../../../engine/drift/compare.ts'
import type { IgnoreRules } from '../../../engine/drift/ignore.ts'
import type { SeverityRater } from '../../../engine/drift/severity.ts'
import type { Severity } from '../../../engine/model.ts'

export interface TrackerOptions {
  ignore: IgnoreRules
  severity: SeverityRater
  minSeverity?: Severity
  /** How many recent change events are kept for attribution (oldest dropped first). */
  recentChanges: number
  now: () => string
}

interface RecentChange { actor: Actor; time: string }

/** Tracks snapshots, open drifts and recent changes; `onSnapshot` / `onChange` return what to emit. */
export class DriftTracker {
  private readonly expected = new Map<string, Snapshot>()
  private readonly observed = new Map<string, Snapshot>()
  private readonly open = new Map<string, Drift>()
  /** Insertion-ordered, so the first key is the oldest: a bounded LRU by resource id and ARN. */
  private readonly recent = new Map<string, RecentChange>()

  constructor(private readonly options: TrackerOptions) {}

  /** Open drifts right now. */
  get drifts(): Drift[] { return [...this.open.values()] }

  /** Records a snapshot and, once both sides are known, recomputes drifts. */
  onSnapshot(snapshot: Snapshot): PipelineItem[] {
    // Validate before storing: a malformed snapshot must not poison later recomputations.
    if (!snapshot || (snapshot.kind !== 'expected' && snapshot.kind !== 'observed') || typeof snapshot.source !== 'string' || !Array.isArray(snapshot.resources)) {
      throw new Error('snapshot item without kind (expected|observed), source or resources list')
    }
    const side = snapshot.kind === 'observed' ? this.observed : this.expected
    const prev = side.get(snapshot.source)
    side.set(snapshot.source, snapshot)
    if (this.expected.size === 0 || this.observed.size === 0) return []
    // Recompute on change only: the same object again, or the same state serial of the same lineage, changes nothing.
    if (prev === snapshot || (prev && prev.serial !== undefined && prev.serial === snapshot.serial && prev.lineage === snapshot.lineage && prev.resources.length === snapshot.resources.length)) return []
    return this.recompute()
  }

  private recompute(): PipelineItem[] {
    const now = this.options.now()
    const expected = [...this.expected.values()]
    const observed = [...this.observed.values()]
    const { drifts, coverage } = diffSnapshots(expected, observed, {
      ignore: this.options.ignore, severity: this.options.severity, minSeverity: this.options.minSeverity, now,
    })
    const out: PipelineItem[] = []
    const seen = new Set<string>()
    for (const fresh of drifts) {
      seen.add(fresh.id)
      const actor = this.actorFor(fresh)
      const prev = this.open.get(fresh.id)
      const next: Drift = { ...fresh, ...(actor ?? prev?.actor ? { actor: actor ?? prev!.actor } : {}) }
      if (!prev) {
        this.open.set(next.id, next)
        out.push({ type: 'drift.detected', topic: 'drifts', data: next })
        continue
      }
      // Re-detected: keep when it was first seen and how it is being handled.
      const merged: Drift = { ...next, detected_at: prev.detected_at, status: prev.status === 'resolved' ? 'open' : prev.status }
      if (fingerprint(merged) !== fingerprint(prev)) out.push({ type: 'drift.updated', topic: 'drifts', data: merged })
      this.open.set(merged.id, merged)
    }
    for (const [id, prev] of this.open) {
      if (seen.has(id)) continue
      this.open.delete(id)
      out.push({ type: 'drift.resolved', topic: 'drifts', data: { ...prev, status: 'resolved' } })
    }
    const by_kind = { missing: 0, unmanaged: 0, modified: 0 }
    const by_severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
    for (const d of this.open.values()) { by_kind[d.kind]++; by_severity[d.severity]++ }
    const count = (snaps: Snapshot[]) => snaps.reduce((n, s) => n + s.resources.filter((r) => r.mode !== 'data' && !r.deposed).length, 0)
    out.push({
      type: 'state.summary', topic: 'state',
      data: {
        computed_at: now, coverage,
        counts: { total: this.open.size, by_kind, by_severity },
        resources: { expected: count(expected), observed: count(observed) },
        sources: { expected: [...this.expected.keys()], observed: [...this.observed.keys()] },
      },
    })
    return out
  }

  /** Remembers who changed what; attaches the actor to an open drift on the same resource. */
  onChange(event: ChangeEvent): PipelineItem[] {
    if (!event.actor || event.error_code) return []
    const actor: Actor = { ...event.actor, ...(event.event_name && !event.actor.event_name ? { event_name: event.event_name } : {}), ...(event.id && !event.actor.event_id ? { event_id: event.id } : {}) }
    const entry = { actor, time: event.time }
    for (const key of keysOf(event.resource_id, event.arn)) {
      this.recent.delete(key)
      this.recent.set(key, entry)
    }
    while (this.recent.size > this.options.recentChanges) this.recent.delete(this.recent.keys().next().value!)
    const out: PipelineItem[] = []
    for (const drift of this.open.values()) {
      if (!keysOf(drift.resource_id, drift.arn).some((k) => this.recent.get(k) === entry)) continue
      const updated = { ...drift, actor }
      this.open.set(drift.id, updated)
      out.push({ type: 'drift.updated', topic: 'drifts', data: updated })
    }
    return out
  }

  private actorFor(drift: Drift): Actor | undefined {
    for (const key of keysOf(drift.resource_id, drift.arn)) {
      const hit = this.recent.get(key)
      if (hit) return hit.actor
    }
    return undefined
  }
}

/** Index keys for a resource: its id, its ARN, and the ARN's trailing resource name. */
function keysOf(resourceId?: string, arn?: string): string[] {
  const keys: string[] = []
  if (resourceId) keys.push(`id:${resourceId}`)
  if (arn) {
    keys.push(`arn:${arn}`)
    const tail = /[:/]([^:/]+)$/.exec(arn)?.[1]
    if (tail && tail !== resourceId) keys.push(`id:${tail}`)
  }
  return keys
}

function fingerprint(d: Drift): string {
  return JSON.stringify([d.severity, d.changes ?? null, d.actor ?? null, d.status, d.address ?? null])
}
