/** Stable drift ids: the same drift detected again gets the same id, so it updates instead of duplicating. */
import { createHash } from 'node:crypto'
import type { DriftKind } from '../model.ts'

/** `drift_<16 hex>` from the kind and the resource's identity (address, else type + cloud id). */
export function driftId(kind: DriftKind, identity: { address?: string; type: string; resource_id?: string; scope?: string }): string {
  const who = identity.address ? `a:${identity.address}` : `t:${identity.type}:${identity.resource_id ?? ''}`
  const input = identity.scope ? `${kind}|${who}|${identity.scope}` : `${kind}|${who}`
  return 'drift_' + createHash('sha256').update(input).digest('hex').slice(0, 16)
}
