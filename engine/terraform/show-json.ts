/**
 * `terraform show -json` of a *state* (not a plan): `{ format_version, terraform_version, values:
 * { outputs, root_module } }`. It carries the same instances as the state file (no serial, lineage,
 * dependencies order or deposed objects), so it reads into the same Snapshot.
 */
import type { Snapshot } from '../model.ts'
import { readerError } from './errors.ts'
import { readOutputs } from './outputs.ts'
import { walkModule } from './plan.ts'

/** True for a document with `format_version` + `values` and none of a plan's members. */
export function looksLikeShowState(doc: { has(key: string): boolean }): boolean {
  return doc.has('format_version') && doc.has('values') && !doc.has('planned_values') && !doc.has('resource_changes') && !doc.has('prior_state')
}

/** Reads the `values` member of a show-json state; errors are TFD_ERR_STATE_INVALID with pointers. */
export function showStateFromValues(values: unknown, terraformVersion: unknown, opts: { source: string; kind?: 'expected' | 'observed'; takenAt?: string }): Snapshot {
  const { source } = opts
  if (!values || typeof values !== 'object' || Array.isArray(values)) throw readerError('TFD_ERR_STATE_INVALID', source, '/values', 'values must be an object.')
  const v = values as Record<string, unknown>
  const snapshot: Snapshot = {
    kind: opts.kind ?? 'expected',
    source,
    taken_at: opts.takenAt ?? new Date().toISOString(),
    resources: [],
    ...(typeof terraformVersion === 'string' ? { terraform_version: terraformVersion } : {}),
  }
  const seen = new Set<string>()
  walkModule(v.root_module, '/values/root_module', source, (r) => {
    if (seen.has(r.address)) throw readerError('TFD_ERR_STATE_DUPLICATE', source, '/values/root_module', `resource instance ${r.address} appears more than once.`)
    seen.add(r.address)
    snapshot.resources.push(r)
  }, 'TFD_ERR_STATE_INVALID')
  if (v.outputs !== undefined && v.outputs !== null) snapshot.outputs = readOutputs(v.outputs, source, '/values/outputs')
  return snapshot
}
