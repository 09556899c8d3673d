/** The zip download of a change set: its files under one folder, stamped with the change set's time (same input, same bytes). */
import { strToU8, zipSync } from 'fflate'
import type { ChangeSet } from './change-set.ts'

/** The folder (and download name, with `.zip`) of a change set. */
export function changeSetName(set: Pick<ChangeSet, 'id'>): string {
  return `tfdrift-change-set-${set.id}`
}

/** A zip of the change set's files plus `plan.json` (the steps and skipped drifts, for tooling). */
export function changeSetZip(set: ChangeSet): Uint8Array {
  const folder = changeSetName(set)
  const mtime = new Date(set.created_at)
  const manifest = { id: set.id, mode: set.mode, created_at: set.created_at, created_by: set.created_by, drift_ids: set.drift_ids, steps: set.steps, skipped: set.skipped }
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {}
  for (const file of [...set.files, { path: 'plan.json', content: `${JSON.stringify(manifest, null, 2)}\n` }]) {
    entries[`${folder}/${file.path}`] = [strToU8(file.content), { mtime }]
  }
  return zipSync(entries, { level: 6 })
}
