/**
 * Reconciles expected snapshots (Terraform state) with observed ones (refreshed state, plan drift,
 * cloud discovery) into drifts. Instances match by full address, then by (type, cloud id) — never by
 * a bare id, so two types sharing an id never collide. Data sources and deposed objects are never
 * compared; `missing`/`unmanaged` are reported only for types the observed side enumerated.
 */
import type { AttributeChange, Coverage, Drift, ResourceInstance, Severity, Snapshot } from '../model.ts'
import { coverageOf } from './coverage.ts'
import { diffAttributes } from './diff.ts'
import { deepEqual } from './equal.ts'
import { expandFlatmap } from './flatmap.ts'
import { driftId } from './ids.ts'
import { IgnoreRules } from './ignore.ts'
import { isSensitivePath, maskChange } from './mask.ts'
import { atLeast, SeverityRater, type SeverityRule } from './severity.ts'

export interface DiffOptions {
  /** Ignore rules (compiled, or patterns in `.tfdriftignore` syntax). */
  ignore?: IgnoreRules | string[]
  /** Severity rater, or user rules applied before the defaults. */
  severity?: SeverityRater | SeverityRule[]
  /** Drop drifts less severe than this (coverage still counts them). */
  minSeverity?: Severity
  /** Timestamp for `detected_at` (ISO-8601); defaults to now. */
  now?: string
}

export interface DiffResult {
  drifts: Drift[]
  coverage: Coverage
}

interface Entry {
  inst: ResourceInstance
  source: string
  matched: boolean
  /** From a v3 (flatmap) state: set order was lost, so lists compare unordered. */
  legacy: boolean
  /** The observed entry matched to this expected one. */
  partner?: Entry
}

/** The cloud id of an instance: `resource_id`, else `attributes.id`. */
export function instanceId(inst: ResourceInstance): string | undefined {
  if (inst.resource_id) return inst.resource_id
  const id = inst.attributes?.id
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined
}

function instanceArn(inst: ResourceInstance): string | undefined {
  if (inst.arn) return inst.arn
  const arn = inst.attributes?.arn
  return typeof arn === 'string' && arn !== '' ? arn : undefined
}

function comparable(snapshots: Snapshot[]): Entry[] {
  const out: Entry[] = []
  for (const snap of snapshots) {
    for (const inst of snap.resources) {
      if (inst.mode === 'data' || inst.deposed) continue
      out.push({ inst, source: snap.source, matched: false, legacy: snap.state_version === 3 })
    }
  }
  return out
}

const typeIdKey = (type: string, id: string) => type + '\u0000' + id

