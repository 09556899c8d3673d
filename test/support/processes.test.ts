/**
 * Nothing a test starts outlives it: the child and its grandchildren (a shell's background job
 * stands in for the CLI that tsx runs in a grandchild), whether the test passes, throws or times
 * out, and even when the worker itself is SIGKILLed. And the end-of-run check finds a process that
 * escaped all of that.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { isRunning, reapLeftovers, RUN_MARKER_ENV } from './leftovers.ts'
import { spawnTracked } from './processes.ts'

/** Starts `sh` with a background `sleep`, resolving with [shell pid, sleep pid]. */
function shellWithGrandchild(): Promise<number[]> {
  const shell = spawnTracked('sh', ['-c', 'sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] })
  return firstLine(shell).then((line) => [shell.pid!, Number(line)])
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
    })
    child.once('close', () => reject(new Error(`exited before printing a line: ${out}`)))
  })
}

const sessionOf = (pid: number) => { try { const t = readFileSync(`/proc/${pid}/stat`, 'utf8'); return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[3]) } catch { return -1 } }
const commandOf = (pid: number) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() } catch { return '' } }

async function gone(pids: number[], withinMs = 3000): Promise<number[]> {
  const deadline = Date.now() + withinMs
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  return pids.filter(isRunning)
}

describe('a process started in a test', () => {
  const started: number[] = []

  it('is running while the test runs', async () => {
    const pids = await shellWithGrandchild()
    started.push(...pids)
    expect(pids.filter(isRunning)).toEqual(pids)
  })

  it.fails('(a test that throws)', async () => {
    started.push(...(await shellWithGrandchild()))
    throw new Error('an assertion failed before any cleanup of its own')
  })

  it.fails('(a test that times out)', async () => {
    started.push(...(await shellWithGrandchild()))
    await new Promise(() => {})
  }, 3000)

  it('is gone with its grandchildren once that test ended, however it ended', async () => {
    expect(started).toHaveLength(6)
    expect(await gone(started)).toEqual([])
  })
})

describe('a process started by a hook', () => {
  let pids: number[] = []
  beforeAll(async () => { pids = await shellWithGrandchild() })

  it('outlives the first test of the file…', () => {
    expect(pids.filter(isRunning)).toEqual(pids)
  })

  it('…and is still there for the next (the file’s afterAll ends it)', () => {
    expect(pids.filter(isRunning)).toEqual(pids)
  })
})

describe('a worker killed outright', () => {
  it('takes what it started with it', async () => {
    const fixture = fileURLToPath(new URL('./abandoned-worker.ts', import.meta.url))
    const worker = spawnTracked(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] })
    const { pids } = JSON.parse(await firstLine(worker)) as { pids: number[] }
    expect(pids.filter(isRunning)).toEqual(pids)
    process.kill(worker.pid!, 'SIGKILL') // no exit handler, no afterAll: only its reaper is left to act
    expect(await gone(pids)).toEqual([])
  })
})

describe('the end-of-run check', () => {
  it('finds and kills a process that left its process group and session', async () => {
    // A sub-run of this run: should the test fail, the end-of-run check still finds the probe.
    const run = `${process.env[RUN_MARKER_ENV] ?? 'standalone'}/probe-${process.pid}`
    // setsid puts the sleep out of reach of the group kill, as a daemonising child would be; the shell
    // waits on stdin so that it (and the group kill that follows it) cannot beat the setsid.
    const shell = spawnTracked('sh', ['-c', 'setsid sleep 300 & echo $!; read _'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, [RUN_MARKER_ENV]: run } })
    const escaped = Number(await firstLine(shell))
    const deadline = Date.now() + 5000
    while (!(sessionOf(escaped) === escaped && commandOf(escaped) === 'sleep 300') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    shell.stdin!.end()
    // The grace period lets the shell exit; the sleep stays, and is what the check must report.
    const leftovers = await reapLeftovers(run, 1000)
    expect(leftovers.map((l) => [l.pid, l.command])).toEqual([[escaped, 'sleep 300']])
    expect(await gone([escaped!])).toEqual([])
  })
})
