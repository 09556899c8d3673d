import { describe, expect, it } from 'vitest'
import pino from 'pino'
import { Writable } from 'node:stream'
import type { ChangeEvent, ResourceInstance, Snapshot, PipelineItem } from 'tfdrift'
import { manualClock, take, testContext } from 'tfdrift/testing'
import plugin, { parseInterval } from './index.ts'
import { configAddress } from './estate/builder.ts'
import { generateEstate } from './estate/index.ts'
import { Simulator } from './simulator.ts'

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1']
const estate = (seed: string | number, size = 2500) => generateEstate({ size, seed, regions: REGIONS })

describe('demo estate', () => {
  it('is deterministic: same seed → identical estate, other seed → another one', () => {
    const a = estate('acme'), b = estate('acme'), c = estate('other')
    expect(JSON.stringify(b.resources)).toBe(JSON.stringify(a.resources))
    expect(c.account).not.toBe(a.account)
    expect(c.resources.map((r) => r.resource_id)).not.toEqual(a.resources.map((r) => r.resource_id))
  })

  it.each([2500, 200, 30, 5000])('has exactly size=%i well-formed resources', (size) => {
    const { resources, account } = estate(7, size)
    expect(resources).toHaveLength(size)
    const addresses = new Set(resources.map((r) => r.address))
    expect(addresses.size).toBe(size)
    const configAddresses = new Set(resources.map((r) => configAddress(r.address)))
    expect(account).toMatch(/^\d{12}$/)
    for (const r of resources) {
      expect(r.type).toMatch(/^aws_[a-z0-9_]+$/)
      expect(r.resource_id, r.address).toBeTruthy()
      expect(r.attributes.id).toBe(r.resource_id)
      expect(r.address.endsWith(`${r.type}.${r.name}${r.index_key === undefined ? '' : typeof r.index_key === 'number' ? `[${r.index_key}]` : `["${r.index_key}"]`}`)).toBe(true)
      if (r.module) expect(r.address.startsWith(`${r.module}.`)).toBe(true)
      for (const d of r.dependencies ?? []) expect(configAddresses.has(d), `${r.address} → ${d}`).toBe(true)
      if (r.arn) {
        expect(r.arn).toMatch(/^arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d)?:(\d{12}|aws)?:.+$/)
        if (!r.arn.startsWith('arn:aws:s3:::')) expect(r.arn.split(':')[4]).toBe(account)
        expect(r.attributes.arn).toBe(r.arn)
      }
    }
  })

  it('looks like real AWS: id shapes, modules, count and for_each keys, dependency edges, sensitive paths', () => {
    const { resources } = estate('shapes')
    const ids = (type: string) => resources.filter((r) => r.type === type).map((r) => r.resource_id!)
    for (const [type, re] of [
      ['aws_vpc', /^vpc-0[0-9a-f]{16}$/], ['aws_subnet', /^subnet-0[0-9a-f]{16}$/], ['aws_security_group', /^sg-0[0-9a-f]{16}$/],
      ['aws_instance', /^i-0[0-9a-f]{16}$/], ['aws_nat_gateway', /^nat-0[0-9a-f]{16}$/], ['aws_db_instance', /^db-[A-Z2-7]{26}$/],
    ] as const) {
      expect(ids(type).length, type).toBeGreaterThan(0)
      for (const id of ids(type)) expect(id).toMatch(re)
    }
    const types = new Set(resources.map((r) => r.type))
    for (const t of ['aws_iam_role', 'aws_iam_policy', 'aws_iam_role_policy_attachment', 'aws_s3_bucket', 'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration', 'aws_db_instance', 'aws_lambda_function', 'aws_lb', 'aws_lb_listener', 'aws_security_group_rule']) {
      expect(types.has(t), t).toBe(true)
    }
    expect(resources.some((r) => typeof r.index_key === 'number')).toBe(true)
    expect(resources.some((r) => typeof r.index_key === 'string')).toBe(true)
    expect(resources.some((r) => r.address.startsWith('module.prod.module.service["'))).toBe(true)
    expect(resources.filter((r) => r.dependencies?.length).length).toBeGreaterThan(resources.length / 2)
    const db = resources.find((r) => r.type === 'aws_db_instance')!
    expect(db.sensitive_paths).toEqual([['password']])
    const sg = resources.find((r) => r.type === 'aws_security_group')!
    expect(sg.attributes.ingress).toEqual(expect.arrayContaining([expect.objectContaining({ from_port: 443, cidr_blocks: ['0.0.0.0/0'] })]))
  })
})

