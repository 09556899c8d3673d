// Started by processes.ts with a pipe from a test worker: "+<pgid>" / "-<pgid>" lines track the
// process groups the worker started. When the pipe closes — the worker exited, crashed or was
// SIGKILLed — every group still listed is killed. It runs detached (its own session), so a Ctrl-C
// to the terminal's process group does not take it down before it has reaped.
import { createInterface } from 'node:readline'

const groups = new Set()
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const group = Number(line.slice(1))
    if (!Number.isInteger(group) || group <= 1) return
    if (line[0] === '+') groups.add(group)
    else groups.delete(group)
  })
  .on('close', () => {
    for (const group of groups) {
      try { process.kill(-group, 'SIGKILL') } catch { /* already gone */ }
    }
    process.exit(0)
  })
