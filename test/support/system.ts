/**
 * System binaries that some suites need (a real redis-server, a real Chromium). The vitest global
 * setup looks for them once per run and announces each one that is missing in one line; test files
 * ask `hasBinary()` to skip their suites. Under CI they are required: the suites run and fail with
 * the install command instead of skipping.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

interface SystemBinary {
  /** Candidates in order: an absolute path, or a name looked up on PATH. */
  candidates(): string[]
  suites: string
  install: string
  /** Not installable by `.ci/run` (no Debian package, downloads blocked): its checks run where it exists, CI included, and are skipped with the notice otherwise. */
  optionalInCi?: true
}

export const SYSTEM_BINARIES = {
  'redis-server': {
    candidates: () => [process.env.REDIS_SERVER_BIN ?? 'redis-server'],
    suites: 'Redis suites',
    install: 'sudo apt-get install -y redis-server',
  },
  chromium: {
    candidates: () => (process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['chromium', 'chromium-browser']),
    suites: 'browser suites',
    install: 'sudo apt-get install -y chromium',
  },
  taskset: {
    candidates: () => ['taskset'],
    suites: 'the one-CPU relaunch check (test/cli/gc-mode.test.ts)',
    install: 'sudo apt-get install -y util-linux',
  },
  terraform: {
    candidates: () => [process.env.TERRAFORM_BIN ?? 'terraform'],
    suites: '`terraform fmt` checks of generated HCL (the structural checks still run)',
    install: 'put a terraform binary from releases.hashicorp.com on PATH',
    optionalInCi: true,
  },
} satisfies Record<string, SystemBinary>

export type BinaryName = keyof typeof SYSTEM_BINARIES
export type FoundBinaries = Record<BinaryName, string | null>

/** Where the global setup leaves what it found, for the workers (they inherit its environment). */
export const FOUND_ENV = 'TFDRIFT_TEST_BINARIES'

/** `CI=false` and `CI=0` are how people say "not CI" when a profile exports CI everywhere. */
export function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase()
  return !!ci && ci !== 'false' && ci !== '0'
}

function executable(path: string): boolean {
  try { accessSync(path, constants.X_OK); return true } catch { return false }
}

function locate(candidate: string): string | null {
  if (candidate.includes('/')) return executable(candidate) ? candidate : null
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, candidate))) return join(dir, candidate)
  }
  return null
}

/** Looks every known binary up; run once per test run by the global setup. */
export function findBinaries(): FoundBinaries {
  const found = {} as FoundBinaries
  for (const [name, binary] of Object.entries(SYSTEM_BINARIES) as Array<[BinaryName, SystemBinary]>) {
    found[name] = binary.candidates().map(locate).find((path) => path !== null) ?? null
  }
  return found
}

/** The one line a run prints for a missing binary. */
export function skipNotice(name: BinaryName): string {
  const { suites, install } = SYSTEM_BINARIES[name]
  return `${name} not found: ${suites} skipped (install: ${install})`
}

function found(): FoundBinaries {
  const fromSetup = process.env[FOUND_ENV]
  return fromSetup ? JSON.parse(fromSetup) as FoundBinaries : findBinaries()
}

/** In a test file: whether the suites that need `name` run (always under CI, where a miss must fail, unless CI cannot install it). */
export function hasBinary(name: BinaryName): boolean {
  const optional = (SYSTEM_BINARIES[name] as SystemBinary).optionalInCi === true
  return (inCi() && !optional) || found()[name] !== null
}

/** The binary's path; throws with the install command when it is missing (which only CI gets to). */
export function binaryPath(name: BinaryName): string {
  const path = found()[name]
  if (path) return path
  throw new Error(`${name} is required for the ${SYSTEM_BINARIES[name].suites} and was not found. Install it: ${SYSTEM_BINARIES[name].install}`)
}
