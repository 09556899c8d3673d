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
 *
 * Events as evidence (evidence.ts): a mutating call on a managed resource is a drift at once
 * (`evidence: 'event'`). A snapshot taken after the call confirms, corrects or resolves it; an observed
 * snapshot taken before the call cannot speak about it, so it neither resolves nor rewrites it.
 */
import { type Actor, type ChangeEvent, type Drift, type ResourceInstance, type Snapshot, SEVERITIES, type PipelineItem, diffSnapshots, type IgnoreRules, type SeverityRater, type Severity, compareInstances, driftId, atLeast, deepEqual } from 'tfdrift'
import { driftEntry, overlayEntry, sourceEntry, type MemoryEntry, type Overlay, type TrackerMemory } from './memory.ts'
import { applyAttributes, expectedAttributes, StateIndex, targetOf, type Target } from './evidence.ts'

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
  /**
   * Walks `recent` from its oldest key as entries are evicted. A fresh `keys()` per eviction would
   * start at the table's first slot and step over every entry deleted before it (V8 compacts a Map
   * only when it grows), which made eviction cost O(evicted so far) per event. Every key before this
   * iterator's position has been evicted (a refreshed key moves to the end), so its next key is the oldest.
   */
  private evictor: Iterator<string> | undefined
  /** Discovery nodes that have not delivered a snapshot yet. */
  private readonly waiting: Set<string>
  private writes: MemoryEntry[] = []
  /** Open drifts without an actor (a stale id is skipped when read). */
  private readonly unattributed = new Set<string>()
  /** Event-made modified drifts: the values the calls set, by drift id. */
  private readonly overlays = new Map<string, Overlay>()
  /** Expected resources by id / ARN; rebuilt lazily after an expected snapshot changes. */
  private index: StateIndex | undefined

  constructor(private readonly options: TrackerOptions, memory: TrackerMemory = { open: [], snapshots: [] }) {
    this.waiting = new Set(options.discovery ?? [])
    for (const drift of memory.open) {
      this.open.set(drift.id, drift)
      if (!drift.actor) this.unattributed.add(drift.id)
    }
    for (const [id, overlay] of memory.overlays ?? []) if (this.open.has(id)) this.overlays.set(id, overlay)
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
    const early: PipelineItem[] = []
    if (snapshot.kind === 'expected' && prev !== snapshot) {
      this.index = undefined
      early.push(...this.rejudge())
    }
    if (this.expected.size === 0 || this.observed.size === 0) return this.done(early)
    // Recompute on change only: the same object again, or the same state serial of the same lineage, changes nothing.
    const same = prev === snapshot || (prev && prev.serial !== undefined && prev.serial === snapshot.serial && prev.lineage === snapshot.lineage && prev.resources.length === snapshot.resources.length)
    return this.done(same && !opened ? early : [...early, ...this.recompute()])
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
    const newestObserved = Math.max(...observed.map((o) => Date.parse(o.taken_at) || 0))
    // An observed snapshot older than the call that made a drift cannot confirm, correct or resolve it.
    const unseen = (d: Drift) => d.evidence === 'event' && Date.parse(d.actor?.time ?? d.detected_at) > newestObserved
    for (const raw of drifts) {
      if (!judging && raw.kind !== 'modified') continue
      const fresh: Drift = { ...raw, evidence: 'snapshot' }
      seen.add(fresh.id)
      const prev = this.open.get(fresh.id)
      if (prev && unseen(prev)) continue
      if (!prev) {
        const actor = this.latest(fresh)?.actor
        this.keep({ ...fresh, ...(actor ? { actor } : {}) })
        out.push({ type: 'drift.detected', topic: 'drifts', data: this.open.get(fresh.id)! })
        continue
      }
      const actor = !prev.actor || grew(prev, fresh) ? this.latest(fresh)?.actor ?? prev.actor : prev.actor
      // Re-detected: keep when it was first seen and how it is being handled.
      const merged: Drift = { ...fresh, ...(actor ? { actor } : {}), detected_at: prev.detected_at, status: prev.status === 'resolved' ? 'open' : prev.status }
      if (sameDrift(merged, prev) && prev.evidence === 'snapshot') continue
      this.dropOverlay(fresh.id)
      this.keep(merged)
      out.push({ type: 'drift.updated', topic: 'drifts', data: merged })
    }
    for (const [id, prev] of this.open) {
      // Before every discovery node spoke, an absent resource may only be unread: keep those drifts open.
      if (seen.has(id) || (!judging && prev.kind !== 'modified') || unseen(prev)) continue
      this.open.delete(id)
      this.unattributed.delete(id)
      this.writes.push(driftEntry(id, undefined))
      this.dropOverlay(id)
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

  /**
   * Remembers who changed what; attributes an open drift on the same resource that has no actor yet;
   * and judges the call itself as evidence of drift (see evidence.ts).
   */
  onChange(event: ChangeEvent): PipelineItem[] {
    if (event.error_code) return []
    const actor = actorOfEvent(event)
    const entry = { actor, time: event.time }
    for (const key of keysOf(event.resource_id, event.arn)) {
      this.recent.delete(key)
      this.recent.set(key, entry)
    }
    while (this.recent.size > this.options.recentChanges) {
      let oldest = this.evictor?.next()
      if (!oldest || oldest.done) oldest = (this.evictor = this.recent.keys()).next()
      this.recent.delete(oldest.value as string)
    }
    const out: PipelineItem[] = this.evidence(event, actor)
    if (this.unattributed.size === 0) return this.done(out)
    const touched = new Set(out.map((o) => (o.data as Drift).id))
    // Only drifts still without an actor can gain one: walking every open drift per event would cost O(open drifts).
    for (const driftId of this.unattributed) {
      const drift = this.open.get(driftId)
      if (!drift || drift.actor || touched.has(drift.id) || !keysOf(drift.resource_id, drift.arn).some((k) => this.recent.get(k) === entry)) continue
      const updated = { ...drift, actor }
      this.keep(updated)
      out.push({ type: 'drift.updated', topic: 'drifts', data: updated })
    }
    return this.done(out)
  }

  private stateIndex(): StateIndex {
    this.index ??= new StateIndex(this.expected.values())
    return this.index
  }

  /** The drift a mutating call is evidence of (or the event drift it resolves); nothing for reads, actions, foreign accounts. */
  private evidence(event: ChangeEvent, actor: Actor): PipelineItem[] {
    const op = event.operation
    if (!op || op === 'action' || this.expected.size === 0) return []
    const index = this.stateIndex()
    if (!index.ownsAccount(event.account_id ?? actor.account_id)) return []
    const target = targetOf(event, index)
    if (!target) return []
    const now = this.options.now()
    if (target.managed) {
      if (op === 'delete') return this.eventDrift('missing', target, actor, now)
      if (!target.attributes?.length) return []
      // Re-creating a resource whose deletion was seen puts it back.
      const gone = this.open.get(this.idFor('missing', target))
      const resolved = op === 'create' && gone?.evidence === 'event' ? this.resolve(gone, actor, now) : []
      const modified = this.modifiedByEvent(target, actor, now)
      return resolved.length ? [...resolved, ...modified] : modified
    }
    if (op === 'delete') {
      // A rogue resource seen created is gone again.
      const rogue = this.open.get(this.idFor('unmanaged', target))
      return rogue ? this.resolve(rogue, actor, now) : []
    }
    if (op !== 'create' || !target.id || index.accounts.size === 0 || this.waiting.size > 0) return []
    if (!this.judgeable(target.type)) return []
    return this.eventDrift('unmanaged', target, actor, now)
  }

  /** Ignore rules say whether a type is watched at all (an ignored type never makes an unmanaged drift). */
  private judgeable(type: string): boolean {
    return !(this.options.ignore.size > 0 && this.options.ignore.ignores({ type, names: [] }, true))
  }

  private idFor(kind: Drift['kind'], t: Target): string {
    const inst = t.managed?.inst
    if (kind === 'unmanaged' || !inst) return driftId(kind, { type: t.type, resource_id: t.id })
    // A managed instance's ids depend only on the instance: hashed once per instance, not per call.
    let ids = managedIds.get(inst)
    if (!ids) managedIds.set(inst, (ids = {}))
    return (ids[kind] ??= driftId(kind, { address: inst.address || undefined, type: inst.type, resource_id: instanceIdOf(inst) }))
  }

  private base(kind: Drift['kind'], t: Target, actor: Actor, now: string, changes?: Drift['changes']): Drift | undefined {
    const inst = t.managed?.inst
    const type = inst?.type ?? t.type
    const severity = this.options.severity.rate(type, kind, changes?.map((c) => c.path))
    if (this.options.minSeverity && !atLeast(severity, this.options.minSeverity)) return undefined
    const resourceId = inst ? instanceIdOf(inst) : t.id
    const arn = inst?.arn ?? (typeof inst?.attributes?.arn === 'string' ? inst.attributes.arn as string : t.arn)
    const d: Drift = {
      id: this.idFor(kind, t), kind, type, provider: inst?.provider || type.split('_')[0] || 'unknown', severity,
      detected_at: now, status: 'open', actor, evidence: 'event',
    }
    if (inst?.address) d.address = inst.address
    if (resourceId) d.resource_id = resourceId
    if (arn) d.arn = arn
    if (inst?.module) d.module = inst.module
    if (changes) d.changes = changes
    if (t.managed) d.state_source = t.managed.source
    return d
  }

  /** A missing / unmanaged drift from a call; an open one of the same id only gains the later actor. */
  private eventDrift(kind: 'missing' | 'unmanaged', t: Target, actor: Actor, now: string): PipelineItem[] {
    if (kind === 'missing' && this.options.ignore.size > 0 && t.managed && this.options.ignore.ignores({ type: t.managed.inst.type, names: namesOfInst(t.managed.inst) }, true)) return []
    const fresh = this.base(kind, t, actor, now)
    if (!fresh) return []
    const prev = this.open.get(fresh.id)
    if (prev && prev.evidence !== 'event') return []
    const drift: Drift = prev ? { ...prev, actor } : fresh
    this.keep(drift)
    return [{ type: prev ? 'drift.updated' : 'drift.detected', topic: 'drifts', data: drift }]
  }

  /** A modified drift from the values a call set; a call that puts every value back resolves it. */
  private modifiedByEvent(t: Target, actor: Actor, now: string): PipelineItem[] {
    const inst = t.managed!.inst
    const id = this.idFor('modified', t)
    const prev = this.open.get(id)
    const expected = expectedAttributes(inst)
    const before = this.overlays.get(id) ?? { values: {}, sensitive: [] }
    const { overlay, sensitive } = applyAttributes(expected, before.values, t.attributes!)
    const sensitivePaths = [...before.sensitive, ...sensitive]
    // Only the attributes the calls set can differ (the rest are the state's own values): comparing just
    // those gives the same changes as comparing the whole instance, at a cost that does not grow with it.
    const stated: Record<string, unknown> = {}
    for (const key in overlay) stated[key] = expected[key]
    const names = this.options.ignore.size > 0 ? namesOfInst(inst) : []
    // The comparer reads type, provider, attributes and the path lists (it joins both sides' lists).
    const stateSide = { type: inst.type, provider: inst.provider, attributes: stated, sensitive_paths: inst.sensitive_paths, unknown_paths: inst.unknown_paths } as ResourceInstance
    const callSide = { type: inst.type, provider: inst.provider, attributes: overlay, sensitive_paths: sensitivePaths } as ResourceInstance
    const changes = compareInstances(stateSide, callSide, this.options.ignore, names)
    const next: Overlay = { values: overlay, sensitive: sensitivePaths }
    if (changes.length === 0) {
      if (!prev) return []
      return this.resolve(prev, actor, now)
    }
    // A drift the snapshot comparison found keeps its changes; the call's changes join them.
    const merged = prev?.evidence === 'snapshot' ? mergeChanges(prev.changes ?? [], changes) : changes
    const fresh = this.base('modified', t, actor, now, merged)
    if (!fresh) return []
    const drift: Drift = prev ? { ...fresh, detected_at: prev.detected_at, status: prev.status === 'resolved' ? 'open' : prev.status, evidence: prev.evidence ?? 'event', ...(prev.status_by ? { status_by: prev.status_by } : {}) } : fresh
    if (prev && sameDrift(drift, prev)) return []
    this.overlays.set(id, next)
    this.writes.push(overlayEntry(id, next))
    this.keep(drift)
    return [{ type: prev ? 'drift.updated' : 'drift.detected', topic: 'drifts', data: drift }]
  }

  private resolve(drift: Drift, by: Actor, now: string): PipelineItem[] {
    this.open.delete(drift.id)
    this.unattributed.delete(drift.id)
    this.writes.push(driftEntry(drift.id, undefined))
    this.dropOverlay(drift.id)
    return [{ type: 'drift.resolved', topic: 'drifts', data: { ...drift, status: 'resolved', resolved_at: now, resolved_by: by } }]
  }

  private dropOverlay(id: string): void {
    if (this.overlays.delete(id)) this.writes.push(overlayEntry(id, undefined))
  }

  /**
   * After the expected side changed: event-made drifts are judged again against the new state —
   * a state that now holds the values a call set (terraform apply adopted it), no longer holds a
   * deleted resource, or now manages a created one, resolves them.
   */
  private rejudge(): PipelineItem[] {
    const out: PipelineItem[] = []
    const now = this.options.now()
    for (const drift of [...this.open.values()]) {
      if (drift.evidence !== 'event') continue
      const index = this.stateIndex()
      const managed = index.find(drift.type, drift.resource_id, drift.arn)
      if (drift.kind === 'unmanaged' && managed) out.push(...this.settle(drift, now))
      else if (drift.kind === 'missing' && !managed) out.push(...this.settle(drift, now))
      else if (drift.kind === 'modified') {
        const overlay = this.overlays.get(drift.id)
        if (!managed || !overlay) continue
        const expected = expectedAttributes(managed.inst)
        const changes = compareInstances(managed.inst, { ...managed.inst, attributes: { ...expected, ...overlay.values } }, this.options.ignore)
        if (changes.length === 0) out.push(...this.settle(drift, now))
      }
    }
    return out
  }

  /** Resolved because the state caught up: no one put it back, so no resolved_by. */
  private settle(drift: Drift, now: string): PipelineItem[] {
    this.open.delete(drift.id)
    this.unattributed.delete(drift.id)
    this.writes.push(driftEntry(drift.id, undefined))
    this.dropOverlay(drift.id)
    return [{ type: 'drift.resolved', topic: 'drifts', data: { ...drift, status: 'resolved', resolved_at: now } }]
  }

  private keep(drift: Drift): void {
    if (drift.actor) this.unattributed.delete(drift.id)
    else this.unattributed.add(drift.id)
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

/** The event's actor with the call's name, id and time filled in (the same object when it has them: drifts share it, nothing mutates it). */
function actorOfEvent(event: ChangeEvent): Actor {
  const a = event.actor
  const name = !a?.event_name && event.event_name
  const id = !a?.event_id && event.id
  const time = !a?.time && event.time
  if (a && !name && !id && !time) return a
  const actor: Actor = { ...a }
  if (name) actor.event_name = name
  if (id) actor.event_id = id
  if (time) actor.time = time
  return actor
}

/** Drift ids of managed instances by kind (an instance object of a snapshot never changes). */
const managedIds = new WeakMap<ResourceInstance, Partial<Record<Drift['kind'], string>>>()

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
    const cut = Math.max(arn.lastIndexOf(':'), arn.lastIndexOf('/'))
    const tail = cut >= 0 ? arn.slice(cut + 1) : ''
    if (tail && tail !== resourceId) keys.push(`id:${tail}`)
  }
  return keys
}

/** The instance's cloud id (`resource_id`, else `attributes.id`). */
function instanceIdOf(inst: { resource_id?: string; attributes?: Record<string, unknown> }): string | undefined {
  if (inst.resource_id) return inst.resource_id
  const id = inst.attributes?.id
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined
}

function namesOfInst(inst: { name?: string; address?: string; arn?: string; resource_id?: string; attributes?: Record<string, unknown> }): string[] {
  return [inst.name ?? '', instanceIdOf(inst) ?? '', inst.address ?? '', inst.arn ?? (typeof inst.attributes?.arn === 'string' ? inst.attributes.arn : '')]
}

/** The snapshot's changes with the call's on top (same path: the call's value is newer). */
function mergeChanges(base: NonNullable<Drift['changes']>, extra: NonNullable<Drift['changes']>): NonNullable<Drift['changes']> {
  const byPath = new Map(base.map((c) => [c.path, c]))
  for (const c of extra) byPath.set(c.path, c)
  return [...byPath.values()]
}

/** True when an update would tell a subscriber nothing new (structural, so no serialising on the hot path). */
function sameDrift(a: Drift, b: Drift): boolean {
  return a.severity === b.severity && a.status === b.status && a.address === b.address
    && deepEqual(a.changes ?? null, b.changes ?? null) && deepEqual(a.actor ?? null, b.actor ?? null)
}
