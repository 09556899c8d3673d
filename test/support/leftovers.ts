/**
 * "A test run leaves nothing behind", checked rather than hoped for. The global setup marks the run
 * in its environment, which every process of the run inherits (workers, what tests spawn, what those
 * spawn — orphans included). At teardown, any marked process still running, other than vitest's own
 * workers, is a leftover: it is killed and named, and the run fails. Reads /proc, so Linux only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'

export const RUN_MARKER_ENV = 'TFDRIFT_TEST_RUN'

export interface Leftover { pid: number; command: string }

/** Marks this process (the vitest main process) and so everything started after it. */
export function markRun(): string {
  const id = `${process.pid}-${Date.now()}`
  process.env[RUN_MARKER_ENV] = id
  return id
}

/** State and parent from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: state!, ppid: Number(ppid) }
  } catch {
    return undefined
  }
}

/** Alive and not a zombie (a zombie is dead, only not yet reaped by its parent). */
export function isRunning(pid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try { process.kill(pid, 0); return true } catch { return false }
  }
  const s = stat(pid)
  return !!s && s.state !== 'Z' && s.state !== 'X'
}

/** Processes marked `runId`, or a sub-run of it (`runId/…`, as a test of this check marks its probe). */
function marked(runId: string): Leftover[] {
  const mark = `${RUN_MARKER_ENV}=${runId}`
  const ours = (entry: string) => entry === mark || entry.startsWith(`${mark}/`)
  const found: Leftover[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').some(ours)) continue
      const s = stat(pid)
      // Direct children of this process are vitest's workers, which vitest closes after teardown.
      if (!s || s.ppid === process.pid || s.state === 'Z' || s.state === 'X') continue
      found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() })
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found
}

/**
 * The processes of run `runId` still running after `graceMs` (time for a worker's reaper to finish),
 * killed before returning. Empty where /proc is missing.
 */
export async function reapLeftovers(runId: string, graceMs = 3000): Promise<Leftover[]> {
  if (!existsSync('/proc/self/environ')) return []
  const deadline = Date.now() + graceMs
  let left = marked(runId)
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    left = marked(runId)
  }
  for (const { pid } of left) {
    try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
  }
  return left
}
