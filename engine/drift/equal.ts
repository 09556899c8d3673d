/** Raw structural equality, the fast path that lets in-sync values skip normalisation. */

/** Fast structural equality on raw attribute trees (the common in-sync case skips normalisation). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const arrayA = Array.isArray(a)
  if (arrayA !== Array.isArray(b)) return false
  if (arrayA) {
    const x = a as unknown[]
    const y = b as unknown[]
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false
    return true
  }
  // for-in walks V8's enum cache without allocating key arrays: this loop is the hot path.
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let n = 0
  for (const k in x) {
    n++
    if (!(k in y) || !deepEqual(x[k], y[k])) return false
  }
  for (const _ in y) n--
  return n === 0
}
