/**
 * Deterministic drift injection for the corpus suite: clone an expected snapshot into an observed one,
 * apply known mutations (attribute edits of every value type, deleted instances, unmanaged objects)
 * and semantic no-ops (number → numeric string, bool → "true", reordered sets, re-serialised JSON
 * policies, null → [] / {} / "", absent ↔ empty), and return the drifts an exact analyzer must report.
 */
import type { ResourceInstance, Snapshot } from '../../../engine/model.ts'
import { isSetAttribute } from '../../../engine/drift/sets.ts'

export type Path = Array<string | number>
export type EditKind = 'string' | 'number' | 'bool' | 'list-element' | 'map-key' | 'map-key-added' | 'nested'

/** One drift the analyzer must report: `kind key` plus, for modified, the exact changed paths. */
export interface Injected {
  key: string
  paths?: string[]
  edits?: EditKind[]
}

/** A small seeded PRNG (mulberry32) so every run injects the same mutations. */
export function rng(seedText: string): () => number {
  let seed = 2166136261
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619)
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const UNKNOWN = '74D93920-ED26-11E3-AC10-0800200C9A66'

interface Leaf { path: Path; value: string | number | boolean; kind: EditKind }

function isJsonDoc(s: string): boolean {
  if (!/^\s*[[{]/.test(s)) return false
  try { JSON.parse(s); return true } catch { return false }
}

/** Every editable scalar leaf of an instance, classified by the kind of edit it exercises. */
export function leavesOf(attrs: Record<string, unknown>): Leaf[] {
  const out: Leaf[] = []
  const walk = (v: unknown, path: Path, parent: 'root' | 'map' | 'list' | 'block') => {
    if (Array.isArray(v)) { v.forEach((x, i) => walk(x, [...path, i], 'list')); return }
    if (isObj(v)) {
      // A top-level object attribute is a map (tags, labels); objects inside lists are nested blocks.
      const kind = parent === 'root' ? 'map' : 'block'
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], path.some((p) => typeof p === 'number') ? 'block' : kind)
      return
    }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return
    if (v === UNKNOWN) return
    let kind: EditKind
    if (parent === 'list') kind = 'list-element'
    else if (parent === 'map') kind = 'map-key'
    else if (parent === 'block') kind = 'nested'
    else if (typeof v === 'boolean' || v === 'true' || v === 'false') kind = 'bool'
    else if (typeof v === 'number' || /^-?\d+$/.test(v)) kind = 'number'
    else kind = 'string'
    out.push({ path, value: v, kind })
  }
  for (const [k, v] of Object.entries(attrs)) walk(v, [k], 'root')
  return out
}

/** A value that differs from `v` in meaning (never a representation change). */
function edited(v: string | number | boolean): string | number | boolean {
  if (typeof v === 'boolean') return !v
  if (typeof v === 'number') return v + 1
  if (v === 'true' || v === 'false') return v === 'true' ? 'false' : 'true'
  if (/^-?\d{1,15}$/.test(v)) return String(Number(v) + 1)
  return v === '' ? 'drifted' : `${v}-drifted`
}

function getAt(root: unknown, path: Path): unknown {
  let cur = root
  for (const p of path) cur = (cur as Record<string | number, unknown>)?.[p]
  return cur
}
function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: any = root
  for (const p of path.slice(0, -1)) cur = cur[p]
  cur[path[path.length - 1]!] = value
}

const comparable = (r: ResourceInstance) => r.mode === 'managed' && !r.deposed

/** Drift key as the suite compares it. */
export function keyOf(kind: string, r: { address?: string; type: string; resource_id?: string }): string {
  return kind === 'unmanaged' ? `unmanaged ${r.type} ${r.resource_id}` : `${kind} ${r.address}`
}

/**
 * Injects drifts into `observed` (a deep clone of the expected snapshot, mutated in place).
 * Returns what an exact analyzer must report.
 */
