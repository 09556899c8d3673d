/**
 * `npm run bench`: every benchmark in turn, each in its own process so one's heap and RSS never
 * colour another's figures. Pass names to run a subset: `npm run bench -- engine store`.
 */
import { spawnSync } from 'node:child_process'
import os from 'node:os'

const ALL = ['engine', 'store', 'terraform', 'drift', 'relay', 'ingest', 'webhook', 'ui'] as const
const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !(ALL as readonly string[]).includes(name))
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${ALL.join(', ')}.`)
  process.exit(1)
}

console.log(`tfdrift benchmarks — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
const failed: string[] = []
for (const name of wanted.length > 0 ? wanted : ALL) {
  console.log(`\n=== bench:${name} ===`)
  const started = Date.now()
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' })
  console.log(`=== bench:${name} ${result.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`)
  if (result.status !== 0) failed.push(name)
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`)
  process.exit(1)
}
