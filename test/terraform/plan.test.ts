import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { parsePlan } from '../../engine/terraform/plan.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { codeOf } from './support/coded.ts'
import type { ResourceInstance } from '../../engine/model.ts'

const dir = requireCorpus()
const planDir = () => join(dir!, 'plan-json')
const read = (f: string) => readFileSync(join(planDir(), f))
const byAddress = (rs: ResourceInstance[]): Record<string, ResourceInstance> => Object.fromEntries(rs.map((r) => [r.address, r]))

describe.runIf(corpusDir())('corpus: plan JSON', () => {
  const files = dir ? readdirSync(join(dir, 'plan-json')).filter((f) => f.endsWith('.json')) : []

  it.each(files.filter((f) => !f.includes('plan-error')))('%s parses', (f) => {
    const { expected, observed, errored } = parsePlan(read(f), { source: f })
    expect(errored).toBe(false)
    expect(expected.kind).toBe('expected')
    expect(observed.kind).toBe('observed')
    const doc = JSON.parse(read(f).toString())
    const drifts = (doc.resource_drift ?? []) as unknown[]
    // without drift both sides are the same resources
    if (drifts.length === 0) expect(expected.resources).toEqual(observed.resources)
  })

  it('drift: before is expected, after is observed, undrifted resources equal', () => {
    const { expected, observed } = parsePlan(read('show-json__drift.json'), { source: 'drift.json' })
    const e = byAddress(expected.resources)
    const o = byAddress(observed.resources)
    expect(Object.keys(e).sort()).toEqual(['test_instance.no_refresh', 'test_instance.should_refresh'])
    expect(e['test_instance.should_refresh']!.attributes).toEqual({ ami: 'refresh-me', id: 'placeholder' })
    expect(o['test_instance.should_refresh']!.attributes).toEqual({ ami: 'refreshed', id: 'placeholder' })
    expect(e['test_instance.no_refresh']).toEqual(o['test_instance.no_refresh'])
    expect(e['test_instance.no_refresh']!.provider).toBe('test')
    expect(e['test_instance.no_refresh']!.resource_id).toBe('placeholder')
  })

  it('moved drift keeps the new address on both sides and records previous_address', () => {
    const { expected, observed } = parsePlan(read('show-json__moved-drift.json'), { source: 'moved' })
    const e = byAddress(expected.resources)
    const o = byAddress(observed.resources)
    expect(Object.keys(e).sort()).toEqual(Object.keys(o).sort())
    expect(e['test_instance.should_refresh_with_move']!.attributes.ami).toBe('refresh-me')
    expect(o['test_instance.should_refresh_with_move']!.attributes.ami).toBe('refreshed')
    expect(o['test_instance.should_refresh_with_move']!.previous_address).toBe('test_instance.should_refresh')
  })

  it('delete drift: missing from observed, present in expected (redacted HCP plan without prior_state)', () => {
    const { expected, observed } = parsePlan(read('cloud-testdata__plan-json-full__plan-redacted.json'), { source: 'hcp' })
    expect(expected.resources.map((r) => r.address)).toContain('tfcoremock_simple_resource.example')
    expect(observed.resources.map((r) => r.address)).not.toContain('tfcoremock_simple_resource.example')
    const gone = expected.resources.find((r) => r.address === 'tfcoremock_simple_resource.example')!
    expect(gone.attributes).toMatchObject({ bool: true, id: 'my-simple-resource', string: 'Hello, world!' })
  })

  it('tinystacks: update drift with before_sensitive/after_sensitive mirrors', () => {
    const { expected, observed } = parsePlan(read('tinystacks__precloud__MockTfPlan.json'), { source: 'ts' })
    const e = byAddress(expected.resources)['aws_sqs_queue.test_tf_sqs_2']!
    const o = byAddress(observed.resources)['aws_sqs_queue.test_tf_sqs_2']!
    expect(e.attributes.tags).toBeNull()
    expect(o.attributes.tags).toEqual({})
    expect(e.arn).toBe('arn:aws:sqs:us-east-1:222140259348:check-sqs-2')
    expect(expected.resources).toHaveLength(2)
    expect(observed.resources).toHaveLength(2)
  })

  it('sensitive outputs are masked', () => {
    const { expected } = parsePlan(read('show-json__sensitive-values.json'), { source: 'sv' })
    expect(expected.outputs!.test).toEqual({ value: '(sensitive value)', sensitive: true, type: 'string' })
    expect(JSON.stringify(expected)).not.toContain('boop')
  })

  it('errored plan → TFD_ERR_PLAN_ERRORED naming the source; allowErrored returns errored: true', () => {
    try {
      parsePlan(read('show-json__plan-error.json'), { source: 'plan-error.json' })
      expect.unreachable()
    } catch (err) {
      expect((err as TfdriftError).code).toBe('TFD_ERR_PLAN_ERRORED')
      expect((err as TfdriftError).message).toContain('plan-error.json')
      expect((err as TfdriftError).problems[0]!.pointer).toBe('/errored')
    }
    expect(parsePlan(read('show-json__plan-error.json'), { source: 'p', allowErrored: true }).errored).toBe(true)
  })
})

