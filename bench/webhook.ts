/**
 * Webhook delivery benchmark (`tsx bench/webhook.ts [--down-s 60] [--rate 5000] [--run-s 3]`).
 * 1. Deliveries/s to a loopback receiver that answers in 20 ms, for several batch sizes and
 *    concurrencies (the engine's delivery loop + webhook transport, checkpoints in a SQLite store).
 * 2. Memory while the receiver is down for `--down-s` seconds (default 60) under `--rate` events/s:
 *    the transport holds only its batches in flight — the backlog stays in the bus's bounded history —
 *    then how long the backlog takes to drain once the receiver is back.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { MemoryBus } from '../engine/bus/memory-bus.ts'
import { SqliteStore } from '../engine/store/sqlite-store.ts'
import { DeliveryRunner } from '../engine/delivery/runner.ts'
import { silentLogger } from '../engine/logger.ts'
import { createWebhookTransport } from '../plugins/transport/webhook/index.ts'
import { Receiver } from '../test/support/receiver.ts'
import type { PluginContext } from '../engine/plugin-api.ts'

const { values } = parseArgs({ options: { 'down-s': { type: 'string', default: '60' }, rate: { type: 'string', default: '5000' }, 'run-s': { type: 'string', default: '3' } } })
const DOWN_S = Number(values['down-s'])
const RATE = Number(values.rate)
const RUN_S = Number(values['run-s'])
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-bench-webhook-'))
const ctx = { logger: silentLogger } as unknown as PluginContext
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`
const payload = (i: number) => ({ id: `d${i}`, kind: 'modified', type: 'aws_instance', provider: 'aws', address: `aws_instance.web[${i}]`, severity: 'high', status: 'open', detected_at: new Date().toISOString(), changes: [{ path: 'instance_type', expected: 't3.micro', actual: 't3.large', sensitive: false }] })

async function publish(bus: MemoryBus, count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    await bus.publishBatch(Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({ topic: 'drifts' as const, type: 'drift.detected', tenant: 'acme', data: payload(from + i + k) })))
  }
}

function runner(bus: MemoryBus, store: SqliteStore, url: string, node: string, batch_size: number, concurrency: number) {
  const transport = createWebhookTransport(ctx, { url, secret: 'bench-secret-0123456789', batch_size, concurrency, start_from: 'oldest', max_attempts: 1_000_000, retry: { base_ms: 100, cap_ms: 2000 } })
  return new DeliveryRunner(transport, { bus, store, logger: silentLogger, pipeline: 'bench', node, plugin: 'webhook', tenant: 'acme' })
}

async function throughput(): Promise<void> {
  console.log(`\n1) deliveries/s, receiver answering in 20 ms, ${RUN_S} s per row`)
  console.log('batch_size  concurrency  requests/s  events/s')
  const receiver = await Receiver.start(() => ({ status: 200, delay_ms: 20 }))
  for (const [batch, conc] of [[1, 1], [1, 16], [1, 64], [50, 4], [100, 16]] as const) {
    const bus = new MemoryBus({ history: { max_events: 1_000_000 } })
    const store = new SqliteStore({ path: join(dir, `t-${batch}-${conc}.db`) })
    await publish(bus, 200_000, 0)
    const before = receiver.requests.length
    const r = runner(bus, store, `${receiver.url}/hook`, `t${batch}x${conc}`, batch, conc)
    const start = performance.now()
    await r.start()
    await new Promise((res) => setTimeout(res, RUN_S * 1000))
    const delivered = r.stats()[0]!.delivered
    const elapsed = (performance.now() - start) / 1000
    await r.stop()
    const requests = receiver.requests.length - before
    console.log(`${String(batch).padStart(10)}  ${String(conc).padStart(11)}  ${(requests / elapsed).toFixed(0).padStart(10)}  ${(delivered / elapsed).toFixed(0).padStart(8)}`)
    receiver.requests.length = 0
    await bus.close(); await store.close()
  }
  await receiver.down()
}

async function outage(): Promise<void> {
  console.log(`\n2) receiver down ${DOWN_S} s under ${RATE} events/s (batch 100, concurrency 4)`)
  const receiver = await Receiver.start(() => ({ status: 200, delay_ms: 20 }))
  receiver.handler = () => ({ status: 200 })
  const bus = new MemoryBus({ history: { max_events: Math.max(1_000_000, RATE * DOWN_S * 2) } })
  const store = new SqliteStore({ path: join(dir, 'outage.db') })
  const r = runner(bus, store, `${receiver.url}/hook`, 'outage', 100, 4)
  await r.start()
  await receiver.down()
  global.gc?.()
  const base = process.memoryUsage()
  let peakHeap = base.heapUsed
  let peakRss = base.rss
  let published = 0
  const started = performance.now()
  const sample = setInterval(() => { const m = process.memoryUsage(); peakHeap = Math.max(peakHeap, m.heapUsed); peakRss = Math.max(peakRss, m.rss) }, 250)
  while (performance.now() - started < DOWN_S * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE)
    if (due > published) { await publish(bus, due - published, published); published = due }
    await new Promise((res) => setTimeout(res, 50))
  }
  const lagAtUp = r.stats()[0]!.lag
  const retries = r.stats()[0]!.retries
  await receiver.up()
  const upAt = performance.now()
  while (r.stats()[0]!.delivered < published) await new Promise((res) => setTimeout(res, 50))
  const drain = (performance.now() - upAt) / 1000
  clearInterval(sample)
  console.log(`published ${published} events while down; lag when the receiver came back: ${lagAtUp}; failed attempts: ${retries}`)
  console.log(`heap: ${mb(base.heapUsed)} before the outage → peak ${mb(peakHeap)} (+${mb(peakHeap - base.heapUsed)}, ≈${((peakHeap - base.heapUsed) / Math.max(1, published)).toFixed(0)} B/event, which is the bus's own retained history)`)
  console.log(`rss: ${mb(base.rss)} → peak ${mb(peakRss)}`)
  console.log(`backlog drained in ${drain.toFixed(1)} s (${(published / drain).toFixed(0)} events/s); dead-lettered ${r.stats()[0]!.dead_lettered}; unique ids received ${new Set(receiver.requests.flatMap((q) => String(q.headers['x-tfdrift-event-id']).split(','))).size}`)
  await r.stop(); await receiver.down(); await bus.close(); await store.close()
}

try {
  await throughput()
  await outage()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
