/**
 * terraform-state plugin: snapshots per source, refresh that re-emits only on serial/lineage change
 * (driven by a hand-operated sleep, no real timers), failing sources keep their last good snapshot and
 * yield one `source.error` per failure streak, S3/TFC over loopback, observed role, options schema.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import plugin, { createTerraformState, terraformState } from './index.ts'
import { parseDuration } from './poller.ts'
import type { PipelineItem, Snapshot } from 'tfdrift'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import { testContext, take, type TestContext } from 'tfdrift/testing'
import { startFakeS3, type FakeS3 } from '../../../test/terraform/support/s3-server.ts'
import { deadPort } from '../../../test/terraform/support/http-server.ts'
import { corpusDir } from '../../../test/support/corpus.ts'

const state = (serial: number, lineage = 'lin-a', id = 'vpc-1') => JSON.stringify({ version: 4, terraform_version: '1.9.0', serial, lineage, outputs: {}, resources: [
  { mode: 'managed', type: 'aws_vpc', name: 'main', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ schema_version: 1, attributes: { id }, sensitive_attributes: [] }] },
] })

/** A sleep the test releases by hand; `sleeping(n)` resolves once the poller has gone to sleep n times. */
function manualSleep() {
  const requested: number[] = []
  let release: (() => void) | undefined
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
    requested.push(ms)
    release = resolve
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
    for (const w of waiters.filter((w) => requested.length >= w.n)) w.resolve()
  })
  return {
    sleep,
    requested,
    tick() { const r = release; release = undefined; r?.() },
    sleeping: (n: number) => new Promise<void>((resolve) => (requested.length >= n ? resolve() : waiters.push({ n, resolve }))),
  }
}

/** Drains the plugin's output in the background into `items`. */
function drain(output: AsyncIterable<PipelineItem>) {
  const items: PipelineItem[] = []
  const done = (async () => { for await (const item of output) items.push(item) })()
  return { items, done }
}
const snaps = (items: PipelineItem[]) => items.filter((i) => i.type === 'snapshot').map((i) => i.data as Snapshot)

