/** Raw REST/stream nodes and edges → the graph model's NodeData/EdgeData, and the address index drifts need. */
import type { EdgeData, NodeData, Severity } from '../model/types.ts'
import { groupPath, type GroupBy } from './grouping.ts'
import type { RawEdge, RawNode } from './types.ts'

const SEVERITY_NAMES = new Set(['critical', 'high', 'medium', 'low', 'info'])

/** The node's worst open drift as a model severity (`none` when the server sent none). */
export function severityOf(value: unknown): Severity {
  return typeof value === 'string' && SEVERITY_NAMES.has(value) ? (value as Severity) : 'none'
}

/** Converts one raw node; `group` decides the cluster path (the grouping selector's choice). */
export function toNodeData(raw: RawNode, group?: GroupBy[]): NodeData {
  const address = raw.address ?? raw.id
  return {
    id: raw.id,
    label: address,
    type: raw.type,
    provider: raw.provider,
    address,
    ...(raw.module ? { module: raw.module } : {}),
    // Unmanaged live objects have no address of their own (`<type>:<id>` ids) and no state mode.
    kind: raw.mode === 'data' ? 'data' : raw.id.includes(':') && !raw.address ? 'unmanaged' : 'managed',
    group: groupPath(raw, group),
    severity: severityOf(raw.drift_severity),
    driftCount: raw.drift_count ?? 0,
    raw,
  }
}

export function toEdgeData(raw: RawEdge): EdgeData {
  return { id: raw.id, source: raw.source, target: raw.target, kind: raw.kind ?? 'depends_on' }
}

/**
 * Node ids by Terraform address and by `type:resource_id`: a drift names its resource by address
 * (or, when unmanaged, by type and id), while one address can appear in several states (`addr@source`).
 */
export class AddressIndex {
  private readonly ids = new Map<string, Set<string>>()

  add(raw: RawNode): void {
    for (const key of keysOf(raw)) {
      const set = this.ids.get(key)
      if (set) set.add(raw.id)
      else this.ids.set(key, new Set([raw.id]))
    }
  }

  remove(raw: RawNode): void {
    for (const key of keysOf(raw)) this.ids.get(key)?.delete(raw.id)
  }

  /** Node ids a drift with this address / type / resource id belongs to. */
  lookup(address?: string, type?: string, resourceId?: string): string[] {
    const byAddress = address ? this.ids.get(address) : undefined
    if (byAddress?.size) return [...byAddress]
    const byId = type && resourceId ? this.ids.get(`${type}:${resourceId}`) : undefined
    return byId ? [...byId] : []
  }

  clear(): void {
    this.ids.clear()
  }
}

function keysOf(raw: RawNode): string[] {
  const keys = [raw.id]
  if (raw.address && raw.address !== raw.id) keys.push(raw.address)
  if (raw.resource_id) keys.push(`${raw.type}:${raw.resource_id}`)
  return keys
}
