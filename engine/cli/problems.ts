/** Prints validation problems one per line: `file#/pointer: message (hint) [CODE]`. */
import path from 'node:path'
import { TfdriftError, type Problem } from '../errors.ts'

/** A file path as shown to the user: relative to cwd when inside it. */
export function displayPath(file: string | undefined, cwd = process.cwd()): string {
  if (!file) return '<config>'
  const relative = path.relative(cwd, file)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

/** One problem as one line. */
export function formatProblem(problem: Problem, cwd = process.cwd()): string {
  const where = `${displayPath(problem.file, cwd)}${problem.pointer !== undefined ? `#${problem.pointer}` : ''}`
  return `${where}: ${problem.message}${problem.hint ? ` (${problem.hint})` : ''} [${problem.code}]`
}

/** Writes every problem and a summary to stderr. */
export function printProblems(problems: Problem[], write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  for (const problem of problems) write(formatProblem(problem))
  write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found.`)
}

/** Reports any error thrown by a command and returns the exit code (always 1). */
export function reportError(error: unknown): number {
  if (error instanceof TfdriftError || (error as { name?: string })?.name === 'TfdriftError') {
    const e = error as TfdriftError
    if (e.problems.length) printProblems(e.problems)
    else process.stderr.write(`${e.message}${e.hint ? ` (${e.hint})` : ''} [${e.code}]\n`)
    return 1
  }
  process.stderr.write(`tfdrift: ${(error as Error)?.message ?? String(error)}\n`)
  return 1
}