describe('plan JSON (synthetic)', () => {
  const plan = {
    format_version: '1.2',
    terraform_version: '1.9.0',
    prior_state: {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [{ address: 'aws_db_instance.db', mode: 'managed', type: 'aws_db_instance', name: 'db', provider_name: 'registry.terraform.io/hashicorp/aws',
            values: { id: 'db-1', password: 'hunter2', tags: { a: '1' } }, sensitive_values: { password: true, tags: {} } }],
          child_modules: [{ address: 'module.net["eu"]', resources: [
            { address: 'module.net["eu"].aws_subnet.s["a"]', mode: 'managed', type: 'aws_subnet', name: 's', index: 'a', provider_name: 'registry.terraform.io/hashicorp/aws', values: { id: 'subnet-1', arn: 'arn:aws:ec2:eu-west-1:1:subnet/subnet-1' } },
            { address: 'module.net["eu"].data.aws_ami.u[0]', mode: 'data', type: 'aws_ami', name: 'u', index: 0, provider_name: 'registry.terraform.io/hashicorp/aws', values: { id: 'ami-1' } },
          ] }],
        },
      },
    },
    resource_drift: [{ address: 'aws_db_instance.db', mode: 'managed', type: 'aws_db_instance', name: 'db', provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: ['update'], before: { id: 'db-1', password: 'old', tags: { a: '0' } }, after: { id: 'db-1', password: 'hunter2', tags: { a: '1' }, endpoint: null },
        before_sensitive: { password: true }, after_sensitive: { password: true }, after_unknown: { endpoint: true } } }],
  }

  it('reads child modules, index keys, data sources, sensitive and unknown paths', () => {
    const { expected, observed } = parsePlan(JSON.stringify(plan), { source: 'p.json' })
    const o = byAddress(observed.resources)
    const s = o['module.net["eu"].aws_subnet.s["a"]']!
    expect([s.module, s.index_key, s.type, s.name, s.mode, s.arn]).toEqual(['module.net["eu"]', 'a', 'aws_subnet', 's', 'managed', 'arn:aws:ec2:eu-west-1:1:subnet/subnet-1'])
    const d = o['module.net["eu"].data.aws_ami.u[0]']!
    expect([d.mode, d.index_key]).toEqual(['data', 0])
    expect(o['aws_db_instance.db']!.sensitive_paths).toEqual([['password']])
    expect(o['aws_db_instance.db']!.unknown_paths).toEqual([['endpoint']])
    const e = byAddress(expected.resources)['aws_db_instance.db']!
    expect(e.attributes.tags).toEqual({ a: '0' })
    expect(e.sensitive_paths).toEqual([['password']])
    expect(expected.terraform_version).toBe('1.9.0')
  })

  it.each([
    ['not JSON', 'nope', 'TFD_ERR_PLAN_INVALID'],
    ['truncated', JSON.stringify(plan).slice(0, 100), 'TFD_ERR_PLAN_INVALID'],
    ['a state instead of a plan', JSON.stringify({ version: 4, resources: [] }), 'TFD_ERR_PLAN_INVALID'],
    ['bad address', JSON.stringify({ ...plan, resource_drift: [{ ...plan.resource_drift[0], address: 'not an address' }] }), 'TFD_ERR_PLAN_INVALID'],
    ['drift without actions', JSON.stringify({ ...plan, resource_drift: [{ address: 'a.b', change: {} }] }), 'TFD_ERR_PLAN_INVALID'],
  ])('%s → %s', (_name, input, code) => {
    expect(() => parsePlan(input, { source: 'bad.json' })).toThrowError(expect.objectContaining({ code, message: expect.stringContaining('bad.json') }))
  })

  const broken = (over: Record<string, unknown>) => JSON.stringify({ ...plan, ...over })
  const priorWith = (rootModule: unknown) => ({ prior_state: { values: { root_module: rootModule } } })
  it.each([
    // A known field of the wrong shape used to be skipped, so a broken plan read as "in sync".
    ['resource_drift an object', '/resource_drift', { resource_drift: { x: 1 } }],
    ['resource_changes a string', '/resource_changes', { resource_changes: 'x' }],
    ['resource_changes entry without change', '/resource_changes/0/change', { resource_changes: [{ address: 'aws_x.y' }] }],
    ['resource_changes actions not a list', '/resource_changes/0/change/actions', { resource_changes: [{ address: 'aws_x.y', change: { actions: 'update' } }] }],
    ['errored as a string', '/errored', { errored: 'true' }],
    ['prior_state a list', '/prior_state', { prior_state: [] }],
    ['prior_state values a string', '/prior_state/values', { prior_state: { values: 'x' } }],
    ['root_module a number', '/prior_state/values/root_module', priorWith(5)],
    ['resources an object', '/prior_state/values/root_module/resources', priorWith({ resources: {} })],
    ['child module a number', '/prior_state/values/root_module/child_modules/0', priorWith({ child_modules: [1] })],
    ['child_modules an object', '/prior_state/values/root_module/child_modules', priorWith({ child_modules: {} })],
    ['planned_values a list', '/planned_values', { planned_values: [] }],
    ['format_version a number', '/format_version', { format_version: 1.2 }],
    ['terraform_version a number', '/terraform_version', { terraform_version: 1 }],
  ])('%s → TFD_ERR_PLAN_INVALID at %s', (_name, at, over) => {
    const err = codeOf(() => parsePlan(broken(over), { source: 'bad.json' }))
    expect(err.code).toBe('TFD_ERR_PLAN_INVALID')
    expect(err.message).toContain('bad.json')
    expect(err.problems[0]).toMatchObject({ file: 'bad.json', pointer: at })
  })

  it('rejects the malformed plan of the issue even without format_version (and warns about that)', () => {
    const warnings: string[] = []
    const err = codeOf(() => parsePlan('{"resource_drift":{"x":1}}', { source: 'bad.json', onWarning: (w) => warnings.push(w) }))
    expect(err.problems[0]).toMatchObject({ code: 'TFD_ERR_PLAN_INVALID', pointer: '/resource_drift' })
    expect(warnings).toEqual([expect.stringMatching(/bad\.json: .*format_version/)])
  })

  it.each([
    ['format_version 2.0', '/format_version', { format_version: '2.0' }],
    ['format_version 10.1', '/format_version', { format_version: '10.1' }],
    ['plan_format_version 3.0', '/plan_format_version', { format_version: undefined, plan_format_version: '3.0' }],
  ])('an unknown major version (%s) → TFD_ERR_PLAN_VERSION at %s', (_name, at, over) => {
    const err = codeOf(() => parsePlan(broken(over), { source: 'future.json' }))
    expect(err.code).toBe('TFD_ERR_PLAN_VERSION')
    expect(err.message).toContain('future.json')
    expect(err.problems[0]!.pointer).toBe(at)
  })

  it('reads every 0.x and 1.x format version without warning; a missing one is a warning, not an error', () => {
    for (const v of ['0.1', '0.2', '1.0', '1.2', '1.99']) {
      const warnings: string[] = []
      expect(parsePlan(broken({ format_version: v }), { source: 'p', onWarning: (w) => warnings.push(w) }).format_version).toBe(v)
      expect(warnings).toEqual([])
    }
    const warnings: string[] = []
    const read = parsePlan(broken({ format_version: undefined }), { source: 'old.json', onWarning: (w) => warnings.push(w) })
    expect(read.observed.resources.length).toBeGreaterThan(0)
    expect(warnings).toEqual([expect.stringMatching(/^old\.json: .*format_version/)])
  })

  it('bounds nesting depth: a deeper value is TFD_ERR_PLAN_INVALID naming the file and the limit, 500 levels still read', () => {
    const withDepth = (n: number) => JSON.stringify({ ...plan, resource_drift: [{ ...plan.resource_drift[0], change: { ...plan.resource_drift[0]!.change, after: { id: 'db-1', deep: 'DEEP' } } }] })
      .replace('"DEEP"', `${'['.repeat(n)}1${']'.repeat(n)}`)
    for (const input of [withDepth(100_000), Buffer.from(withDepth(600))]) {
      const err = codeOf(() => parsePlan(input, { source: 'deep.json' }))
      expect(err.code).toBe('TFD_ERR_PLAN_INVALID')
      expect(err.message).toMatch(/deep\.json.*deeper than 512 levels/)
    }
    expect(parsePlan(withDepth(500), { source: 'ok.json' }).observed.resources).toHaveLength(3)
  })

  it('spells out a whole-object sensitive mark per attribute', () => {
    const doc = { ...plan, prior_state: { values: { root_module: { resources: [{ address: 'aws_x.y', mode: 'managed', type: 'aws_x', name: 'y', values: { id: 'x1', secret: 's' }, sensitive_values: true }] } } }, resource_drift: [] }
    const { observed } = parsePlan(doc, { source: 'p' })
    expect(observed.resources[0]!.sensitive_paths).toEqual([['id'], ['secret']])
  })
})