describe('demo simulator', () => {
  it('keeps memory bounded: open changes and extra live objects never exceed max_open_changes', () => {
    const e = estate('bounded', 400)
    const sim = new Simulator(e, manualClock(), { seed: 'bounded', maxOpen: 8, revertProbability: 0.3 })
    let reverts = 0
    for (let i = 0; i < 3000; i++) {
      const step = sim.step()
      if (step.reverted) reverts++
      expect(sim.openChanges).toBeLessThanOrEqual(8)
      expect(sim.observedCount).toBeLessThanOrEqual(400 + 8)
    }
    expect(reverts).toBeGreaterThan(1000)
    expect(sim.observedCount).toBeGreaterThanOrEqual(400 - 8 * 4)
  })

  it('never mutates the expected estate', () => {
    const e = estate('pure', 300)
    const before = JSON.stringify(e.resources)
    const sim = new Simulator(e, manualClock(), { seed: 'pure', maxOpen: 5, revertProbability: 0.5 })
    for (let i = 0; i < 500; i++) sim.step()
    expect(JSON.stringify(e.resources)).toBe(before)
  })
})

function snapshots(items: PipelineItem[]): Snapshot[] {
  return items.filter((i) => i.type === 'snapshot').map((i) => i.data as Snapshot)
}

describe('demo plugin', () => {
  it('emits expected, observed, then each change event followed by the updated observed snapshot', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { size: 600, seed: 's1', interval: 0, max_changes: 25, initial_changes: 0 })
    const items = await take(output as AsyncIterable<PipelineItem>, 1000)
    expect(items).toHaveLength(2 + 25 * 2)
    const [expected, observed] = snapshots(items)
    expect(expected!.kind).toBe('expected')
    expect(observed!.kind).toBe('observed')
    expect(expected!.resources).toHaveLength(600)
    expect(observed!.covered_types).toEqual(expect.arrayContaining(['aws_instance', 'aws_s3_bucket']))
    for (let i = 2; i < items.length; i += 2) {
      expect(items[i]!.type).toBe('change.received')
      expect(items[i]!.topic).toBe('events')
      expect(items[i + 1]!.type).toBe('snapshot')
      expect((items[i + 1]!.data as Snapshot).kind).toBe('observed')
      const ev = items[i]!.data as ChangeEvent
      expect(ev.source).toBe('demo')
      expect(ev.resource_type).toMatch(/^aws_/)
      expect(ev.resource_id).toBeTruthy()
      expect(ev.region).toMatch(/^[a-z]{2}-[a-z]+-\d$/)
      expect(ev.actor?.user).toBeTruthy()
      expect(ev.actor?.arn).toMatch(/^arn:aws:(iam|sts)::\d{12}:(user|assumed-role)\//)
      expect(ev.actor?.source_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
      expect(ev.actor?.user_agent).toBeTruthy()
      expect(ev.actor?.event_name).toBe(ev.event_name)
      expect(ev.actor?.event_id).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('starts with initial_changes already made: their events precede the first observed snapshot, which shows them', async () => {
    const { output } = await plugin.create(testContext(), { size: 500, seed: 'initial', interval: 0, max_changes: 0, initial_changes: 4, revert_probability: 0 })
    const items = await take(output as AsyncIterable<PipelineItem>, 6)
    expect(items.map((i) => i.type)).toEqual(['snapshot', 'change.received', 'change.received', 'change.received', 'change.received', 'snapshot'])
    const [expected, observed] = [items[0]!.data as Snapshot, items[5]!.data as Snapshot]
    const key = (r: ResourceInstance) => r.address || `${r.type}:${r.resource_id}`
    const before = new Map(expected.resources.map((r) => [key(r), JSON.stringify(r.attributes)]))
    const differing = observed.resources.filter((r) => before.get(key(r)) !== JSON.stringify(r.attributes)).length + expected.resources.filter((r) => !observed.resources.some((o) => key(o) === key(r))).length
    expect(differing).toBeGreaterThanOrEqual(4)
  })

  it('replays the same change sequence for the same seed', async () => {
    const run = async () => {
      const { output } = await plugin.create(testContext(), { size: 300, seed: 'replay', interval: 0, max_changes: 40 })
      return (await take(output as AsyncIterable<PipelineItem>, 1000))
        .filter((i) => i.type === 'change.received').map((i) => { const e = i.data as ChangeEvent; return `${e.event_name} ${e.resource_id} ${e.actor?.user}` })
    }
    const [a, b] = [await run(), await run()]
    expect(a).toHaveLength(5 + 40) // initial_changes (default 5) + max_changes
    expect(b).toEqual(a)
  })

  it('reflects a change in the next observed snapshot (port 22 opened to the world)', async () => {
    const { output } = await plugin.create(testContext(), { size: 400, seed: 'ssh', interval: 0, max_changes: 60, revert_probability: 0, initial_changes: 0 })
    const items = await take(output as AsyncIterable<PipelineItem>, 1000)
    const i = items.findIndex((x) => (x.data as ChangeEvent).event_name === 'AuthorizeSecurityGroupIngress')
    expect(i).toBeGreaterThan(0)
    const ev = items[i]!.data as ChangeEvent
    const find = (s: Snapshot) => s.resources.find((r) => r.resource_id === ev.resource_id && r.type === 'aws_security_group') as ResourceInstance
    const after = find(items[i + 1]!.data as Snapshot)
    const expected = find(snapshots(items)[0]!)
    const open = (r: ResourceInstance) => (r.attributes.ingress as Array<{ from_port: number; cidr_blocks: string[] }>).some((x) => x.from_port === 22 && x.cidr_blocks.includes('0.0.0.0/0'))
    expect(open(after)).toBe(true)
    expect(open(expected)).toBe(false)
  })

  it('waits for demand before emitting', async () => {
    const ctx = testContext()
    ctx.pause()
    const { output } = await plugin.create(ctx, { size: 100, interval: 0, max_changes: 1 })
    const it = (output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator]()
    let settled = false
    const first = it.next().then((r) => { settled = true; return r })
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    expect(settled).toBe(false)
    expect(ctx.readyCalls()).toBe(1)
    ctx.resume()
    expect(((await first).value as PipelineItem).type).toBe('snapshot')
  })

  it('stops promptly when the signal aborts during the interval', async () => {
    const ctx = testContext()
    const { output } = await plugin.create(ctx, { size: 100, interval: '1m' })
    const it = (output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator]()
    await it.next()
    await it.next()
    const pending = it.next()
    ctx.controller.abort()
    const started = Date.now()
    expect((await pending).done).toBe(true)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('logs one info line per simulated change, naming the actor', async () => {
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
    const ctx = testContext({ logger: pino({ level: 'info' }, sink) })
    const { output } = await plugin.create(ctx, { size: 100, interval: 0, max_changes: 5, initial_changes: 0 })
    await take(output as AsyncIterable<PipelineItem>, 100)
    const changes = lines.filter((l) => String(l.msg).startsWith('Simulated change:'))
    expect(changes).toHaveLength(5)
    for (const l of changes) {
      expect(l.actor).toBeTruthy()
      expect(String(l.msg)).toContain(String(l.actor))
    }
  })

  it('parses intervals', () => {
    expect(parseInterval('4s')).toBe(4000)
    expect(parseInterval('250ms')).toBe(250)
    expect(parseInterval('2m')).toBe(120000)
    expect(parseInterval(10)).toBe(10)
    expect(() => parseInterval('soon')).toThrow(/invalid interval/)
  })
})
