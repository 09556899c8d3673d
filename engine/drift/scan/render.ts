/** Shared helpers for the human formats. */
import type { Drift } from '../../model.ts'

/** A value as one short line: JSON, cut at `max` characters. */
export function renderValue(value: unknown, max = 80): string {
  if (value === null || value === undefined) return '(none)'
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)
  return text.length > max ? text.slice(0, max - 1) + '…' : text
}

/**
 * Expected and actual as two short lines. When both are too long and agree past the cut, both are shown
 * around their first difference, so a reader sees what changed rather than two identical prefixes.
 */
export function renderPair(expected: unknown, actual: unknown, max = 80): [string, string] {
  const a = renderValue(expected, Infinity)
  const b = renderValue(actual, Infinity)
  if (a.length <= max && b.length <= max) return [a, b]
  let diff = 0
  while (diff < a.length && diff < b.length && a[diff] === b[diff]) diff++
  if (diff < max - 1) return [renderValue(expected, max), renderValue(actual, max)]
  const start = Math.max(0, diff - Math.floor(max / 3))
  const window = (text: string) => {
    const tail = text.slice(start)
    return '…' + (tail.length > max - 1 ? tail.slice(0, max - 2) + '…' : tail)
  }
  return [window(a), window(b)]
}

/** How a drift names its resource: the address, else type and cloud id. */
export function resourceLabel(d: Drift): string {
  return d.address ?? `${d.type} ${d.resource_id ?? '(no id)'}`
}

/** Groups by a key preserving first-seen order. */
export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}
