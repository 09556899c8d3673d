/**
 * Where the real-data corpus lives (`TFDRIFT_CORPUS`, default `<repo>/../shared/fixtures`).
 * Corpus suites use `describe.runIf(corpusDir())`; `requireCorpus()` fails loudly under CI when it is missing.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inCi } from './system.ts'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The corpus directory, or undefined when it is not present on this machine. */
export function corpusDir(): string | undefined {
  const dir = process.env.TFDRIFT_CORPUS ?? join(repoRoot, '..', 'shared', 'fixtures')
  return existsSync(dir) ? dir : undefined
}

/**
 * Call at the top of a corpus test file: throws under CI when the corpus is missing, otherwise
 * prints once that the corpus suite was not run. Returns the directory when present.
 */
export function requireCorpus(): string | undefined {
  const dir = corpusDir()
  if (dir) return dir
  if (inCi()) {
    throw new Error('TFDRIFT_CORPUS is not set and ../shared/fixtures is missing: the corpus suite is required in CI')
  }
  console.warn('corpus suite not run: set TFDRIFT_CORPUS to the fixtures folder to run it')
  return undefined
}
