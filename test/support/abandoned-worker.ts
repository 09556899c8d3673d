/**
 * Fixture for processes.test.ts: stands in for a vitest worker that is killed outright. It starts a
 * shell with a grandchild through `spawnTracked`, prints both pids as JSON, and waits to be killed.
 */
import { spawnTracked } from './processes.ts'

const shell = spawnTracked('sh', ['-c', 'sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] })
shell.stdout!.once('data', (grandchild: Buffer) => {
  console.log(JSON.stringify({ pids: [shell.pid, Number(grandchild.toString().trim())] }))
})
setInterval(() => {}, 60_000)
