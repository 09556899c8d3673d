/** Runs the real CLI (`tsx engine/cli/main.ts …`) in a child process. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSX = `${ROOT}node_modules/tsx/dist/cli.mjs`
const MAIN = `${ROOT}engine/cli/main.ts`

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Starts the CLI; the caller owns the child. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): ChildProcess {
  return spawn(process.execPath, [TSX, MAIN, ...args], {
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
