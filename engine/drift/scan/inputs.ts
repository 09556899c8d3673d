/**
 * Reads `tfdrift scan` inputs: expected states from files, directories and globs, and the observed
 * side from a refreshed state, a snapshot JSON or a plan JSON (sniffed from the document).
 */
import { readFileSync, statSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import fg from 'fast-glob'
import { TfdriftError } from '../../errors.ts'
import { irregularFileKind } from '../../file-kind.ts'
import type { Snapshot } from '../../model.ts'
import { parsePlan } from '../../terraform/plan.ts'
import { readObserved } from '../../terraform/snapshot.ts'
import { parseState } from '../../terraform/state.ts'

/** Expands local `--state`/`--live` arguments into files (directories: every `*.tfstate` below, `.terraform/` skipped); remote ones are skipped here. */
export function resolveStateFiles(args: string[]): string[] {
  const files: string[] = []
  for (const arg of args) {
    if (isRemote(arg)) continue // read by readRemote
    let st: ReturnType<typeof statSync> | undefined
    try { st = statSync(arg) } catch { st = undefined }
    if (st?.isDirectory()) {
      const found = fg.sync(['**/*.tfstate', '**/*.tfstate.backup'], { cwd: arg, ignore: ['**/.terraform/**', '**/node_modules/**'], dot: false }).sort()
      if (found.length === 0) throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${arg}: the directory holds no *.tfstate file.`)
      files.push(...found.map((f) => join(arg, f)))
    } else if (st?.isFile()) files.push(arg)
    else if (st) throw notRegular(arg, st)
    else {
      const found = fg.isDynamicPattern(arg) ? fg.sync(arg, { ignore: ['**/.terraform/**'] }).sort() : []
      if (found.length === 0) throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${arg}: no such file, directory, or matching glob.`)
      files.push(...found)
    }
  }
  return [...new Set(files)]
}

/** The path exists but is no file to read: say what it is (a FIFO would block the read forever). */
function notRegular(file: string, st: Stats): TfdriftError {
  return new TfdriftError('TFD_ERR_SCAN_INPUT', `${file}: is ${irregularFileKind(st)}, not a regular file; tfdrift reads inputs from files only (write the state or plan to a file first).`)
}

function readInput(file: string): Buffer {
  try {
    const st = statSync(file)
    if (!st.isFile()) throw notRegular(file, st)
    return readFileSync(file)
  } catch (error) {
    if (error instanceof TfdriftError) throw error
    throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error })
  }
}

/** Reads one expected state file. */
export function readExpected(file: string): Snapshot {
  return parseState(readInput(file), { source: file, kind: 'expected' })
}

/** Reads the observed side: a refreshed tfstate, a plan JSON (its refreshed side), or a snapshot JSON (sniffed). */
export function readLive(file: string, onWarning?: (message: string) => void): Snapshot {
  return readObserved(readInput(file), file, { onWarning })
}

/** Reads remote states (`s3://`, `https://`, `tfc://`) through the terraform backends; loaded only when used. */
export async function readRemote(uri: string, kind: 'expected' | 'observed'): Promise<Snapshot[]> {
  const { loadStates } = await import('../../terraform/backends/uri.ts')
  const snapshots = await loadStates([uri], { kind })
  if (snapshots.length === 0) throw new TfdriftError('TFD_ERR_SCAN_INPUT', `${uri}: no state found there.`)
  return snapshots
}

/** True for `s3://`, `http(s)://` and `tfc://` locations. */
export function isRemote(arg: string): boolean {
  return /^(s3|https?|tfc):\/\//i.test(arg)
}

/** Reads a plan JSON into both sides. */
export function readPlan(file: string, onWarning?: (message: string) => void): { expected: Snapshot; observed: Snapshot } {
  const plan = parsePlan(readInput(file), { source: file, onWarning })
  return { expected: plan.expected, observed: plan.observed }
}