describe('terraform-state: files with refresh', () => {
  let root: string
  let ctx: TestContext
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tfdrift-tfstate-plugin-'))
    mkdirSync(join(root, 'envs'))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  afterEach(() => ctx?.controller.abort())

  it('emits per source at start, then only on serial/lineage change; failures keep the last good snapshot', async () => {
    const a = join(root, 'envs', 'a.tfstate')
    const b = join(root, 'envs', 'b.tfstate')
    writeFileSync(a, state(1))
    writeFileSync(b, state(7, 'lin-b'))
    ctx = testContext()
    const timer = manualSleep()
    const { output } = createTerraformState(ctx, { paths: ['envs'], refresh: '5m' }, { sleep: timer.sleep, cwd: root })
    const { items, done } = drain(output)

    await timer.sleeping(1)
    expect(timer.requested[0]).toBe(300_000)
    expect(snaps(items).map((s) => [s.source, s.serial, s.kind, s.taken_at])).toEqual([
      [a, 1, 'expected', '2026-11-22T10:00:00.000Z'], [b, 7, 'expected', '2026-11-22T10:00:00.000Z'],
    ])

    // same serial and lineage, different bytes → nothing
    writeFileSync(a, state(1, 'lin-a', 'vpc-edited-by-hand'))
    timer.tick()
    await timer.sleeping(2)
    expect(items).toHaveLength(2)

    // serial bump → one snapshot for that source only
    writeFileSync(a, state(2, 'lin-a', 'vpc-2'))
    timer.tick()
    await timer.sleeping(3)
    expect(items).toHaveLength(3)
    expect(snaps(items)[2]).toMatchObject({ source: a, serial: 2 })
    expect(snaps(items)[2]!.resources[0]!.resource_id).toBe('vpc-2')

    // lineage change with the same serial → emitted
    writeFileSync(b, state(7, 'lin-b2'))
    timer.tick()
    await timer.sleeping(4)
    expect(snaps(items).at(-1)).toMatchObject({ source: b, lineage: 'lin-b2' })

    // truncated file → one source.error (system topic), no snapshot; still broken → no repeat
    writeFileSync(a, state(3).slice(0, 60))
    timer.tick()
    await timer.sleeping(5)
    const errors = () => items.filter((i) => i.type === 'source.error')
    expect(errors()).toHaveLength(1)
    expect(errors()[0]).toMatchObject({ topic: 'system', data: { source: a, code: 'TFD_ERR_STATE_INVALID' } })
    expect((errors()[0]!.data as { message: string }).message).toContain(a)
    const before = items.length
    writeFileSync(a, state(3).slice(0, 61))
    timer.tick()
    await timer.sleeping(6)
    expect(items.length).toBe(before)

    // repaired with the last good serial → recovered, no new snapshot (downstream still has serial 2)
    writeFileSync(a, state(2, 'lin-a', 'vpc-2'))
    timer.tick()
    await timer.sleeping(7)
    expect(items.slice(before).map((i) => i.type)).toEqual(['source.recovered'])

    // a new state file in the directory is picked up
    writeFileSync(join(root, 'envs', 'c.tfstate'), state(1, 'lin-c'))
    timer.tick()
    await timer.sleeping(8)
    expect(snaps(items).at(-1)!.source).toBe(join(root, 'envs', 'c.tfstate'))

    // every system item matches the plugin's event schema
    const events = JSON.parse(readFileSync(new URL('./events.schema.json', import.meta.url), 'utf8')) as { $defs: Record<string, object> }
    const ajv = new Ajv({ strict: false })
    for (const item of items.filter((i) => i.topic === 'system')) {
      const check = ajv.compile(events.$defs[item.type]!)
      expect(check(item.data), `${item.type} ${JSON.stringify(check.errors)}`).toBe(true)
    }

    ctx.controller.abort()
    await done
  })

  it('refresh 0 reads once and ends; a missing path is a source.error, others still emit', async () => {
    writeFileSync(join(root, 'once.tfstate'), state(4))
    ctx = testContext()
    const { output } = createTerraformState(ctx, { paths: ['once.tfstate', 'missing.tfstate'], refresh: 0 }, { cwd: root })
    const items = await take(output, 10)
    expect(items.map((i) => i.type).sort()).toEqual(['snapshot', 'source.error'])
    expect(items.find((i) => i.type === 'source.error')).toMatchObject({ topic: 'system', data: { source: 'missing.tfstate', code: 'TFD_ERR_SOURCE_NOT_FOUND' } })
  })

  it('waits for downstream demand before emitting', async () => {
    writeFileSync(join(root, 'demand.tfstate'), state(1))
    ctx = testContext()
    ctx.pause()
    const { output } = createTerraformState(ctx, { paths: ['demand.tfstate'], refresh: 0 }, { cwd: root })
    const pending = take(output, 1)
    await new Promise<void>((resolve) => { const check = () => (ctx.readyCalls() > 0 ? resolve() : setImmediate(check)); check() })
    expect(ctx.readyCalls()).toBe(1)
    ctx.resume()
    expect((await pending)[0]!.type).toBe('snapshot')
  })
})

describe('terraform-state: remote sources', () => {
  let s3: FakeS3
  beforeAll(async () => {
    s3 = await startFakeS3('AKIDPLUGIN')
    s3.put('states', 'env:/prod/app.tfstate', state(11, 'lin-prod'))
    s3.put('states', 'env:/dev/app.tfstate', state(2, 'lin-dev'))
    s3.put('denied', 'x.tfstate', state(1))
    s3.denied.add('denied')
  })
  afterAll(() => s3.close())

  it('reads every workspace under an S3 prefix; an S3 403 becomes a source.error naming the object', async () => {
    const ctx = testContext()
    const common = { region: 'us-east-1', endpoint: s3.endpoint, force_path_style: true, access_key_id: 'AKIDPLUGIN', secret_access_key: 'plugin-secret-key' }
    const { output, close } = plugin.create(ctx, { s3: [{ bucket: 'states', prefix: 'env:/', ...common }, { bucket: 'denied', key: 'x.tfstate', ...common }], refresh: 0 }) as ReturnType<typeof createTerraformState>
    const items = await take(output, 10)
    close()
    expect(snaps(items).map((s) => [s.source, s.serial]).sort()).toEqual([['s3://states/env:/dev/app.tfstate', 2], ['s3://states/env:/prod/app.tfstate', 11]])
    const err = items.find((i) => i.type === 'source.error')!
    expect(err.data).toMatchObject({ source: 's3://denied/x.tfstate', code: 'TFD_ERR_SOURCE_AUTH' })
    expect(JSON.stringify(items)).not.toContain('plugin-secret-key')
  })

  it('an unreachable TFC is a source.error without the token', async () => {
    const port = await deadPort()
    const ctx = testContext()
    const { output } = createTerraformState(ctx, { tfc: { token: 'tfc-secret-token', address: `http://127.0.0.1:${port}`, workspace_id: 'ws-1' }, refresh: 0, timeout: '5s' })
    const [item] = await take(output, 1)
    expect(item).toMatchObject({ type: 'source.error', topic: 'system', data: { source: `tfc://127.0.0.1:${port}/ws-1`, code: 'TFD_ERR_SOURCE_UNREACHABLE' } })
    expect(JSON.stringify(item)).not.toContain('tfc-secret-token')
  })
})

