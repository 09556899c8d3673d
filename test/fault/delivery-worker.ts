/**
 * A `tfdrift run` with one webhook transport, as a child process the kill -9 test can kill: argv is
 * `<store.db> <webhook url> <events to publish>`. It publishes `{ seq }` events (seq continuing from
 * the stream's last offset), prints `{"published":N}` once they are durable, and runs until killed.
 */
import { startRuntime } from '../../engine/runtime.ts'

const [dbPath, url, count] = process.argv.slice(2)
const runtime = await startRuntime({
  log: { level: 'error' },
  store: { kind: 'sqlite', path: dbPath! },
  bus: { kind: 'memory' },
  pipelines: { p: { tenant: 'acme', transports: [{ use: 'webhook', id: 'hook', with: { url: url!, batch_size: 10, concurrency: 2, start_from: 'oldest', retry: { base_ms: 20, cap_ms: 200 }, max_attempts: 1000, route: { topics: ['events'] } } }] } },
} as never, { persist: false })
const last = await runtime.bus.lastOffset('acme', 'events')
const n = Number(count)
for (let i = 0; i < n; i += 500) {
  await runtime.bus.publishBatch(Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ topic: 'events' as const, type: 'load.tick', tenant: 'acme', data: { seq: last + i + k + 1 } })))
}
process.stdout.write(`${JSON.stringify({ published: n })}\n`)