export function injectDrift(observed: Snapshot, random: () => number): Injected[] {
  const injected: Injected[] = []
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!
  const candidates = observed.resources.filter(comparable)
  const byAddress = new Map<string, ResourceInstance[]>()
  for (const r of candidates) byAddress.set(r.address, [...(byAddress.get(r.address) ?? []), r])
  // Only instances with a unique address and a non-empty attribute body are edited or deleted.
  const pool = candidates.filter((r) => byAddress.get(r.address)!.length === 1 && leavesOf(r.attributes).length > 0)
  const shuffled = [...pool].sort(() => random() - 0.5)

  // Deleted instance (missing), when the state has enough instances to spare one.
  if (shuffled.length >= 3) {
    const victim = shuffled.shift()!
    observed.resources = observed.resources.filter((r) => r !== victim)
    injected.push({ key: keyOf('missing', victim) })
  }

  // Attribute edits: one per instance, cycling through edit kinds so every kind is exercised.
  const kinds: EditKind[] = ['string', 'number', 'bool', 'list-element', 'map-key', 'map-key-added', 'nested']
  const wanted = Math.min(shuffled.length, 7)
  for (let n = 0; n < wanted; n++) {
    const inst = shuffled[n]!
    const leaves = leavesOf(inst.attributes)
    const order = [...kinds.slice(n % kinds.length), ...kinds.slice(0, n % kinds.length)]
    const edits: EditKind[] = []
    const paths: string[] = []
    const count = n === 0 ? 2 : 1 // one instance gets two edits: multi-change drifts
    for (const kind of order) {
      if (edits.length >= count) break
      if (kind === 'map-key-added') {
        const maps = Object.entries(inst.attributes).filter(([, v]) => isObj(v) || v === null).map(([k]) => k)
        const map = maps.find((m) => /tags|labels/.test(m)) ?? maps[0]
        if (!map) continue
        if (!isObj(inst.attributes[map])) inst.attributes[map] = {}
        ;(inst.attributes[map] as Record<string, unknown>).tfdrift_injected = 'yes'
        paths.push(`${map}.tfdrift_injected`)
        edits.push(kind)
        continue
      }
      const options = leaves.filter((l) => l.kind === kind && !paths.some((p) => p.split('.')[0] === String(l.path[0])))
      if (options.length === 0) continue
      const leaf = pick(options)
      setAt(inst.attributes, leaf.path, edited(leaf.value))
      paths.push(leaf.path.join('.'))
      edits.push(kind)
    }
    if (edits.length) injected.push({ key: keyOf('modified', inst), paths: paths.sort(), edits })
  }

  // Unmanaged objects: a copy of an existing type under a new id, one with no address at all
  // (cloud-discovery style), and one of a type the state never had.
  const template = candidates.length ? pick(candidates) : undefined
  if (template) {
    for (const [i, withAddress] of [[1, true], [2, false]] as const) {
      const id = `tfdrift-unmanaged-${i}`
      const clone = structuredClone(template)
      clone.name = `tfdrift_unmanaged_${i}`
      delete clone.module
      delete clone.index_key
      clone.address = withAddress ? `${clone.type}.${clone.name}` : ''
      clone.resource_id = id
      clone.attributes = { ...clone.attributes, id }
      delete clone.arn
      delete (clone.attributes as Record<string, unknown>).arn
      observed.resources.push(clone)
      injected.push({ key: keyOf('unmanaged', clone) })
    }
  }
  const widget: ResourceInstance = {
    address: 'tfdrift_test_widget.extra', mode: 'managed', type: 'tfdrift_test_widget', name: 'extra', provider: 'tfdrift',
    resource_id: 'widget-1', attributes: { id: 'widget-1', size: 3 },
  }
  observed.resources.push(widget)
  injected.push({ key: keyOf('unmanaged', widget) })
  return injected
}

