/**
 * Event schemas: every schema under schemas/ compiles; the real demo pipeline (demo discovery, drift
 * analysis, terraform-remediation), a terraform-state source that fails then recovers, a plugin that
 * fails once, REST approve/reject and the engine's live metrics (`metrics.pipeline`, `stats.summary`) and live graph (`graph.delta`)
 * publish only envelopes that match schemas/envelope.schema.json and schemas/events/<type>.schema.json
 * — and a malformed envelope is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { filter, type Subscription } from 'rxjs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PluginDefinition } from '../../engine/plugin-api.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { Drift } from '../../engine/model.ts'
import { eventTypes, validateEnvelope } from '../../engine/events.ts'
import { BUILTIN_PLUGINS } from '../../plugins/index.ts'
import { startRest, TOKENS, type Harness } from '../rest/harness.ts'

const root = new URL('../../', import.meta.url)
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020
const readJson = (rel: string) => JSON.parse(readFileSync(new URL(rel, root), 'utf8')) as Record<string, any>
const schemaFiles = (dir = 'schemas/'): string[] => readdirSync(new URL(dir, root), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? schemaFiles(`${dir}${e.name}/`) : e.name.endsWith('.json') ? [`${dir}${e.name}`] : []))

/** An analysis plugin that throws on the first item it ever sees, then passes nothing on (yields system.plugin_failed / plugin_restarted). */
let flakyFailed = false
const flaky = definePlugin({
  name: 'flaky', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
  create: () => ({ operator: (input$) => input$.pipe(filter(() => { if (!flakyFailed) { flakyFailed = true; throw new Error('fails once') } return false })) }),
})

/** A one-instance Terraform state (`aws_instance.later`). */
const tfstate = (serial: number, instanceType: string) => JSON.stringify({
  version: 4, terraform_version: '1.9.0', serial, lineage: 'l-1', outputs: {},
  resources: [{ mode: 'managed', type: 'aws_instance', name: 'later', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { id: 'i-later', instance_type: instanceType } }] }],
})

/** The types this run must publish. */
const EXPECTED = ['change.received', 'drift.detected', 'drift.updated', 'drift.resolved', 'remediation.proposed', 'remediation.obsoleted', 'state.summary',
  'system.plugin_failed', 'system.plugin_restarted', 'source.error', 'source.recovered', 'remediation.approved', 'remediation.rejected',
  'metrics.pipeline', 'stats.summary', 'graph.delta']

