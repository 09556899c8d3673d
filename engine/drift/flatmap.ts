/**
 * Expands Terraform 0.11-era "flatmap" attributes (state format v3: every value a string, nested
 * values spread over dotted keys with `.#` list counts and `.%` map counts) into the nested shape
 * format v4 uses, so a legacy state compares cleanly against a modern one.
 */

/** Lists that came from hash-indexed flatmap sets (`security_groups.3814588639`): compared unordered. */
const HASHED_SETS = new WeakSet<unknown[]>()

/** True when this array was built from a hash-indexed flatmap set. */
export function isFlatmapSet(value: unknown): boolean {
  return Array.isArray(value) && HASHED_SETS.has(value)
}

/** True when the attributes are flatmap-encoded: some top-level key has a dot (v4 names never do). */
export function isFlatmap(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) if (key.includes('.')) return true
  return false
}

/** Expands flatmap attributes into nested objects/lists; non-flatmap input is returned as is. */
export function expandFlatmap(attributes: Record<string, unknown>): Record<string, unknown> {
  if (!isFlatmap(attributes)) return attributes
  return expandObject(Object.entries(attributes))
}

type Entry = [string, unknown]

function groupByHead(entries: Entry[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>()
  for (const [key, value] of entries) {
    const dot = key.indexOf('.')
    const head = dot < 0 ? key : key.slice(0, dot)
    const rest = dot < 0 ? '' : key.slice(dot + 1)
    let group = groups.get(head)
    if (!group) groups.set(head, (group = []))
    group.push([rest, value])
  }
  return groups
}

function expandObject(entries: Entry[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [head, group] of groupByHead(entries)) {
    const scalar = group.find(([rest]) => rest === '')
    const nested = group.filter(([rest]) => rest !== '')
    if (nested.length === 0) { out[head] = scalar?.[1]; continue }
    out[head] = expandValue(nested)
  }
  return out
}

/** `entries` are the keys below one attribute (`#`, `%`, `0.x`, `Name`, …). */
function expandValue(entries: Entry[]): unknown {
  if (entries.some(([k]) => k === '%')) {
    // A map: everything after the prefix is the key, dots included (`kubernetes.io/role`).
    const map: Record<string, unknown> = {}
    const sub = entries.filter(([k]) => k !== '%')
    const direct = sub.filter(([k]) => !k.includes('.'))
    if (direct.length === sub.length) {
      for (const [k, v] of sub) map[k] = v
      return map
    }
    // Maps of blocks are rare; keys with dots stay whole when no deeper counts exist.
    const hasDeepCounts = sub.some(([k]) => /\.[#%]$/.test(k))
    if (!hasDeepCounts) { for (const [k, v] of sub) map[k] = v; return map }
    return expandObject(sub)
  }
  if (entries.some(([k]) => k === '#')) {
    const groups = groupByHead(entries.filter(([k]) => k !== '#'))
    const indexes = [...groups.keys()]
    const positional = indexes.every((k) => /^\d+$/.test(k)) && indexes.every((k) => Number(k) < indexes.length)
    const ordered = positional ? indexes.sort((a, b) => Number(a) - Number(b)) : indexes.sort()
    const list = ordered.map((idx) => {
      const group = groups.get(idx)!
      const scalar = group.find(([rest]) => rest === '')
      const nested = group.filter(([rest]) => rest !== '')
      return nested.length === 0 ? scalar?.[1] : expandObject(nested)
    })
    if (!positional) HASHED_SETS.add(list)
    return list
  }
  return expandObject(entries)
}