/** Re-serialises a JSON document: keys reversed, pretty-printed, policy one-element lists ↔ scalars. */
export function reserialiseJson(text: string, random: () => number): string {
  const doc = JSON.parse(text)
  const policyish = isObj(doc) && 'Statement' in doc
  const rewrite = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => rewrite(x, key))
      if (policyish) {
        if (items.length === 1 && random() < 0.7) return items[0]
        return items.reverse()
      }
      return items
    }
    if (isObj(v)) {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v).reverse()) out[k] = rewrite(v[k], k)
      return out
    }
    if (policyish && typeof v === 'string' && ['Action', 'Resource', 'NotAction', 'NotResource', 'AWS', 'Service'].includes(key) && random() < 0.5) return [v]
    return v
  }
  const out = rewrite(doc, '')
  if (policyish && isObj(out) && isObj(out.Statement) && random() < 0.5) out.Statement = [out.Statement]
  return JSON.stringify(out, null, random() < 0.5 ? 2 : 0)
}

/**
 * Semantic no-ops over every instance: each eligible value is rewritten with probability `rate`.
 * `legacy` adds the v3 → v4 typing (numeric strings → numbers, "true" → true).
 */
/** How many no-ops of each kind the last `applyNoops` calls applied (accumulates across calls). */
export const noopKinds: Record<string, number> = {}

export function applyNoops(snapshot: Snapshot, random: () => number, rate = 0.35): number {
  let count = 0
  const chance = () => random() < rate
  const hit = (kind: string) => { noopKinds[kind] = (noopKinds[kind] ?? 0) + 1 }
  const visit = (v: unknown, type: string, name: string): unknown => {
    if (v === null) {
      if (!chance()) return v
      count++
      const to = Math.floor(random() * 3)
      hit(['null→[]', 'null→{}', 'null→""'][to]!)
      return [[], {}, ''][to]
    }
    if (Array.isArray(v)) {
      let items = v.map((x) => visit(x, type, name))
      if (items.length > 1 && isSetAttribute(type, name) && chance()) { items = items.reverse(); count++; hit('set reordered') }
      return items
    }
    if (isObj(v)) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        const empty = x === null || x === '' || (Array.isArray(x) && x.length === 0) || (isObj(x) && Object.keys(x).length === 0)
        if (empty && chance()) { count++; hit('empty→absent'); continue }
        out[k] = visit(x, type, k)
      }
      return out
    }
    if (typeof v === 'number' && Number.isFinite(v) && chance()) { count++; hit('number→string'); return String(v) }
    if (typeof v === 'boolean' && chance()) { count++; hit('bool→string'); return String(v) }
    if (typeof v === 'string') {
      if ((v === 'true' || v === 'false') && chance()) { count++; hit('"true"→bool'); return v === 'true' }
      if (/^-?(0|[1-9]\d{0,14})$/.test(v) && chance()) { count++; hit('numeric string→number'); return Number(v) }
      if (v === '' && chance()) { count++; hit('""→null'); return null }
      if (isJsonDoc(v) && chance()) { count++; hit('JSON re-serialised'); return reserialiseJson(v, random) }
    }
    return v
  }
  for (const r of snapshot.resources) {
    if (!comparable(r)) continue
    r.attributes = visit(r.attributes, r.type, '') as Record<string, unknown>
    if (chance()) { r.attributes.tfdrift_absent_attr = null; count++; hit('absent→null') }
  }
  return count
}

/** Types every numeric string as a number and "true"/"false" as booleans (a v3 state seen as v4). */
export function typeLegacyValues(snapshot: Snapshot): void {
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit)
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]))
    if (v === 'true' || v === 'false') return v === 'true'
    if (typeof v === 'string' && /^-?(0|[1-9]\d{0,14})$/.test(v)) return Number(v)
    return v
  }
  for (const r of snapshot.resources) r.attributes = visit(r.attributes) as Record<string, unknown>
}

export { getAt }
