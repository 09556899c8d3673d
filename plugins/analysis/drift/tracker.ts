/**
 * The drift analyzer's state between items: the latest expected and observed snapshot per source,
 * the open drifts (by stable id) and a bounded index of recent change events for actor attribution.
 * Each call returns the pipeline items to emit; nothing here buffers without bound. What must outlive
 * the process (open drifts, sources) goes to `persist` as it changes, and comes back as `memory`.
 *
 * Absence (missing / unmanaged) is judged only once every discovery node upstream has delivered a
 * snapshot: before that, a resource of a state not read yet would look unmanaged, and its live object
 * missing. Modified drifts compare two present objects and are reported at once.
 *
 * Attribution: a drift's actor is whoever changed the resource before it was seen. A later change event
 * on a drift that already has an actor either changed more or put it back; the next snapshot tells
 * which — the drift grew (actor moves to the later caller), or it is gone (the caller is `resolved_by`).
 */
import type { Actor, ChangeEvent, Drift, Snapshot } from '../../../engine/model.ts'
import { SEVERITIES } from '../../../engine/model.ts'
import type { PipelineItem } from '../../../engine/plugin-api.ts'
import { diffSnapshots } from '../../../engine/drift/compare.ts'
import type { IgnoreRules } from '../../../engine/drift/ignore.ts'
import type { SeverityRater } from '../../../engine/drift/severity.ts'
import type { Severity } from '../../../engine/model.ts'
import { driftEntry, sourceEntry, type MemoryEntry, type TrackerMemory } from './memory.ts'

export interface TrackerOptions {
  ignore: IgnoreRules
  severity: SeverityRater
  minSeverity?: Severity
  /** How many recent change events are kept for attribution (oldest dropped first). */
  recentChanges: number
  now: () => string
  /** Discovery nodes that must each deliver a snapshot before missing / unmanaged drifts are judged. */
  discovery?: readonly string[]
  /** Receives every change to what must outlive the process, once per call. */
  persist?: (entries: MemoryEntry[]) => void
}

interface RecentChange { actor: Actor; time: string }

/** Tracks snapshots, open drifts and recent changes; `onSnapshot` / `onChange` return what to emit. */
export class DriftTracker {
  private readonly expected = new Map<string, Snapshot>()
  private readonly observed = new Map<string, Snapshot>()
  /** Discovery node of each snapshot source (`kind:source`), as persisted. */
  private readonly origins = new Map<string, string | undefined>()
  private readonly open = new Map<string, Drift>()
  /** Insertion-ordered, so the first key is the oldest: a bounded LRU by resource id and ARN. */
  private readonly recent = new Map<string, RecentChange>()
  /** Discovery nodes that have not delivered a snapshot yet. */
  private readonly waiting: Set<string>
  private writes: MemoryEntry[] = []

  constructor(private readonly options: TrackerOptions, memory: TrackerMemory = { open: [], snapshots: [] }) {
    this.waiting = new Set(options.discovery ?? [])
    for (const drift of memory.open) this.open.set(drift.id, drift)
    for (const { snapshot, origin } of memory.snapshots) {
      ;(snapshot.kind === 'observed' ? this.observed : this.expected).set(snapshot.source, snapshot)
      this.origins.set(sourceEntry({ kind: snapshot.kind, source: snapshot.source })[0], origin)
      if (origin) this.waiting.delete(origin)
    }
  }

  /** Open drifts right now. */
  get drifts(): Drift[] { return [...this.open.values()] }

  /** Discovery nodes whose first snapshot missing and unmanaged drifts still wait for. */
  get waitingFor(): string[] { return [...this.waiting] }

  /** Records a snapshot and, once both sides are known, recomputes drifts. `origin`: the discovery node it came from. */
  onSnapshot(snapshot: Snapshot, origin?: string): PipelineItem[] {
    // Validate before storing: a malformed snapshot must not poison later recomputations.
    if (!snapshot || (snapshot.kind !== 'expected' && snapshot.kind !== 'observed') || typeof snapshot.source !== 'string' || !Array.isArray(snapshot.resources)) {
      throw new Error('snapshot item without kind (expected|observed), source or resources list')
    }
    const side = snapshot.kind === 'observed' ? this.observed : this.expected
    const prev = side.get(snapshot.source)
    side.set(snapshot.source, snapshot)
    const entry = sourceEntry({ kind: snapshot.kind, source: snapshot.source, ...(origin ? { origin } : {}) })
    if (!this.origins.has(entry[0]) || this.origins.get(entry[0]) !== origin) {
      this.origins.set(entry[0], origin)
      this.writes.push(entry)
    }
    const opened = origin !== undefined && this.waiting.delete(origin) && this.waiting.size === 0
    if (this.expected.size === 0 || this.observed.size === 0) return this.done([])
    // Recompute on change only: the same object again, or the same state serial of the same lineage, changes nothing.
    const same = prev === snapshot || (prev && prev.serial !== undefined && prev.serial === snapshot.serial && prev.lineage === snapshot.lineage && prev.resources.length === snapshot.resources.length)
    return this.done(same && !opened ? [] : this.recompute())
  }

