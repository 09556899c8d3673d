/**
 * `kill -9` of a process delivering to a webhook, twice, mid-delivery: after each restart the
 * transport resumes from its stored checkpoint, so every published event reaches the receiver (no
 * gap), and the only duplicates are of batches that were in flight at the kill (their envelope ids
 * let a receiver drop them).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnTracked } from '../support/processes.ts'
import { Receiver } from '../support/receiver.ts'
import { until } from '../server/support.ts'
import type { Envelope } from '../../engine/envelope.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-delivery-kill9-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TOTAL = 3000
/** batch_size × concurrency of the worker's webhook: what one kill may leave in flight. */
const IN_FLIGHT = 10 * 2

function startWorker(db: string, url: string, publish: number) {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'test/fault/delivery-worker.ts', db, url, String(publish)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => { out += d })
  child.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  let code: number | null | undefined
  void exited.then((c) => { code = c })
  // A worker that dies by itself (a load error) fails the wait at once, with its output.
  const alive = () => { if (code !== undefined) throw new Error(`the worker exited with ${code}: ${out}`); return true }
  return { child, exited, output: () => out, published: () => alive() && out.includes('"published"'), alive }
}

describe('webhook delivery under kill -9', () => {
  it('resumes from the checkpoint after each kill: every event arrives, duplicates only from the batch in flight', async () => {
    const seqs: number[] = []
    // A receiver slower than publishing, so the kills land mid-delivery.
    const receiver = await Receiver.start((req) => {
      for (const e of JSON.parse(req.body) as Array<Envelope<{ seq: number }>>) seqs.push(e.data.seq)
      return { status: 200, delay_ms: 2 }
    })
    const db = join(dir, 'tfdrift.db')
    const url = `${receiver.url}/hook`
    try {
      for (const [round, killAt] of [[0, 600], [1, 1800]] as const) {
        const worker = startWorker(db, url, round === 0 ? TOTAL : 0)
        await until(() => worker.published() && new Set(seqs).size >= killAt, `round ${round}: ${killAt} delivered (${worker.output()})`, 60_000)
        process.kill(-worker.child.pid!, 'SIGKILL')
        await worker.exited
        expect(new Set(seqs).size).toBeLessThan(TOTAL)
      }
      const last = startWorker(db, url, 0)
      await until(() => last.alive() && new Set(seqs).size >= TOTAL, `all delivered after the restarts (${last.output()})`, 60_000)
      const unique = new Set(seqs)
      expect([...unique].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1))
      const duplicates = seqs.length - unique.size
      console.log(`delivery kill -9 ×2: ${TOTAL} events, ${seqs.length} received, ${duplicates} duplicates`)
      expect(duplicates).toBeLessThanOrEqual(2 * IN_FLIGHT)
      process.kill(-last.child.pid!, 'SIGKILL')
      await last.exited
    } finally {
      await receiver.down()
    }
  }, 120_000)
})
