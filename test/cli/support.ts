/** Runs the real CLI (`tsx engine/cli/main.ts …`) in a child process. */
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { spawnTracked } from '../support/processes.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSX = `${ROOT}node_modules/tsx/dist/cli.mjs`
const MAIN = `${ROOT}engine/cli/main.ts`

export interface CliResult { code: number | null; stdout: string; stderr: string }

/**
 * Starts the CLI. tsx runs it in a grandchild, which killing the child leaves running; the child and
 * its grandchild end together when the test ends (test/support/processes.ts).
 */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): ChildProcess {
  return spawnTracked(process.execPath, [TSX, MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, options)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => { stdout += d })
    child.stderr!.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