describe('event schemas', () => {
  let dir: string
  let runtime: Runtime
  let rest: Harness
  let sub: Subscription
  const bus = new MemoryBus()
  const store = new MemoryStore()
  const seen: Envelope[] = []
  const waiters: Array<() => void> = []
  const types = () => new Set(seen.map((e) => e.type))
  /** Resolves once `done()` holds, re-checked on every bus event (the demo keeps publishing; no sleeps). */
  const until = (done: () => boolean | Promise<boolean>, what: string, ms = 30_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw ${[...types()].sort().join(', ')}`)), ms)
    const check = () => { void Promise.resolve(done()).then((ok) => { if (ok) { clearTimeout(timer); resolve() } else waiters.push(check) }, reject) }
    check()
  })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tfdrift-events-'))
    writeFileSync(join(dir, 'live.tfstate'), tfstate(1, 't3.large'))
    sub = bus.liveAll().subscribe((e) => { seen.push(e); for (const w of waiters.splice(0)) w() })
    const builtins: PluginDefinition[] = [...BUILTIN_PLUGINS, flaky]
    runtime = await startRuntime({
      metrics: { interval_ms: 200 },
      pipelines: {
        demo: {
          tenant: 'acme',
          discovery: [{ use: 'demo', with: { size: 60, interval: 20, initial_changes: 3, max_open_changes: 3, revert_probability: 1 } }],
          analysis: [{ use: 'drift' }, { use: 'flaky' }],
          remediation: [{ use: 'terraform-remediation', with: { mode: 'propose' } }],
        },
        // A state that appears later, and a live side that changes twice (a drift detected, then updated).
        states: {
          tenant: 'acme',
          discovery: [
            { use: 'terraform-state', with: { paths: [join(dir, 'later.tfstate')], refresh: 30 } },
            { use: 'terraform-state', with: { paths: [join(dir, 'live.tfstate')], role: 'observed', refresh: 30 } },
          ],
          analysis: [{ use: 'drift' }],
        },
      },
    }, { logger: silentLogger, bus, store, builtins, backoff: { initial_ms: 10 }, persist: { max_delay_ms: 5 } })
    rest = await startRest(store, bus)
  }, 30_000)
  afterAll(async () => {
    sub?.unsubscribe()
    await rest?.close()
    await runtime?.stop()
    await bus.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('every schema under schemas/ compiles, and every property has a description', () => {
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true })
    addFormats(ajv)
    ajv.addSchema(readJson('plugins/discovery/terraform-state/events.schema.json'), 'https://tfdrift.dev/plugins/discovery/terraform-state/events.schema.json')
    const files = schemaFiles()
    for (const f of files) ajv.addSchema(readJson(f), readJson(f).$id ?? f)
    for (const f of files) expect(() => ajv.getSchema(readJson(f).$id ?? f), f).not.toThrow()
    expect(files).toContain('schemas/envelope.schema.json')
    const undescribed: string[] = []
    const walk = (s: any, at: string) => {
      if (!s || typeof s !== 'object') return
      for (const [name, p] of Object.entries(s.properties ?? {}) as Array<[string, any]>) if (!p.description && !p.$ref) undescribed.push(`${at}/${name}`)
      // `if` subschemas only test values; they declare nothing.
      for (const [k, v] of Object.entries(s)) if (typeof v === 'object' && k !== 'if') walk(v, `${at}/${k}`)
    }
    for (const f of ['schemas/envelope.schema.json', 'schemas/model.schema.json', ...files.filter((f) => f.startsWith('schemas/events/'))]) walk(readJson(f), f)
    expect(undescribed).toEqual([])
  })

  it("scan-result.schema.json's drift definitions are the shared ones in model.schema.json", () => {
    const model = readJson('schemas/model.schema.json').$defs
    const scan = readJson('schemas/scan-result.schema.json').$defs
    for (const name of ['severity', 'actor', 'change', 'drift']) expect(scan[name], name).toEqual(model[name])
  })

  it('the demo pipeline, a failing and recovering state source, a plugin restart and REST decisions publish only valid envelopes', async () => {
    await until(() => types().has('source.error'), 'source.error')
    writeFileSync(join(dir, 'later.tfstate'), tfstate(1, 't3.micro'))
    await until(() => seen.some((e) => e.type === 'drift.detected' && (e.data as Drift).address === 'aws_instance.later'), 'the drift of the later state')
    writeFileSync(join(dir, 'live.tfstate'), tfstate(2, 't3.xlarge'))
    const pipelineTypes = EXPECTED.filter((t) => !t.startsWith('remediation.') || t === 'remediation.proposed' || t === 'remediation.obsoleted')
    const kinds = () => new Set(seen.filter((e) => e.topic === 'drifts').map((e) => (e.data as Drift).kind))
    await until(() => pipelineTypes.every((t) => types().has(t)) && kinds().size === 3, 'the pipeline event types and every drift kind')
    // The demo reverts every change, so a plan may turn obsolete between listing and deciding (409): take the next one.
    const decide = async (action: 'approve' | 'reject') => {
      for (let tries = 0; tries < 100; tries++) {
        const [plan] = (await store.listRemediations('acme', { status: 'proposed', page: 1, limit: 1 })).items
        const status = plan ? (await rest.call(`/api/v1/remediations/${plan.id}/${action}`, TOKENS.acmeAdmin, { method: 'POST' })).status : 0
        if (status === 200) return
        expect([0, 409]).toContain(status)
        await new Promise((r) => setTimeout(r, 10))
      }
      throw new Error(`no proposed plan could be ${action}d`)
    }
    await decide('approve')
    await decide('reject')
    await until(() => types().has('remediation.approved') && types().has('remediation.rejected'), 'remediation decisions')

    expect([...types()].filter((t) => !eventTypes().includes(t))).toEqual([])
    for (const t of EXPECTED) expect(types(), t).toContain(t)
    const invalid = seen.map((e) => ({ type: e.type, check: validateEnvelope(JSON.parse(JSON.stringify(e))) })).filter((r) => !r.check.ok)
    expect(invalid.slice(0, 5)).toEqual([])
    expect(seen.length).toBeGreaterThan(30)
  }, 60_000)

  it('refuses malformed envelopes with JSON pointers', () => {
    const drift = seen.find((e) => e.type === 'drift.detected')!
    expect(validateEnvelope(drift)).toEqual({ ok: true })
    const bad = (patch: (e: any) => void) => { const e = JSON.parse(JSON.stringify(drift)); patch(e); return validateEnvelope(e) }
    expect(bad((e) => { e.data.kind = 'changed' })).toEqual({ ok: false, errors: [expect.objectContaining({ pointer: '/data/kind' })] })
    expect(bad((e) => { e.topic = 'events' })).toMatchObject({ ok: false, errors: [{ pointer: '/topic' }] })
    expect(bad((e) => { e.offset = 0; delete e.tenant })).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ pointer: '/offset' }), expect.objectContaining({ pointer: '/' })]) })
    const summary = seen.find((e) => e.type === 'state.summary')!
    expect(validateEnvelope({ ...summary, data: { ...(summary.data as object), coverage: { percent: 101 } } }).ok).toBe(false)
    expect(validateEnvelope({ ...summary, type: 'custom.thing', data: 'anything' })).toEqual({ ok: true })
    expect(validateEnvelope('not an envelope').ok).toBe(false)
    const metrics = seen.find((e) => e.type === 'metrics.pipeline')!
    expect(validateEnvelope({ ...metrics, topic: 'stats' }).ok).toBe(false)
    expect(validateEnvelope({ ...metrics, data: { ...(metrics.data as object), nodes: [{ node: 'x' }] } })).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ pointer: '/data/nodes/0' })]) })
  })
})