  private recompute(): PipelineItem[] {
    const now = this.options.now()
    const judging = this.waiting.size === 0
    const expected = [...this.expected.values()]
    const observed = [...this.observed.values()]
    const { drifts, coverage } = diffSnapshots(expected, observed, {
      ignore: this.options.ignore, severity: this.options.severity, minSeverity: this.options.minSeverity, now,
    })
    const out: PipelineItem[] = []
    const seen = new Set<string>()
    for (const fresh of drifts) {
      if (!judging && fresh.kind !== 'modified') continue
      seen.add(fresh.id)
      const prev = this.open.get(fresh.id)
      if (!prev) {
        const actor = this.latest(fresh)?.actor
        this.keep({ ...fresh, ...(actor ? { actor } : {}) })
        out.push({ type: 'drift.detected', topic: 'drifts', data: this.open.get(fresh.id)! })
        continue
      }
      const actor = !prev.actor || grew(prev, fresh) ? this.latest(fresh)?.actor ?? prev.actor : prev.actor
      // Re-detected: keep when it was first seen and how it is being handled.
      const merged: Drift = { ...fresh, ...(actor ? { actor } : {}), detected_at: prev.detected_at, status: prev.status === 'resolved' ? 'open' : prev.status }
      if (fingerprint(merged) === fingerprint(prev)) continue
      this.keep(merged)
      out.push({ type: 'drift.updated', topic: 'drifts', data: merged })
    }
    for (const [id, prev] of this.open) {
      // Before every discovery node spoke, an absent resource may only be unread: keep those drifts open.
      if (seen.has(id) || (!judging && prev.kind !== 'modified')) continue
      this.open.delete(id)
      this.writes.push(driftEntry(id, undefined))
      const resolver = this.resolverOf(prev)
      out.push({ type: 'drift.resolved', topic: 'drifts', data: { ...prev, status: 'resolved', resolved_at: now, ...(resolver ? { resolved_by: resolver } : {}) } })
    }
    // Coverage would count the unread states' resources as unmanaged: no summary until absence is judged.
    if (judging) out.push(this.summary(now, coverage, expected, observed))
    return out
  }

  private summary(now: string, coverage: ReturnType<typeof diffSnapshots>['coverage'], expected: Snapshot[], observed: Snapshot[]): PipelineItem {
    const by_kind = { missing: 0, unmanaged: 0, modified: 0 }
    const by_severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
    for (const d of this.open.values()) { by_kind[d.kind]++; by_severity[d.severity]++ }
    const count = (snaps: Snapshot[]) => snaps.reduce((n, s) => n + s.resources.filter((r) => r.mode !== 'data' && !r.deposed).length, 0)
    return {
      type: 'state.summary', topic: 'state',
      data: {
        computed_at: now, coverage,
        counts: { total: this.open.size, by_kind, by_severity },
        resources: { expected: count(expected), observed: count(observed) },
        sources: { expected: [...this.expected.keys()], observed: [...this.observed.keys()] },
      },
    }
  }

  /** Remembers who changed what; attributes an open drift on the same resource that has no actor yet. */
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
      if (drift.actor || !keysOf(drift.resource_id, drift.arn).some((k) => this.recent.get(k) === entry)) continue
      const updated = { ...drift, actor }
      this.keep(updated)
      out.push({ type: 'drift.updated', topic: 'drifts', data: updated })
    }
    return this.done(out)
  }

  private keep(drift: Drift): void {
    this.open.set(drift.id, drift)
    this.writes.push(driftEntry(drift.id, drift))
  }

  /** Hands this call's memory changes to `persist`, then returns `out`. */
  private done(out: PipelineItem[]): PipelineItem[] {
    if (this.writes.length > 0) {
      const writes = this.writes
      this.writes = []
      this.options.persist?.(writes)
    }
    return out
  }

  /** The latest change event on the drift's resource, if one is remembered. */
  private latest(drift: Drift): RecentChange | undefined {
    for (const key of keysOf(drift.resource_id, drift.arn)) {
      const hit = this.recent.get(key)
      if (hit) return hit
    }
    return undefined
  }

  /** The caller of a change after the drift's cause, which therefore put the resource back. */
  private resolverOf(drift: Drift): Actor | undefined {
    const hit = this.latest(drift)
    if (!hit || hit.actor === drift.actor) return undefined
    if (hit.actor.event_id !== undefined && hit.actor.event_id === drift.actor?.event_id) return undefined
    // A change from before the drift was seen is its cause (attributed or not), never its fix.
    if (Date.parse(hit.time) < Date.parse(drift.detected_at)) return undefined
    return hit.actor
  }
}

/** True when `fresh` shows a change `prev` did not (a new path or another value): someone changed more, not less. */
function grew(prev: Drift, fresh: Drift): boolean {
  const before = new Map((prev.changes ?? []).map((c) => [c.path, JSON.stringify(c.actual)]))
  return (fresh.changes ?? []).some((c) => before.get(c.path) !== JSON.stringify(c.actual))
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
