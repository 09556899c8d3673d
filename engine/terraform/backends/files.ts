/** Local state files: plain paths, directories (every `*.tfstate` below) and globs (fast-glob). */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import fg from 'fast-glob'
import { TfdriftError } from '../../errors.ts'
import type { FetchOptions, FetchResult, StateSource } from './types.ts'

const IGNORE = ['**/.terraform/**', '**/node_modules/**', '**/.git/**']

/**
 * Expands paths, directories and globs into state files (sorted, unique). A directory yields every
 * `*.tfstate` below it; `.terraform/` (provider caches, module copies) is skipped.
 * A plain path that does not exist and matches no glob is TFD_ERR_SOURCE_NOT_FOUND.
 */
export async function expandStatePaths(patterns: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const out = new Set<string>()
  for (const pattern of patterns) {
    const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern)
    const st = await stat(abs).catch(() => undefined)
    if (st?.isDirectory()) {
      for (const f of await fg('**/*.tfstate', { cwd: abs, ignore: IGNORE, onlyFiles: true, dot: false })) out.add(join(abs, f))
      continue
    }
    if (st?.isFile()) {
      out.add(abs)
      continue
    }
    if (fg.isDynamicPattern(pattern)) {
      const found = await fg(pattern, { cwd, ignore: IGNORE, onlyFiles: true, absolute: true })
      for (const f of found) out.add(f)
      continue
    }
    throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${pattern}: no such state file or directory.`)
  }
  return [...out].sort()
}

/** A state file on disk; its version is size+mtime, so unchanged files are not re-read. */
export function fileSource(path: string): StateSource {
  return {
    id: path,
    async fetch(opts: FetchOptions = {}): Promise<FetchResult> {
      try {
        const st = await stat(path)
        const version = `${st.size}:${st.mtimeMs}`
        if (opts.ifVersion === version) return { not_modified: true, version }
        return { not_modified: false, body: await readFile(path, { signal: opts.signal }), version }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${path}: the state file does not exist (any more).`, { cause: err })
        if (code === 'EACCES' || code === 'EPERM') throw new TfdriftError('TFD_ERR_SOURCE_AUTH', `${path}: permission denied reading the state file.`, { cause: err })
        throw new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${path}: cannot read the state file (${code ?? (err as Error).message}).`, { cause: err })
      }
    },
  }
}
