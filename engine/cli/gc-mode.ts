/**
 * How V8 collects garbage for the long-running commands (`run`, `relay`). By default V8 marks and sweeps
 * the old generation on helper threads beside the main one. With one CPU those threads take turns with
 * the main thread instead of running beside it: on a core given to tfdrift alone, each major GC of a
 * large heap (a 10k-resource state, its open drifts, the bus's history) stalled the event loop for
 * 150–250 ms (bench:ingest's latency run: p99 ~140 ms at 10k events/s). `--single-threaded-gc` does
 * the same work in small steps on the main thread: p99 9–32 ms there, throughput unchanged within the noise. V8 reads
 * the flag only at startup, so on one CPU the command starts itself again with it.
 *
 * TFDRIFT_GC: `auto` (default: single-threaded when the process may use fewer than two CPUs, by its
 * CPU affinity and cgroup v2 quota), `single`, or `concurrent` (V8's default, never relaunched).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, constants } from 'node:os'
import { TfdriftError } from '../errors.ts'

export type GcMode = 'single' | 'concurrent'

/** The V8 flags of each mode. */
export const GC_FLAGS: Readonly<Record<GcMode, readonly string[]>> = { single: ['--single-threaded-gc'], concurrent: [] }

/** Commands that serve until stopped: only these are worth a second process start. */
const SERVICE_COMMANDS = new Set(['run', 'relay'])

/** The CPUs this process may use: its affinity, lowered by a cgroup v2 quota (`cpu.max`) when there is one. */
export function cpuBudget(readCpuMax: () => string | undefined = readCgroupCpuMax): number {
  const affinity = availableParallelism()
  const [quota, period] = (readCpuMax() ?? 'max').trim().split(/\s+/)
  const limit = quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : Infinity
  return Math.min(affinity, Number.isFinite(limit) && limit > 0 ? limit : Infinity)
}

function readCgroupCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8')
  } catch {
    return undefined
  }
}

/** The mode TFDRIFT_GC asks for, `auto` deciding by the CPU budget. */
export function gcModeFor(setting: string | undefined, cpus: () => number = cpuBudget): GcMode {
  const value = (setting ?? '').trim().toLowerCase() || 'auto'
  if (value === 'single' || value === 'concurrent') return value
  if (value === 'auto') return cpus() < 2 ? 'single' : 'concurrent'
  throw new TfdriftError('TFD_ERR_GC_MODE', `TFDRIFT_GC is "${setting}"; expected auto, single or concurrent.`)
}

/**
 * When `argv` runs a service command that wants single-threaded GC and this process was started
 * without it, starts the same command again with the flag and resolves to its exit code; otherwise
 * resolves to undefined (carry on in this process). Signals are passed on; the child watches an IPC
 * channel and dies with this process, so `kill -9` of the one stops both, as it would stop one process.
 */
export async function relaunchWithGcFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (env.TFDRIFT_GC_CHILD === '1') {
    // The relaunched child: die with the parent, without draining, as one process would have died. The
    // marker is not handed on to what this process starts, and the channel does not hold the process open.
    delete env.TFDRIFT_GC_CHILD
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'))
    process.channel?.unref()
    return undefined
  }
  if (!SERVICE_COMMANDS.has(argv[2] ?? '')) return undefined
  const flags = GC_FLAGS[gcModeFor(env.TFDRIFT_GC)]
  if (flags.every((flag) => process.execArgv.includes(flag))) return undefined
  // Its own process group: a terminal's Ctrl-C reaches this process only, which passes it on once (a
  // second SIGINT would tell `run` to skip the drain).
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...env, TFDRIFT_GC_CHILD: '1' },
    detached: true,
  })
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal) }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward(signal))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)))
  })
}

