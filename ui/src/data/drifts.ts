/**
 * The drifts the dashboard knows (loaded pages plus live events), indexed by the resource they name so
 * the graph, the list and the side panel agree. A node's colour is its worst *open* drift, the same
 * rule the server applies when it annotates graph nodes.
 */
import { createSignal, type Accessor } from 'solid-js'
import { SEVERITIES, type Severity } from '../model/types.ts'
import type { Drift, RawNode } from './types.ts'

export const SEVERITY_RANK: Record<string, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]))

export class DriftStore {
  readonly byId = new Map<string, Drift>()
  private readonly byKey = new Map<string, Set<string>>()
  private readonly bump: (fn: (v: number) => number) => void
  /** Changes whenever drifts were added or changed (read it to make a Solid computation depend on drifts). */
  readonly version: Accessor<number>
  private scheduled = false

  constructor() {
    const [version, setVersion] = createSignal(0)
    this.version = version
    this.bump = setVersion
  }

  /** Adds or replaces drifts; returns them (for the caller to recolour their nodes). */
  upsert(drifts: Drift[]): Drift[] {
    for (const d of drifts) {
      const old = this.byId.get(d.id)
      if (old) for (const k of keysOf(old)) this.byKey.get(k)?.delete(old.id)
      this.byId.set(d.id, d)
      for (const k of keysOf(d)) {
        const set = this.byKey.get(k)
        if (set) set.add(d.id)
        else this.byKey.set(k, new Set([d.id]))
      }
    }
    this.changed()
    return drifts
  }

  clear(): void {
    this.byId.clear()
    this.byKey.clear()
    this.changed()
  }

  /** Drifts of one graph node (by its address, or type and resource id when unmanaged). */
  forNode(raw: Pick<RawNode, 'id' | 'address' | 'type' | 'resource_id'>): Drift[] {
    const ids = new Set<string>()
    for (const k of [raw.address ?? raw.id, raw.resource_id ? `${raw.type}:${raw.resource_id}` : '']) {
      for (const id of this.byKey.get(k) ?? []) ids.add(id)
    }
    return [...ids].map((id) => this.byId.get(id)!).filter(Boolean)
  }

  /** Worst open severity and open count of a node's drifts. */
  worstOpen(raw: Pick<RawNode, 'id' | 'address' | 'type' | 'resource_id'>): { severity: Severity; count: number } {
    let rank = 0
    let count = 0
    for (const d of this.forNode(raw)) {
      if (d.status !== 'open') continue
      count++
      rank = Math.max(rank, SEVERITY_RANK[d.severity] ?? 0)
    }
    return { severity: SEVERITIES[rank]!, count }
  }

  /** Bursts of events re-sort the list once per frame, not once per event. */
  private changed(): void {
    if (this.scheduled) return
    this.scheduled = true
    const flush = () => {
      this.scheduled = false
      this.bump((v) => v + 1)
    }
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(flush)
    else setTimeout(flush, 16)
  }
}

function keysOf(d: Drift): string[] {
  const keys: string[] = []
  if (d.address) keys.push(d.address)
  if (d.resource_id) keys.push(`${d.type}:${d.resource_id}`)
  return keys
}

/** Most severe first, then newest. */
export function compareDrifts(a: Drift, b: Drift): number {
  return (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) || (b.detected_at < a.detected_at ? -1 : b.detected_at > a.detected_at ? 1 : 0)
}
