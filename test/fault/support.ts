/**
 * Fault-injection helpers: a `tfdrift relay` run as a user runs it (the bin, a config file), killed for
 * real, and publishers/subscribers that record exactly what the server acknowledged and delivered.
 */
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Envelope } from '../../engine/envelope.ts'
import { spawnTracked } from '../support/processes.ts'
import { until, WsClient } from '../server/support.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface RelayProcess { child: ChildProcess; port: number; exited: Promise<number | null>; output(): string }

/** Starts `tfdrift relay --config <file>` on a free port; resolves once it serves. */
export function startRelay(config: string, env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawnTracked(process.execPath, ['bin/tfdrift.mjs', 'relay', '--config', config, '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT, env: { ...process.env, TFDRIFT_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => { out += d })
    child.stdout!.on('data', (d) => {
      out += d
      for (const line of out.split('\n')) {
        if (line.includes('tfdrift relay running')) resolve({ child, port: JSON.parse(line).port, exited, output: () => out })
      }
    })
    void exited.then((code) => reject(new Error(`relay exited with ${code}: ${out}`)))
  })
}

/** `kill -9` of the relay and every process of its group (the bin runs the server in a grandchild). */
export async function kill9(relay: RelayProcess): Promise<void> {
  process.kill(-relay.child.pid!, 'SIGKILL')
  await relay.exited
}

export interface Acked { offset: number; id: string; seq: number }

/**
 * Publishes batches of `batch` events (data `{ seq }`) on `concurrency` connections until `stop()`; keeps
 * what each 200 acknowledged. Failures (the server died, Redis is down) are counted, never retried
 * with the same content, so every acknowledged envelope is accounted for exactly once.
 */
export function publishLoad(base: () => string, token: string, opts: { topic?: string; batch?: number; concurrency?: number } = {}) {
  const acked: Acked[] = []
  let failed = 0
  let seq = 0
  let running = true
  const topic = opts.topic ?? 'events'
  const loop = async () => {
    while (running) {
      const items = Array.from({ length: opts.batch ?? 50 }, () => ({ topic, type: 'load.tick', data: { seq: ++seq } }))
      try {
        const res = await fetch(`${base()}/api/v1/publish`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(items),
        })
        const body = await res.json() as { data?: { envelopes: Array<{ id: string; offset: number }> } }
        if (res.status !== 200) { failed++; continue }
        body.data!.envelopes.forEach((e, i) => acked.push({ offset: e.offset, id: e.id, seq: items[i].data.seq }))
      } catch {
        failed++
        await new Promise((r) => setTimeout(r, 10)) // nothing listens (killed, restarting): do not spin
      }
    }
  }
  const loops = Array.from({ length: opts.concurrency ?? 4 }, loop)
  return {
    acked,
    failed: () => failed,
    async stop() { running = false; await Promise.all(loops) },
  }
}

/** Subscribes over WS and replays `topic` from `since` (with `epoch`) until `last_offset`; returns the subscribed reply and envelopes. */
export async function replay(port: number, token: string, topic: string, since: number, epoch?: string): Promise<{ subscribed: Record<string, any>; envelopes: Envelope[] }> {
  const client = await WsClient.connect(`ws://127.0.0.1:${port}/ws`, token)
  const subscribed = await client.request({ type: 'subscribe', topic, since, ...(epoch ? { epoch } : {}) })
  if (subscribed.type !== 'subscribed') throw new Error(`subscribe failed: ${JSON.stringify(subscribed)}`)
  const last = subscribed.last_offset as number
  if (last > subscribed.since) await until(() => (client.events.at(-1)?.offset ?? 0) >= last, `replay of ${topic} up to ${last}`, 30_000)
  client.close()
  return { subscribed, envelopes: client.events.slice() }
}
