/**
 * A `tfdrift run` receiving CloudTrail records over HTTP (SQLite store doubling as the bus journal, as
 * `run` is set up by default) and judging them against a Terraform state, as a child process the
 * kill -9 test can kill: argv is `<store.db> <token> <state.tfstate>`. Prints `{"port":N}` once it
 * serves, and runs until killed.
 */
import { startRuntime } from '../../engine/runtime.ts'

const [dbPath, token, statePath] = process.argv.slice(2)
const runtime = await startRuntime({
  log: { level: 'error' },
  server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: token!, tenant: 'acme', scopes: ['read', 'publish'] }] } },
  store: { kind: 'sqlite', path: dbPath! },
  bus: { kind: 'memory', history: { max_events: 1_000_000 } },
  pipelines: { p: { tenant: 'acme', discovery: [{ use: 'terraform-state', with: { paths: [statePath!] } }], sources: [{ use: 'cloudtrail' }], analysis: [{ use: 'drift' }] } },
} as never)
process.stdout.write(`${JSON.stringify({ port: runtime.server!.port })}\n`)
