/**
 * Single-threaded GC on one CPU (engine/cli/gc-mode.ts): the decision, and the relaunch of a service
 * command as a user runs it (the bin), with signals, exit codes and `kill -9` behaving as for one process.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cpuBudget, gcModeFor } from '../../engine/cli/gc-mode.ts'
import { spawnTracked } from '../support/processes.ts'
import { hasBinary } from '../support/system.ts'
import { until } from '../server/support.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'gc-mode-test-token'

describe('gcModeFor / cpuBudget', () => {
  it('takes single-threaded GC below two CPUs, concurrent from two, and what TFDRIFT_GC says', () => {
    expect(gcModeFor(undefined, () => 1)).toBe('single')
    expect(gcModeFor('auto', () => 1.5)).toBe('single')
    expect(gcModeFor('', () => 2)).toBe('concurrent')
    expect(gcModeFor('single', () => 8)).toBe('single')
    expect(gcModeFor(' Concurrent ', () => 1)).toBe('concurrent')
    expect(() => gcModeFor('fast', () => 1)).toThrow(expect.objectContaining({ code: 'TFD_ERR_GC_MODE', message: expect.stringContaining('"fast"') }))
  })

  it('lowers the CPU affinity by a cgroup v2 quota and ignores an unlimited or unreadable one', () => {
    const cpus = availableParallelism()
    expect(cpuBudget(() => 'max 100000\n')).toBe(cpus)
    expect(cpuBudget(() => undefined)).toBe(cpus)
    expect(cpuBudget(() => 'garbage')).toBe(cpus)
    expect(cpuBudget(() => '50000 100000\n')).toBe(Math.min(cpus, 0.5))
    expect(cpuBudget(() => `${cpus * 200000} 100000`)).toBe(cpus)
  })
})

/** `tfdrift relay` from the bin (optionally under `taskset`), resolving once it serves, with the pid that logged it. */
function relay(env: Record<string, string>, prefix: string[] = []): Promise<{ child: ChildProcess; port: number; serverPid: number; exited: Promise<number | null> }> {
  const [command, ...args] = [...prefix, process.execPath, 'bin/tfdrift.mjs', 'relay', '--host', '127.0.0.1', '--port', '0']
  const child = spawnTracked(command!, args, { cwd: ROOT, env: { ...process.env, TFDRIFT_LOG_LEVEL: 'info', TFDRIFT_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stderr!.on('data', (d) => { out += d })
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.includes('tfdrift relay running'))
      if (line) resolve({ child, port: JSON.parse(line).port, serverPid: JSON.parse(line).pid, exited })
    })
    void exited.then((code) => reject(new Error(`relay exited with ${code}: ${out}`)))
  })
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
/** Gone, or a zombie nobody reaped yet: either way it runs no more. */
const ended = (pid: number) => !existsSync(`/proc/${pid}`) || /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
const publish = (port: number) => fetch(`http://127.0.0.1:${port}/api/v1/publish`, {
  method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'events', type: 'gc.check', data: {} }),
})

describe('the relaunch of a service command', () => {
  it('serves from a child started with --single-threaded-gc, passes SIGTERM on and exits with its code', async () => {
    const { child, port, serverPid, exited } = await relay({ TFDRIFT_GC: 'single' })
    expect(serverPid).not.toBe(child.pid)
    expect(commandLine(serverPid)).toContain('--single-threaded-gc')
    expect((await publish(port)).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(ended(serverPid)).toBe(true)
  }, 60_000)

  it('kill -9 of the launcher stops the server too, as it would stop one process', async () => {
    const { child, port, serverPid, exited } = await relay({ TFDRIFT_GC: 'single' })
    process.kill(child.pid!, 'SIGKILL')
    await exited
    await until(() => ended(serverPid), 'the relaunched server ends', 10_000)
    await expect(publish(port)).rejects.toThrow()
  }, 60_000)

  it('does not relaunch with TFDRIFT_GC=concurrent', async () => {
    const { child, serverPid, exited } = await relay({ TFDRIFT_GC: 'concurrent' })
    expect(serverPid).toBe(child.pid)
    expect(commandLine(serverPid)).not.toContain('--single-threaded-gc')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)

  // taskset pins the bin to one CPU, as a one-CPU machine or container would.
  it.skipIf(!hasBinary('taskset'))('picks single-threaded GC by itself when pinned to one CPU', async () => {
    const { child, serverPid, exited } = await relay({}, ['taskset', '-c', '0'])
    expect(commandLine(serverPid)).toContain('--single-threaded-gc')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)
})
