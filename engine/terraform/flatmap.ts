/**
 * Legacy "flatmap" attributes (state v3, and v4's `attributes_flat`) back into nested values:
 * `tags.% = 2, tags.Name = x` → `tags: { Name: 'x' }`; `ingress.# = 1, ingress.1234.from_port = 80`
 * → `ingress: [{ from_port: '80' }]`.
 *
 * Leaf values stay strings, as flatmap stored them (`"80"`, `"true"`): the schema that would say
 * "number" is not in the state. The drift normaliser (engine/drift) compares numbers with numeric
 * strings and booleans with "true"/"false", so this is not reported as drift.
 * Set elements are keyed by hash (`ingress.1234`); they come back as a list in key order — sets are
 * unordered, and the normaliser compares set-like lists without regard to order.
 */

type Flat = Record<string, unknown>

/** Nests a flatmap; keys with the `.#` / `.%` count markers become lists / maps. */
export function unflatten(flat: Flat): Record<string, unknown> {
  const keys = Object.keys(flat)
  const top = new Set<string>()
  for (const k of keys) {
    const dot = k.indexOf('.')
    top.add(dot < 0 ? k : k.slice(0, dot))
  }
  const out: Record<string, unknown> = {}
  for (const name of top) out[name] = expand(flat, keys, name)
  return out
}

/** Keys under `prefix.`, as their remainders. */
function childRemainders(keys: readonly string[], prefix: string): string[] {
  const p = `${prefix}.`
  const out: string[] = []
  for (const k of keys) if (k.startsWith(p)) out.push(k.slice(p.length))
  return out
}

function expand(flat: Flat, keys: readonly string[], prefix: string): unknown {
  if (Object.prototype.hasOwnProperty.call(flat, `${prefix}.#`)) return expandList(flat, keys, prefix)
  if (Object.prototype.hasOwnProperty.call(flat, `${prefix}.%`)) return expandMap(flat, keys, prefix)
  if (Object.prototype.hasOwnProperty.call(flat, prefix)) return flat[prefix]
  // No marker (very old states write nested blocks without counts): infer from the child keys.
  const rems = childRemainders(keys, prefix)
  const firsts = new Set(rems.map((r) => r.split('.')[0]!))
  if (firsts.size > 0 && [...firsts].every((f) => /^\d+$/.test(f))) return listOf(flat, keys, prefix, firsts)
  const obj: Record<string, unknown> = {}
  for (const f of firsts) obj[f] = expand(flat, keys, `${prefix}.${f}`)
  return obj
}

function listOf(flat: Flat, keys: readonly string[], prefix: string, indexes: Set<string>): unknown[] {
  return [...indexes].sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0))
    .map((i) => expand(flat, keys, `${prefix}.${i}`))
}

function expandList(flat: Flat, keys: readonly string[], prefix: string): unknown {
  const indexes = new Set<string>()
  for (const r of childRemainders(keys, prefix)) {
    if (r === '#') continue
    indexes.add(r.split('.')[0]!)
  }
  // Pre-0.7 writers counted maps with `#` too: non-numeric children mean this is a map.
  if ([...indexes].some((i) => !/^\d+$/.test(i))) return expandMap(flat, keys, prefix, '#')
  return listOf(flat, keys, prefix, indexes)
}

function expandMap(flat: Flat, keys: readonly string[], prefix: string, marker = '%'): Record<string, unknown> {
  const rems = childRemainders(keys, prefix).filter((r) => r !== marker)
  const count = Number(flat[`${prefix}.${marker}`])
  const out: Record<string, unknown> = {}
  // Map keys may contain dots (`tags.kubernetes.io/role`). When every remainder is a plain leaf and
  // their number matches the `%` count, each whole remainder is one key.
  const nested = rems.some((r) => r.endsWith('.#') || r.endsWith('.%'))
  if (!nested && rems.length === count) {
    for (const r of rems) out[r] = flat[`${prefix}.${r}`]
    return out
  }
  const firsts = new Set(rems.map((r) => r.split('.')[0]!))
  for (const f of firsts) out[f] = expand(flat, keys, `${prefix}.${f}`)
  return out
}
