/**
 * Attribute-level diff of two normalised resource bodies: a list of leaf changes with dotted paths
 * (list indexes as numbers, on the expected side's numbering). Equality is decided by `canonKey`, so
 * representation differences never show; set-like lists are matched unordered, pairing leftover
 * elements by similarity so an edited element reports its changed leaves, not a remove + add.
 */
import { deepEqual } from './equal.ts'
import { canonKey, isSetValue, isUnknown, type ValueContext } from './normalise.ts'

/** A leaf difference before masking; `path` is the list of keys/indexes from the attribute root. */
export interface RawChange {
  path: Array<string | number>
  expected: unknown
  actual: unknown
}

/** Diffs two attribute maps. */
export function diffAttributes(
  expected: Record<string, unknown>, actual: Record<string, unknown>, type: string, provider: string, anyOrder = false,
): RawChange[] {
  const out: RawChange[] = []
  diffObject(expected, actual, [], { type, provider, name: '', anyOrder }, out)
  return out
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function diffObject(
  a: Record<string, unknown>, b: Record<string, unknown>, path: Array<string | number>, ctx: ValueContext, out: RawChange[],
): void {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of [...keys].sort()) diffValue(a[key], b[key], [...path, key], { ...ctx, name: key }, out)
}

function diffValue(a: unknown, b: unknown, path: Array<string | number>, ctx: ValueContext, out: RawChange[]): void {
  if (a === b || isUnknown(a) || isUnknown(b)) return
  // Identical subtrees need no normalising (the common case inside a drifted resource).
  if (typeof a === 'object' && typeof b === 'object' && deepEqual(a, b)) return
  const ka = canonKey(a, ctx)
  const kb = canonKey(b, ctx)
  if (ka === kb) return
  if (ka === undefined || kb === undefined) {
    // One side empty: report every leaf of the other side, against null.
    leaves(ka === undefined ? b : a, path, ctx, (p, v) => out.push(ka === undefined ? { path: p, expected: null, actual: v } : { path: p, expected: v, actual: null }))
    return
  }
  if (isPlainObject(a) && isPlainObject(b)) return diffObject(a, b, path, ctx, out)
  if (Array.isArray(a) && a.length === 1 && isPlainObject(a[0]) && isPlainObject(b)) return diffValue(a[0], b, [...path, 0], ctx, out)
  if (isPlainObject(a) && Array.isArray(b) && b.length === 1 && isPlainObject(b[0])) return diffValue(a, b[0], path, ctx, out)
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isSetValue(a, ctx) || isSetValue(b, ctx)) return diffSet(a, b, path, ctx, out)
    const n = Math.max(a.length, b.length)
    for (let i = 0; i < n; i++) diffValue(a[i], b[i], [...path, i], ctx, out)
    return
  }
  if (sameNumber(a, b)) return
  out.push({ path, expected: a, actual: b })
}

/**
 * A number and a numeric string beyond 2^53 are the same when the string rounds to that number:
 * the number was rounded when JSON was parsed, the string was not (a canonical key cannot say this).
 */
function sameNumber(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'number') return sameNumber(b, a)
  if (typeof a !== 'number' || typeof b !== 'string' || Number.isSafeInteger(a)) return false
  return /^-?[1-9]\d{15,}$/.test(b) && Number(b) === a
}

/** Calls `emit` for every non-empty leaf below `value` (a scalar is its own leaf). */
function leaves(value: unknown, path: Array<string | number>, ctx: ValueContext, emit: (p: Array<string | number>, v: unknown) => void): void {
  if (canonKey(value, ctx) === undefined) return
  if (Array.isArray(value)) { value.forEach((v, i) => leaves(v, [...path, i], ctx, emit)); return }
  if (isPlainObject(value)) {
    for (const k of Object.keys(value).sort()) leaves(value[k], [...path, k], { ...ctx, name: k }, emit)
    return
  }
  emit(path, value)
}

/** Unordered list diff: drop exact matches, pair the rest by similarity, report leftovers as added/removed. */
function diffSet(a: unknown[], b: unknown[], path: Array<string | number>, ctx: ValueContext, out: RawChange[]): void {
  // Exact matches first, through a key → indexes map (large sets stay linear).
  const byKey = new Map<string | undefined, number[]>()
  b.forEach((v, j) => {
    const k = canonKey(v, ctx)
    const list = byKey.get(k)
    if (list) list.push(j)
    else byKey.set(k, [j])
  })
  const usedB = new Array<boolean>(b.length).fill(false)
  const leftA: number[] = []
  a.forEach((v, i) => {
    const j = byKey.get(canonKey(v, ctx))?.shift()
    if (j !== undefined) usedB[j] = true
    else leftA.push(i)
  })
  const leftB = b.map((_, j) => j).filter((j) => !usedB[j])
  // Greedy pairing by fewest differing leaves: an edited block reports its changed leaves only.
  for (const i of leftA) {
    let best = -1
    let bestScore = Infinity
    let bestChanges: RawChange[] = []
    for (const j of leftB) {
      if (usedB[j]) continue
      const trial: RawChange[] = []
      diffValue(a[i], b[j], [...path, i], ctx, trial)
      if (trial.length < bestScore) { best = j; bestScore = trial.length; bestChanges = trial }
    }
    const oneEach = leftA.length === 1 && leftB.length === 1
    const comparable = best >= 0 && (isPlainObject(a[i]) ? isPlainObject(b[best]) && (oneEach || sharesLeaves(a[i], b[best], ctx)) : !isPlainObject(b[best]) && oneEach)
    if (comparable) { usedB[best] = true; out.push(...bestChanges); continue }
    leaves(a[i], [...path, i], ctx, (p, v) => out.push({ path: p, expected: v, actual: null }))
  }
  let next = a.length
  for (const j of leftB) {
    if (usedB[j]) continue
    leaves(b[j], [...path, next++], ctx, (p, v) => out.push({ path: p, expected: null, actual: v }))
  }
}

/** Two blocks are "the same element, edited" when at least half of their leaves agree. */
function sharesLeaves(a: unknown, b: unknown, ctx: ValueContext): boolean {
  if (!isPlainObject(a) || !isPlainObject(b)) return false
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  let same = 0
  for (const k of keys) if (canonKey(a[k], { ...ctx, name: k }) === canonKey(b[k], { ...ctx, name: k })) same++
  return same * 2 >= keys.size
}
