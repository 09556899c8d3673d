/**
 * Once per `vitest run`, in the main process: find the system binaries some suites need (workers
 * read the result from the environment), mark the run so that its processes can be found at the
 * end, build the dashboard when browser suites will run, and at teardown fail the run if any is still alive. A missing binary is announced in one
 * line at the end, under the summary that counts the skipped tests.
 */
import { findBinaries, FOUND_ENV, inCi, skipNotice, SYSTEM_BINARIES, type BinaryName } from './system.ts'
import { markRun, reapLeftovers } from './leftovers.ts'
// The same script `npm start` runs first.
import { ensureBuild } from '../../ui/scripts/ensure-build.mjs'

export default async function setup(): Promise<() => Promise<void>> {
  const found = findBinaries()
  process.env[FOUND_ENV] = JSON.stringify(found)
  // The browser suites load the built dashboard; build it once here, not in each worker.
  if (found.chromium || inCi()) await ensureBuild({ quiet: true })
  const runId = markRun()
  return async () => {
    const leftovers = await reapLeftovers(runId)
    if (leftovers.length) {
      console.error(`A test left ${leftovers.length} process(es) running (now killed); spawn through test/support/processes.ts:`)
      for (const { pid, command } of leftovers) console.error(`  pid ${pid}: ${command}`)
      process.exitCode = 1
    }
    for (const name of Object.keys(found) as BinaryName[]) {
      const optional = (SYSTEM_BINARIES[name] as { optionalInCi?: true }).optionalInCi === true
      if (found[name] === null && (!inCi() || optional)) console.log(skipNotice(name))
    }
  }
}
