/**
 * `kill -9` under HTTP ingest: a CloudTrail record the server answered 202 for is durable — after the
 * restart it is on the `events` stream (replayed from the journal), whenever the kill came. The
 * pipeline judges every record against a state of 5,000 instances, so records arrive faster than they
 * are judged and a queue stands between the two: the answer must wait for the record, not the queue.
 * Records still in flight at the kill may or may not be there; none answered 202 may be missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnTracked } from '../support/processes.ts'
import { until } from '../server/support.ts'
import { replay } from './support.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-ingest-kill9-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const TOKEN = 'ingest-kill9-token'

const INSTANCES = 5_000
const instanceId = (i: number) => `i-${i.toString(16).padStart(17, '0')}`

/** A v4 state of INSTANCES aws_instance resources in account 123456789012. */
function writeState(file: string): void {
  const instances = Array.from({ length: INSTANCES }, (_, i) => ({
    index_key: i, schema_version: 1,
    attributes: { id: instanceId(i), arn: `arn:aws:ec2:eu-west-1:123456789012:instance/${instanceId(i)}`, instance_type: 't3.micro', ami: 'ami-0abc', tags: { Name: `node-${i}` } },
  }))
  writeFileSync(file, JSON.stringify({ version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'kill9', outputs: {}, resources: [{ mode: 'managed', type: 'aws_instance', name: 'node', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances }] }))
}

function startWorker(db: string, state: string): Promise<{ port: number; kill(): Promise<void> }> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'test/fault/ingest-worker.ts', db, TOKEN, state], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      const m = /\{"port":(\d+)\}/.exec(out)
      if (m) resolve({ port: Number(m[1]), async kill() { process.kill(-child.pid!, 'SIGKILL'); await exited } })
    })
    child.stderr!.on('data', (d) => { out += d })
    void exited.then((code) => reject(new Error(`the worker exited with ${code}: ${out}`)))
  })
}

const record = (id: string, n: number) => JSON.stringify({
  eventVersion: '1.09', eventTime: '2026-08-10T09:30:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'ModifyInstanceAttribute', awsRegion: 'eu-west-1',
  eventID: id, eventType: 'AwsApiCall', readOnly: false, recipientAccountId: '123456789012', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
  requestParameters: { instanceId: instanceId(n % INSTANCES), instanceType: { value: ['t3.large', 't3.xlarge'][Math.floor(n / INSTANCES) % 2] } }, responseElements: { _return: true },
})

/** Posts NDJSON batches of 20 records from 4 loops until stopped; the ids of batches answered 202. */
function ingestLoad(port: () => number, round: number) {
  const acked: string[] = []
  let running = true
  let n = 0
  const loop = async () => {
    while (running) {
      const first = n
      n += 20
      const ids = Array.from({ length: 20 }, (_, k) => `r${round}-${first + k}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port()}/api/v1/cloudtrail/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' }, body: ids.map((id, k) => record(id, first + k)).join('\n') })
        await res.arrayBuffer()
        if (res.status === 202) acked.push(...ids)
      } catch {
        await new Promise((r) => setTimeout(r, 10)) // killed: do not spin
      }
    }
  }
  const loops = Array.from({ length: 4 }, loop)
  return { acked, async stop() { running = false; await Promise.all(loops) } }
}

describe('kill -9 under HTTP ingest', () => {
  it('every record answered 202 is on the events stream after the restart, over three kills', async () => {
    const db = join(dir, 'tfdrift.db')
    const state = join(dir, 'prod.tfstate')
    writeState(state)
    const acked = new Set<string>()
    for (let round = 0; round < 3; round++) {
      const worker = await startWorker(db, state)
      const load = ingestLoad(() => worker.port, round)
      await until(() => load.acked.length >= 2_000, 'acknowledged ingest', 60_000)
      await worker.kill()
      await load.stop()
      for (const id of load.acked) acked.add(id)
    }
    const worker = await startWorker(db, state)
    const { envelopes } = await replay(worker.port, TOKEN, 'events', 0)
    const stored = new Set(envelopes.map((e) => (e.data as { actor?: { event_id?: string } }).actor?.event_id))
    const lost = [...acked].filter((id) => !stored.has(id))
    console.log(`ingest kill -9 ×3: ${acked.size} records answered 202, ${envelopes.length} events on the stream, ${lost.length} acknowledged lost`)
    expect(lost).toEqual([])
    await worker.kill()
  }, 240_000)
})