/** Compares expected against observed snapshots; returns the drifts and driftctl-style coverage. */
export function diffSnapshots(expected: Snapshot[], observed: Snapshot[], options: DiffOptions = {}): DiffResult {
  const ignore = options.ignore instanceof IgnoreRules ? options.ignore : new IgnoreRules(options.ignore ?? [])
  const rater = options.severity instanceof SeverityRater ? options.severity : new SeverityRater(options.severity ?? [])
  const now = options.now ?? new Date().toISOString()
  const covered = observed.length > 0 && observed.every((s) => s.covered_types)
    ? new Set(observed.flatMap((s) => s.covered_types!))
    : undefined
  const isCovered = (type: string) => covered === undefined || covered.has(type)

  const exp = comparable(expected)
  const obs = comparable(observed)
  // One entry per address in the common case; a list only when several states share an address.
  const byAddress = new Map<string, Entry | Entry[]>()
  for (const e of exp) {
    const address = e.inst.address
    if (!address) continue
    const prev = byAddress.get(address)
    if (prev === undefined) byAddress.set(address, e)
    else if (Array.isArray(prev)) prev.push(e)
    else byAddress.set(address, [prev, e])
  }

  // Pass 1: by address (several states may share an address: the cloud id breaks the tie).
  const pending: Entry[] = []
  for (const o of obs) {
    const candidates = o.inst.address ? byAddress.get(o.inst.address) : undefined
    const pick = candidates === undefined ? undefined : Array.isArray(candidates) ? choose(candidates, o.inst) : candidates.matched ? undefined : candidates
    if (pick) { pick.matched = o.matched = true; pick.partner = o } else pending.push(o)
  }
  // Pass 2: by (type, id) among the still-unmatched — objects discovered without an address, or moved ones.
  const unmanaged: Entry[] = []
  if (pending.length > 0) {
    const byTypeId = new Map<string, Entry[]>()
    for (const e of exp) {
      if (e.matched) continue
      const id = instanceId(e.inst)
      if (id) push(byTypeId, typeIdKey(e.inst.type, id), e)
    }
    for (const o of pending) {
      const id = instanceId(o.inst)
      const pick = id ? byTypeId.get(typeIdKey(o.inst.type, id))?.find((e) => !e.matched) : undefined
      if (pick) { pick.matched = o.matched = true; pick.partner = o } else unmanaged.push(o)
    }
  }

  const drifts: Drift[] = []
  const counts = { managed: 0, unmanaged: 0, missing: 0, modified: 0 }
  const seenIds = new Set<string>()
  const emit = (d: Drift) => {
    if (seenIds.has(d.id)) d = { ...d, id: driftId(d.kind, { address: d.address, type: d.type, resource_id: d.resource_id, scope: d.state_source ?? String(seenIds.size) }) }
    seenIds.add(d.id)
    if (!options.minSeverity || atLeast(d.severity, options.minSeverity)) drifts.push(d)
  }

  for (const e of exp) {
    const o = e.partner
    if (!o) continue
    if (ignore.size > 0 && ignore.ignores({ type: e.inst.type, names: namesOf(e.inst) }, true)) continue
    counts.managed++
    if (deepEqual(e.inst.attributes, o.inst.attributes)) continue
    const changes = compareInstances(e.inst, o.inst, ignore, namesOf(e.inst), e.legacy || o.legacy)
    if (changes.length === 0) continue
    counts.modified++
    emit(makeDrift('modified', e.inst, e.source, now, rater, changes))
  }
  for (const e of exp) {
    if (e.matched || !isCovered(e.inst.type)) continue
    if (ignore.size > 0 && ignore.ignores({ type: e.inst.type, names: namesOf(e.inst) }, true)) continue
    counts.missing++
    emit(makeDrift('missing', e.inst, e.source, now, rater))
  }
  for (const o of unmanaged) {
    if (!isCovered(o.inst.type)) continue
    if (ignore.size > 0 && ignore.ignores({ type: o.inst.type, names: namesOf(o.inst) }, true)) continue
    counts.unmanaged++
    emit(makeDrift('unmanaged', o.inst, undefined, now, rater))
  }
  return { drifts, coverage: coverageOf(counts) }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function choose(candidates: Entry[], inst: ResourceInstance): Entry | undefined {
  const free = candidates.filter((c) => !c.matched)
  if (free.length <= 1) return free[0]
  const id = instanceId(inst)
  return free.find((c) => id !== undefined && instanceId(c.inst) === id) ?? free[0]
}

function namesOf(inst: ResourceInstance): string[] {
  return [inst.name ?? '', instanceId(inst) ?? '', inst.address ?? '', instanceArn(inst) ?? '']
}

/** The masked, ignore-filtered leaf changes between two matched instances. */
export function compareInstances(e: ResourceInstance, o: ResourceInstance, ignore?: IgnoreRules, names = namesOf(e), anyOrder = false): AttributeChange[] {
  const provider = e.provider || o.provider
  const expected = expandFlatmap(e.attributes ?? {})
  const actual = expandFlatmap(o.attributes ?? {})
  // A partial observation (a provider plugin) says nothing about the attributes it did not read.
  // Only the attributes both sides hold are compared: the state's others were not read, the plugin's others
  // are not in this state's schema version.
  const raw = o.partial
    ? diffAttributes(pickKeys(expected, actual), pickKeys(actual, expected), e.type, provider, anyOrder)
    : diffAttributes(expected, actual, e.type, provider, anyOrder)
  const sensitivePaths = [...(e.sensitive_paths ?? []), ...(o.sensitive_paths ?? [])]
  const unknownPaths = [...(e.unknown_paths ?? []), ...(o.unknown_paths ?? [])]
  const out: AttributeChange[] = []
  for (const c of raw) {
    if (unknownPaths.length > 0 && unknownPaths.some((u) => isPrefix(u, c.path))) continue
    if (ignore && ignore.size > 0 && ignore.ignores({ type: e.type, names, path: c.path })) continue
    const sensitive = isSensitivePath(c.path, sensitivePaths)
    out.push(maskChange({ path: c.path.join('.'), expected: c.expected ?? null, actual: c.actual ?? null, sensitive }))
  }
  return out
}

/** The entries of `from` whose keys `like` has. */
function pickKeys(from: Record<string, unknown>, like: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(like)) if (key in from) out[key] = from[key]
  return out
}

/** True when `prefix` is `path` or a path above it (an unknown block hides everything inside it). */
function isPrefix(prefix: ReadonlyArray<string | number>, path: ReadonlyArray<string | number>): boolean {
  if (prefix.length > path.length) return false
  for (let i = 0; i < prefix.length; i++) if (String(prefix[i]) !== String(path[i])) return false
  return true
}

function makeDrift(kind: Drift['kind'], inst: ResourceInstance, stateSource: string | undefined, now: string, rater: SeverityRater, changes?: AttributeChange[]): Drift {
  const resourceId = instanceId(inst)
  const arn = instanceArn(inst)
  const address = inst.address || undefined
  const identity = kind === 'unmanaged' && resourceId ? { type: inst.type, resource_id: resourceId } : { address, type: inst.type, resource_id: resourceId }
  const drift: Drift = {
    id: driftId(kind, identity),
    kind,
    type: inst.type,
    // Snapshots from other tools may omit the provider: the type prefix names it (`aws_instance` → aws).
    provider: inst.provider || inst.type.split('_')[0] || 'unknown',
    severity: rater.rate(inst.type, kind, changes?.map((c) => c.path)),
    detected_at: now,
    status: 'open',
  }
  if (address) drift.address = address
  if (resourceId) drift.resource_id = resourceId
  if (arn) drift.arn = arn
  if (inst.module) drift.module = inst.module
  if (changes) drift.changes = changes
  if (stateSource) drift.state_source = stateSource
  return drift
}