describe.runIf(corpusDir())('terraform-state: observed role', () => {
  it('reads plan JSON and refreshed states as observed snapshots', async () => {
    const ctx = testContext()
    const dir = corpusDir()!
    const { output } = createTerraformState(ctx, { paths: [join(dir, 'plan-json', 'show-json__drift.json'), join(dir, 'tfstate', 'nl253__TerraformInfrastructure__s3__terraform.tfstate')], role: 'observed', refresh: 0 })
    const items = await take(output, 5)
    expect(items.every((i) => i.type === 'snapshot')).toBe(true)
    expect(snaps(items).map((s) => s.kind)).toEqual(['observed', 'observed'])
    const plan = snaps(items).find((s) => s.source.endsWith('drift.json'))!
    expect(plan.resources.find((r) => r.address === 'test_instance.should_refresh')!.attributes.ami).toBe('refreshed')
  })
})

describe('terraform-state: definition and options', () => {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
  const validate = addFormats(new Ajv({ useDefaults: true, allErrors: true, strict: false })).compile(plugin.optionsSchema)

  it('is registered as a built-in with a config helper', () => {
    expect(BUILTIN_PLUGINS).toContain(plugin)
    expect([plugin.name, plugin.kind]).toEqual(['terraform-state', 'discovery'])
    expect(terraformState({ paths: ['a.tfstate'], refresh: '5m' }, { id: 'state' })).toEqual({ use: 'terraform-state', with: { paths: ['a.tfstate'], refresh: '5m' }, id: 'state' })
  })

  it('documents every option and accepts its own examples; applies defaults', () => {
    const schema = plugin.optionsSchema as { properties: Record<string, { description?: string }>; examples: unknown[]; $defs: Record<string, { properties: Record<string, { description?: string }> }> }
    for (const [name, p] of Object.entries(schema.properties)) expect(p.description, name).toBeTruthy()
    for (const def of Object.values(schema.$defs)) for (const [name, p] of Object.entries(def.properties)) expect(p.description, name).toBeTruthy()
    for (const ex of schema.examples) expect(validate(structuredClone(ex)), JSON.stringify(validate.errors)).toBe(true)
    const opts: Record<string, unknown> = { paths: ['x'] }
    validate(opts)
    expect(opts).toMatchObject({ refresh: '5m', role: 'expected', concurrency: 4, timeout: '30s' })
  })

  it.each([
    [{}],
    [{ paths: [] }],
    [{ paths: ['a'], refresh: 'soon' }],
    [{ s3: { bucket: 'b' } }],
    [{ tfc: { token: 't' } }],
    [{ paths: ['a'], role: 'live' }],
    [{ paths: ['a'], unknown: 1 }],
  ])('rejects %j', (opts) => expect(validate(opts)).toBe(false))

  it('parses durations', () => {
    expect([parseDuration('250ms', 0), parseDuration('30s', 0), parseDuration('5m', 0), parseDuration('1h', 0), parseDuration(1500, 0), parseDuration(undefined, 7)]).toEqual([250, 30_000, 300_000, 3_600_000, 1500, 7])
    expect(() => parseDuration('5 minutes', 0)).toThrow(/Invalid duration/)
  })
})
