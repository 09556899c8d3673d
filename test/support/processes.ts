/**
 * Every process a test starts goes through `spawnTracked`, so that none outlives the test:
 * - each child leads its own process group, and the whole group is killed — `tsx` runs the CLI in a
 *   grandchild, so killing the child alone orphaned a `tfdrift relay` that ran on for hours;
 * - a child started inside a test dies when the test ends (pass, fail or timeout); one started in a
 *   hook, or asked to last for the file (a shared server), dies in the file's `afterAll`
 *   (test/support/setup.ts);
 * - a reaper process (reaper.mjs) holds a pipe from this worker and kills what is left when the
 *   pipe closes, so a worker killed outright (SIGKILL, Ctrl-C) takes its children with it.
 * The global teardown then checks that nothing the run started is still alive (leftovers.ts).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { RUN_MARKER_ENV } from './leftovers.ts'

const groups = new Set<number>()
let reaper: ChildProcess | undefined

function tellReaper(line: string): void {
  if (!reaper) {
    const env = { ...process.env }
    delete env[RUN_MARKER_ENV] // it outlives this worker by design, for a moment: not a leftover
    reaper = spawn(process.execPath, [fileURLToPath(new URL('./reaper.mjs', import.meta.url))], {
      detached: true, stdio: ['pipe', 'ignore', 'ignore'], env,
    })
    reaper.unref()
    ;(reaper.stdin as Socket).unref()
  }
  reaper.stdin!.write(`${line}\n`)
}

function endGroup(group: number): void {
  if (!groups.delete(group)) return
  try { process.kill(-group, 'SIGKILL') } catch { /* already gone */ }
  tellReaper(`-${group}`)
}

/** `spawn`, for tests: the child and everything it starts end with the test (or the file) that started it. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}, lasts: 'test' | 'file' = 'test'): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true })
  const group = child.pid
  if (group === undefined) return child // spawn failed: the caller gets its 'error' event
  groups.add(group)
  tellReaper(`+${group}`)
  // A leader that exits may leave members behind; end them while the group id is still ours.
  child.once('exit', () => endGroup(group))
  if (lasts === 'test') {
    try {
      onTestFinished(() => endGroup(group))
    } catch {
      // Started by a hook rather than a test: the file's afterAll ends it.
    }
  }
  return child
}

/** Kills every group still tracked in this worker (the setup file calls it after each file). */
export function endTracked(): void {
  for (const group of [...groups]) endGroup(group)
}
