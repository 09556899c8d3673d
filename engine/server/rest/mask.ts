/**
 * Masking of sensitive values in REST outputs. The store should already hold masked values, but the
 * API is the last line before a user's screen, so it masks again: attribute paths Terraform marked
 * sensitive, and drift changes flagged `sensitive`.
 */
import type { Drift, ResourceInstance } from '../../model.ts'

/** What replaces every sensitive value. */
export const MASK = '(sensitive)'

/** A copy of the resource with each value at a `sensitive_paths` entry replaced by the mask. */
export function maskResource(resource: ResourceInstance): ResourceInstance {
  const paths = resource.sensitive_paths
  if (!paths || paths.length === 0) return resource
  const attributes = structuredClone(resource.attributes)
  for (const path of paths) maskPath(attributes, path)
  return { ...resource, attributes }
}

function maskPath(root: unknown, path: Array<string | number>): void {
  if (path.length === 0) return
  let node = root as Record<string | number, unknown> | unknown[] | null
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return
    node = (node as Record<string | number, unknown>)[path[i]!] as typeof node
  }
  const last = path[path.length - 1]!
  if (node !== null && typeof node === 'object' && last in node) (node as Record<string | number, unknown>)[last] = MASK
}

/** A copy of the drift with sensitive change values masked. */
export function maskDrift(drift: Drift): Drift {
  if (!drift.changes?.some((c) => c.sensitive)) return drift
  return { ...drift, changes: drift.changes.map((c) => (c.sensitive ? { ...c, expected: MASK, actual: MASK } : c)) }
}
