import { afterEach, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { tempProject } from '../config/helpers.ts'
import { startCli } from './support.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })

/** Resolves with the first JSON log line matching `test`, collecting everything seen. */
function waitForLog(child: ChildProcess, test: (line: Record<string, unknown>) => boolean, stderr: () => string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const onData = (chunk: Buffer) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        let parsed: Record<string, unknown>
        try { parsed = JSON.parse(line) } catch { continue }
        if (test(parsed)) { child.stdout!.off('data', onData); resolve(parsed); return }
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited with ${code} before the expected log line; stderr: ${stderr()}`)))
  })
}

describe('tfdrift run', () => {
  it('starts the pipelines of a config, logs JSON when not on a TTY, and exits 0 on SIGTERM', async () => {
    const project = tempProject({
      'tfdrift.config.json': JSON.stringify({
        store: { kind: 'sqlite', path: '.tfdrift/run-test.db' },
        log: { level: 'info' },
        shutdown_timeout_ms: 2000,
        pipelines: { main: { discovery: [{ use: './idle.mjs', with: { note: 'x' } }] } },
      }),
      // A discovery plugin that emits nothing and ends when the pipeline stops.
      'idle.mjs': [
        "export default { name: 'idle', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: { type: 'object' },",
        '  create(ctx) {',
        "    ctx.logger.info('Idle discovery created.')",
        '    return { output: (async function* () { await new Promise((r) => ctx.signal.addEventListener(\'abort\', r)) })() }',
        '  },',
        '}',
      ].join('\n'),
    })
    cleanups.push(project.cleanup)
    const child = startCli(['run'], { cwd: project.dir, env: { TFDRIFT_LOG_LEVEL: 'info' } })
    let stderr = ''
    child.stderr!.on('data', (d) => { stderr += d })
    const started = await waitForLog(child, (l) => l.msg === 'Pipelines started.', () => stderr)
    expect(started.level).toBe(30)
    expect(existsSync(path.join(project.dir, '.tfdrift', 'run-test.db'))).toBe(true)
    // Still running with nothing left to do: `run` is a service and waits for a signal.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(child.exitCode).toBeNull()
    const stopped = waitForLog(child, (l) => l.msg === 'tfdrift stopped.', () => stderr)
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await stopped
    expect(await exited, stderr).toBe(0)
  })
})
