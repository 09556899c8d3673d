/** Shared helpers for the human formats. */
import type { Drift } from '../../model.ts'

/** A value as one short line: JSON, cut at `max` characters. */
export function renderValue(value: unknown, max = 80): string {
  if (value === null || value === undefined) return '(none)'
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)
  return text.length > max ? text.slice(0, max - 1) + '…' : text
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
