/**
 * Reads `tfdrift scan` inputs: expected states from files, directories and globs, and the observed
 * side from a refreshed state, a snapshot JSON or a plan JSON (sniffed from the document).
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import fg from 'fast-glob'
import { TfdriftError } from '../../errors.ts'
import type { Snapshot } from '../../model.ts'
import { looksLikePlan, parsePlan } from '../../terraform/plan.ts'
import { parseState } from '../../terraform/state.ts'

/** Expands `--state` arguments into state files (directories: every `*.tfstate` below, `.terraform/` skipped). */
export function resolveStateFiles(args: string[]): string[] {
  const files: string[] = []
  for (const arg of args) {
    if (/^[a-z0-9+]+:\/\//i.test(arg)) {
      throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${arg}: remote states are read by the terraform-state discovery plugin; download it first (terraform state pull > state.tfstate) and pass the file.`)
    }
    let st: ReturnType<typeof statSync> | undefined
    try { st = statSync(arg) } catch { st = undefined }
    if (st?.isDirectory()) {
      const found = fg.sync(['**/*.tfstate', '**/*.tfstate.backup'], { cwd: arg, ignore: ['**/.terraform/**', '**/node_modules/**'], dot: false }).sort()
      if (found.length === 0) throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${arg}: the directory holds no *.tfstate file.`)
      files.push(...found.map((f) => join(arg, f)))
    } else if (st?.isFile()) files.push(arg)
    else {
      const found = fg.isDynamicPattern(arg) ? fg.sync(arg, { ignore: ['**/.terraform/**'] }).sort() : []
      if (found.length === 0) throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${arg}: no such file, directory, or matching glob.`)
      files.push(...found)
    }
  }
  return [...new Set(files)]
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error })
  }
}

/** Reads one expected state file. */
export function readExpected(file: string): Snapshot {
  return parseState(readInput(file), { source: file, kind: 'expected' })
}

/** Reads the observed side: a refreshed tfstate, a plan JSON (its refreshed side), or a provider-neutral snapshot JSON. */
export async function readLive(file: string): Promise<Snapshot> {
  const buf = readInput(file)
  let doc: unknown
  try {
    doc = JSON.parse(buf.toString('utf8'))
  } catch {
    // Let the state reader produce its precise "truncated / invalid JSON near byte N" error.
    return parseState(buf, { source: file, kind: 'observed' })
  }
  if (looksLikePlan(doc)) return parsePlan(doc as Record<string, unknown>, { source: file }).observed
  if (doc && typeof doc === 'object' && 'version' in doc) return parseState(buf, { source: file, kind: 'observed' })
  return readSnapshotJson(doc, file)
}

/** Snapshot JSON through H4's reader when present, else the minimal shape check. */
async function readSnapshotJson(doc: unknown, file: string): Promise<Snapshot> {
  try {
    // H4's snapshot reader; a variable specifier keeps this optional until it exists.
    const specifier = '../../terraform/snapshot.ts'
    const mod = (await import(specifier)) as Record<string, unknown>
    const fn = (mod.parseSnapshot ?? mod.readSnapshot) as ((d: unknown, o: { source: string }) => Snapshot) | undefined
    if (typeof fn === 'function') return { ...fn(doc, { source: file }), kind: 'observed' }
  } catch (error) {
    if (error instanceof TfdriftError) throw error
  }
  const snap = doc as Partial<Snapshot>
  if (!snap || typeof snap !== 'object' || !Array.isArray(snap.resources)) {
    throw new TfdriftError('TFD_ERR_SNAPSHOT_INVALID', `${file}: not a Terraform state, plan JSON or snapshot JSON (no "resources" list).`)
  }
  return { kind: 'observed', source: file, taken_at: snap.taken_at ?? new Date().toISOString(), resources: snap.resources, ...(snap.covered_types ? { covered_types: snap.covered_types } : {}) }
}

/** Reads a plan JSON into both sides. */
export function readPlan(file: string): { expected: Snapshot; observed: Snapshot } {
  const plan = parsePlan(readInput(file), { source: file })
  return { expected: plan.expected, observed: plan.observed }
}
