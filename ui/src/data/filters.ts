/**
 * Filters over nodes and drifts. On the canvas a filtered-out node gets the Hidden flag (the renderer
 * skips it, the layout keeps its place so clearing a filter does not move anything); the drift list
 * applies the same filters to drifts.
 */
import { NodeFlag, SEVERITIES, type GraphModel } from '../model/graph-model.ts'
import type { DriftStore } from './drifts.ts'
import type { Drift, RawNode } from './types.ts'

export const FILTER_KEYS = ['severity', 'kind', 'status', 'provider', 'type', 'module'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]
/** Each key: the accepted values (empty = no filter on that key). */
export type Filters = Record<FilterKey, string[]>

export const emptyFilters = (): Filters => ({ severity: [], kind: [], status: [], provider: [], type: [], module: [] })

export const isFiltering = (f: Filters): boolean => FILTER_KEYS.some((k) => f[k].length > 0)

const accepts = (values: string[], value: string | undefined): boolean => values.length === 0 || (value !== undefined && values.includes(value))

/** Whether a drift passes every filter. */
export function driftMatches(d: Drift, f: Filters): boolean {
  return accepts(f.severity, d.severity) && accepts(f.kind, d.kind) && accepts(f.status, d.status) &&
    accepts(f.provider, d.provider) && accepts(f.type, d.type) && accepts(f.module, d.module ?? '')
}

/**
 * Sets Hidden on nodes failing the filters and touches 'style'. Kind and status are drift fields: with
 * either set, a node stays visible only when one of its drifts has them.
 */
export function applyFilters(model: GraphModel, f: Filters, drifts: DriftStore): number {
  const byDrift = f.kind.length > 0 || f.status.length > 0
  let visible = 0
  for (let slot = 0; slot < model.nodeSlots; slot++) {
    const flags = model.flags[slot]!
    if (!(flags & NodeFlag.Alive)) continue
    const node = model.data[slot]!
    let show = accepts(f.severity, SEVERITIES[model.severity[slot]!]) && accepts(f.provider, node.provider) &&
      accepts(f.type, node.type) && accepts(f.module, node.module ?? '')
    if (show && byDrift) {
      show = drifts.forNode((node.raw ?? node) as RawNode).some((d) => accepts(f.kind, d.kind) && accepts(f.status, d.status))
    }
    model.flags[slot] = show ? flags & ~NodeFlag.Hidden : flags | NodeFlag.Hidden
    if (show) visible++
  }
  model.touch('style')
  return visible
}

/** Distinct values of a node field (for the filter menus), most frequent first. */
export function distinctValues(model: GraphModel, field: 'provider' | 'type' | 'module', cap = 200): string[] {
  const counts = new Map<string, number>()
  for (let slot = 0; slot < model.nodeSlots; slot++) {
    const node = model.data[slot]
    const v = node?.[field]
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, cap).map(([v]) => v)
}
