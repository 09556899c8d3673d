/** State reader on hand-written documents: deposed/tainted, sensitive forms, outputs, v3, and bad input. */
import { describe, expect, it } from 'vitest'
import { parseState } from '../../engine/terraform/state.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { codeOf } from './support/coded.ts'

const v4 = (resources: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 4, terraform_version: '1.9.0', serial: 7, lineage: 'l-1', outputs: {}, resources, ...extra })

const res = (over: Record<string, unknown> = {}, instances: unknown[] = [{ attributes: { id: 'i-1' } }]) => ({
  mode: 'managed', type: 'aws_instance', name: 'web', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances, ...over,
})


describe('parseState v4', () => {
  it('reads header fields and the kind', () => {
    const s = parseState(v4([res()]), { source: 'a.tfstate', kind: 'observed', takenAt: '2026-01-01T00:00:00.000Z' })
    expect([s.kind, s.source, s.serial, s.lineage, s.terraform_version, s.taken_at, s.state_version]).toEqual(['observed', 'a.tfstate', 7, 'l-1', '1.9.0', '2026-01-01T00:00:00.000Z', 4])
  })

  it('reads deposed and tainted instances beside the current one', () => {
    const s = parseState(v4([res({}, [
      { attributes: { id: 'i-new' }, status: 'tainted' },
      { deposed: '00000001', attributes: { id: 'i-old' } },
    ])]), { source: 's' })
    expect(s.resources).toHaveLength(2)
    expect(s.resources[0]).toMatchObject({ address: 'aws_instance.web', status: 'tainted', resource_id: 'i-new' })
    expect(s.resources[1]).toMatchObject({ address: 'aws_instance.web', deposed: '00000001', resource_id: 'i-old' })
    expect(s.resources[1]!.status).toBeUndefined()
  })

  it('reads every sensitive_attributes form', () => {
    const s = parseState(v4([res({}, [{ index_key: 0, attributes: { id: 'a' }, sensitive_attributes: [
      [{ type: 'get_attr', value: 'password' }],
      [{ type: 'get_attr', value: 'list' }, { type: 'index', value: { value: 2, type: 'number' } }, { type: 'get_attr', value: 'secret' }],
      [{ type: 'get_attr', value: 'tags' }, { type: 'index', value: { value: 'Token', type: 'string' } }],
    ] }, { index_key: 1, attributes: { id: 'b' }, sensitive_attributes: { password: true, nested: [false, { key: true }] } },
    { index_key: 2, attributes: { id: 'c' }, sensitive_attributes: ['a.b.0'] }])]), { source: 's' })
    expect(s.resources[0]!.sensitive_paths).toEqual([['password'], ['list', 2, 'secret'], ['tags', 'Token']])
    expect(s.resources[1]!.sensitive_paths).toEqual([['password'], ['nested', 1, 'key']])
    expect(s.resources[2]!.sensitive_paths).toEqual([['a', 'b', 0]])
    expect(s.resources.map((r) => r.address)).toEqual(['aws_instance.web[0]', 'aws_instance.web[1]', 'aws_instance.web[2]'])
  })

  it('masks sensitive outputs', () => {
    const s = parseState(v4([], { outputs: { pw: { value: 'hunter2', type: 'string', sensitive: true }, ip: { value: '1.2.3.4', type: 'string' } } }), { source: 's' })
    expect(s.outputs).toEqual({ pw: { value: '(sensitive value)', sensitive: true, type: 'string' }, ip: { value: '1.2.3.4', type: 'string' } })
    expect(JSON.stringify(s)).not.toContain('hunter2')
  })

  it('builds module addresses with string keys and data prefixes, provider names of every style', () => {
    const s = parseState(v4([
      res({ module: 'module.a["x"].module.b[0]', mode: 'data', type: 'aws_subnet', name: 'b', each: 'map' }, [{ index_key: 'k', attributes: { id: 'subnet-1', arn: 'arn:x' } }]),
      res({ provider: 'provider.aws.east', name: 'p1' }),
      res({ provider: 'module.m.provider["registry.terraform.io/hashicorp/google-beta"]', type: 'google_x', name: 'p2' }),
      res({ provider: 'provider["registry.terraform.io/hashicorp/aws"].west', name: 'p3' }),
    ]), { source: 's' })
    expect(s.resources[0]).toMatchObject({ address: 'module.a["x"].module.b[0].data.aws_subnet.b["k"]', module: 'module.a["x"].module.b[0]', mode: 'data', index_key: 'k', resource_id: 'subnet-1', arn: 'arn:x' })
    expect(s.resources.map((r) => r.provider)).toEqual(['aws', 'aws', 'google-beta', 'aws'])
  })

  it('unflattens v4 attributes_flat', () => {
    const s = parseState(v4([res({}, [{ attributes_flat: { id: 'i-1', 'tags.%': '1', 'tags.Name': 'x', 'sg.#': '1', 'sg.123': 'sg-1' } }])]), { source: 's' })
    expect(s.resources[0]!.attributes).toEqual({ id: 'i-1', tags: { Name: 'x' }, sg: ['sg-1'] })
  })

  it('accepts a Buffer with a BOM', () => {
    const s = parseState(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(v4([res()]))]), { source: 's' })
    expect(s.resources).toHaveLength(1)
  })
})

describe('parseState v3 (legacy flatmap)', () => {
  const v3 = JSON.stringify({ version: 3, terraform_version: '0.11.14', serial: 3, lineage: 'x', modules: [
    { path: ['root'], outputs: { pw: { sensitive: true, type: 'string', value: 's3cret' }, old: 'bare' }, resources: {
      'aws_security_group.sg': { type: 'aws_security_group', depends_on: [], provider: 'provider.aws', primary: { id: 'sg-1', tainted: true, attributes: {
        id: 'sg-1', 'ingress.#': '2', 'ingress.111.from_port': '80', 'ingress.111.cidr_blocks.#': '1', 'ingress.111.cidr_blocks.0': '0.0.0.0/0',
        'ingress.22.from_port': '22', 'ingress.22.cidr_blocks.#': '0',
        'tags.%': '2', 'tags.kubernetes.io/cluster/x': 'owned', 'tags.Name': 'web', 'revoke_rules_on_delete': 'false',
      } }, deposed: [{ id: 'sg-0', attributes: { id: 'sg-0' } }] },
      'data.aws_ami.u.1': { type: 'aws_ami', primary: { id: 'ami-1', attributes: { id: 'ami-1' } } },
    } },
    { path: ['root', 'net'], resources: { 'aws_subnet.s.0': { type: 'aws_subnet', depends_on: ['aws_vpc.v.*', 'aws_route_table.r.1'], primary: { id: 'subnet-1', attributes: { id: 'subnet-1', vpc_id: 'vpc-1' } } } } },
  ] })

  it('nests flatmap into lists and maps, keeps leaf strings, reads modules, deposed, tainted, data', () => {
    const s = parseState(v3, { source: 'legacy.tfstate' })
    expect(s.state_version).toBe(3)
    const sg = s.resources.find((r) => r.address === 'aws_security_group.sg' && !r.deposed)!
    expect(sg.status).toBe('tainted')
    expect(sg.attributes).toEqual({
      id: 'sg-1', revoke_rules_on_delete: 'false',
      ingress: [{ from_port: '22', cidr_blocks: [] }, { from_port: '80', cidr_blocks: ['0.0.0.0/0'] }],
      tags: { 'kubernetes.io/cluster/x': 'owned', Name: 'web' },
    })
    expect(s.resources.find((r) => r.deposed)).toMatchObject({ address: 'aws_security_group.sg', resource_id: 'sg-0' })
    expect(s.resources.find((r) => r.mode === 'data')).toMatchObject({ address: 'data.aws_ami.u[1]', index_key: 1, provider: 'aws' })
    expect(s.resources.find((r) => r.type === 'aws_subnet')).toMatchObject({ address: 'module.net.aws_subnet.s[0]', module: 'module.net', dependencies: ['module.net.aws_vpc.v', 'module.net.aws_route_table.r'] })
    expect(s.outputs).toEqual({ pw: { value: '(sensitive value)', sensitive: true, type: 'string' }, old: { value: 'bare' } })
  })
})

describe('parseState bad input', () => {
  it.each([
    ['empty', '', 'TFD_ERR_STATE_INVALID', ''],
    ['not JSON', 'hello', 'TFD_ERR_STATE_INVALID', ''],
    ['a JSON array', '[]', 'TFD_ERR_STATE_INVALID', ''],
    ['truncated header', '{"version": 4, "seri', 'TFD_ERR_STATE_INVALID', ''],
    ['truncated inside resources', v4([res(), res({ name: 'b' })]).slice(0, 180), 'TFD_ERR_STATE_INVALID', ''],
    ['bad JSON inside a resource', v4([res(), res({ name: 'b' })]).replace('"name":"b"', '"name":b'), 'TFD_ERR_STATE_INVALID', '/resources/1'],
    ['no version', '{"resources": []}', 'TFD_ERR_STATE_INVALID', '/version'],
    ['version 5', '{"version": 5, "resources": []}', 'TFD_ERR_STATE_VERSION', '/version'],
    ['version 2', '{"version": 2, "modules": []}', 'TFD_ERR_STATE_VERSION', '/version'],
    ['version as string', '{"version": "4", "resources": []}', 'TFD_ERR_STATE_VERSION', '/version'],
    ['duplicate address', v4([res(), res()]), 'TFD_ERR_STATE_DUPLICATE', '/resources/1/instances/0'],
    ['duplicate index key', v4([res({}, [{ index_key: 0, attributes: {} }, { index_key: 0, attributes: {} }])]), 'TFD_ERR_STATE_DUPLICATE', '/resources/0/instances/1'],
    ['bad mode', v4([res({ mode: 'weird' })]), 'TFD_ERR_STATE_INVALID', '/resources/0/mode'],
    ['attributes not an object', v4([res({}, [{ attributes: 'x' }])]), 'TFD_ERR_STATE_INVALID', '/resources/0/instances/0/attributes'],
    ['instances not an array', v4([res({ instances: {} })]), 'TFD_ERR_STATE_INVALID', '/resources/0/instances'],
    ['bad index key', v4([res({}, [{ index_key: true, attributes: {} }])]), 'TFD_ERR_STATE_INVALID', '/resources/0/instances/0/index_key'],
    ['trailing garbage', v4([]) + ' x', 'TFD_ERR_STATE_INVALID', ''],
    ['missing comma between resources', v4([res(), res({ name: 'b' })]).replace('},{"mode"', '} {"mode"'), 'TFD_ERR_STATE_INVALID', '/resources'],
    ['v3 without modules', '{"version": 3}', 'TFD_ERR_STATE_INVALID', '/modules'],
    ['.terraform backend cache', '{"version": 3, "serial": 1, "lineage": "x", "backend": {"type": "s3", "config": {}, "hash": 1}}', 'TFD_ERR_STATE_INVALID', '/backend'],
    ['v3 bad key', JSON.stringify({ version: 3, modules: [{ path: ['root'], resources: { nodot: { primary: {} } } }] }), 'TFD_ERR_STATE_INVALID', '/modules/0/resources/nodot'],
    ['plan passed as state', JSON.stringify({ format_version: '1.0', planned_values: {} }), 'TFD_ERR_STATE_INVALID', '/version'],
  ])('%s → %s', (_name, input, code, at) => {
    // both readers: one-piece (small documents) and the per-resource splitter
    for (const splitAbove of [undefined, 0]) {
      const err = codeOf(() => parseState(input, { source: 'prod/terraform.tfstate', ...(splitAbove === undefined ? {} : { splitAbove }) }))
      expect(err.code).toBe(code)
      expect(err.message).toContain('prod/terraform.tfstate')
      expect(err.problems[0]!.file).toBe('prod/terraform.tfstate')
      if (at) expect(err.problems[0]!.pointer!.startsWith(at)).toBe(true)
    }
  })

  it('says "truncated" for a cut-off file', () => {
    const err = codeOf(() => parseState(v4([res(), res({ name: 'b' })]).slice(0, 150), { source: 's' }))
    expect(err.message).toMatch(/truncated/)
  })

  it('hints at --plan when given a plan', () => {
    const err = codeOf(() => parseState(JSON.stringify({ format_version: '1.0', planned_values: {} }), { source: 's' }))
    expect(err.message).toMatch(/plan/)
  })
})

describe('parseState nesting depth', () => {
  const withDepth = (n: number, name = 'web') => v4([res({ name }, [{ attributes: { id: 'i-1', deep: 'DEEP' } }]), res({ name: 'other' })])
    .replace('"DEEP"', `${'['.repeat(n)}1${']'.repeat(n)}`)

  it.each([['100,000', 100_000], ['600', 600]])('a state nested %s levels deep is TFD_ERR_STATE_INVALID naming the file, the resource and the limit (both readers)', (_n, n) => {
    for (const splitAbove of [undefined, 0]) {
      const err = codeOf(() => parseState(Buffer.from(withDepth(n)), { source: 'deep.tfstate', ...(splitAbove === undefined ? {} : { splitAbove }) }))
      expect(err.code).toBe('TFD_ERR_STATE_INVALID')
      expect(err.message).toMatch(/^deep\.tfstate at \/resources\/0: the JSON nests deeper than 512 levels/)
      expect(err.problems[0]).toMatchObject({ file: 'deep.tfstate', pointer: '/resources/0' })
    }
  })

  it('reads a state whose attributes nest 500 levels (real states nest < 20; the limit leaves headroom)', () => {
    for (const splitAbove of [undefined, 0]) {
      expect(parseState(withDepth(500), { source: 's', ...(splitAbove === undefined ? {} : { splitAbove }) }).resources).toHaveLength(2)
    }
  })

  it('counts levels from the document root: 512 in all is read, 513 is not', () => {
    // root object (1) › resources (2) › resource (3) › instances (4) › instance (5) › attributes (6) › deep (7…)
    for (const splitAbove of [undefined, 0]) {
      const opts = { source: 's', ...(splitAbove === undefined ? {} : { splitAbove }) }
      expect(parseState(withDepth(512 - 6), opts).resources).toHaveLength(2)
      expect(codeOf(() => parseState(withDepth(512 - 5), opts)).message).toContain('deeper than 512 levels')
    }
  })
})

describe('parseState robustness', () => {
  it('treats "resources": null as empty', () => {
    expect(parseState('{"version":4,"serial":1,"lineage":"x","resources":null}', { source: 's' }).resources).toEqual([])
  })

  it('names an encrypted OpenTofu state', () => {
    const err = codeOf(() => parseState('{"serial":1,"lineage":"x","meta":{},"encrypted_data":"abc","encryption_version":"v0"}', { source: 'enc.tfstate' }))
    expect(err.code).toBe('TFD_ERR_STATE_INVALID')
    expect(err.message).toMatch(/encrypted/)
  })

  it('reads a flatmap map that was counted with # (pre-0.7 writers)', () => {
    const s = parseState(v4([res({}, [{ attributes_flat: { id: 'i', 'tags.#': '1', 'tags.Name': 'x' } }])]), { source: 's' })
    expect(s.resources[0]!.attributes.tags).toEqual({ Name: 'x' })
  })
})

describe('terraform show -json of a state', () => {
  const show = JSON.stringify({ format_version: '1.0', terraform_version: '1.9.0', values: {
    outputs: { pw: { sensitive: true, value: 'x', type: 'string' } },
    root_module: { resources: [{ address: 'aws_vpc.main', mode: 'managed', type: 'aws_vpc', name: 'main', provider_name: 'registry.terraform.io/hashicorp/aws', schema_version: 1, values: { id: 'vpc-1', tags: {} }, sensitive_values: { tags: {} } }],
      child_modules: [{ address: 'module.net', resources: [{ address: 'module.net.aws_subnet.s[0]', mode: 'managed', type: 'aws_subnet', name: 's', index: 0, provider_name: 'registry.terraform.io/hashicorp/aws', values: { id: 'subnet-1', password: 'p' }, sensitive_values: { password: true } }] }] },
  } })

  it('reads it like the state file', () => {
    const s = parseState(show, { source: 'show.json', kind: 'observed' })
    expect(s.kind).toBe('observed')
    expect(s.terraform_version).toBe('1.9.0')
    expect(s.resources.map((r) => [r.address, r.provider, r.resource_id, r.module ?? null, r.index_key ?? null])).toEqual([
      ['aws_vpc.main', 'aws', 'vpc-1', null, null], ['module.net.aws_subnet.s[0]', 'aws', 'subnet-1', 'module.net', 0],
    ])
    expect(s.resources[1]!.sensitive_paths).toEqual([['password']])
    expect(s.outputs!.pw!.value).toBe('(sensitive value)')
  })

  it('reports a bad address as TFD_ERR_STATE_INVALID', () => {
    const bad = show.replace('"address":"aws_vpc.main"', '"address":"nope"')
    const err = codeOf(() => parseState(bad, { source: 'show.json' }))
    expect(err.code).toBe('TFD_ERR_STATE_INVALID')
    expect(err.problems[0]!.pointer).toBe('/values/root_module/resources/0/address')
  })
})

describe('parse errors never echo state text', () => {
  it('drops the input slice V8 quotes in JSON.parse messages (secrets may sit there)', () => {
    const bad = v4([res({}, [{ attributes: { id: 'i-1', password: 'hunter2-secret' } }])]).replace('"hunter2-secret"', 'hunter2-secret')
    const err = codeOf(() => parseState(bad, { source: 's' }))
    expect(err.code).toBe('TFD_ERR_STATE_INVALID')
    expect(err.problems[0]!.pointer).toBe('/resources/0')
    expect(`${err.message} ${JSON.stringify(err.problems)} ${String(err.cause ?? '')}`).not.toContain('hunter2')
  })
})

describe('large states (resource-by-resource splitter)', () => {
  const many = (n: number, extra: unknown[] = []) => v4([...Array.from({ length: n }, (_, i) => res({ name: `r${i}` }, [{ attributes: { id: `i-${i}`, blob: 'x'.repeat(1000) } }])), ...extra])

  it('reads a > 4 MiB state in pieces with the same result', () => {
    const text = many(5000)
    expect(text.length).toBeGreaterThan(4 * 2 ** 20)
    const s = parseState(Buffer.from(text), { source: 'big' })
    expect(s.resources).toHaveLength(5000)
    expect(s.resources[4999]).toMatchObject({ address: 'aws_instance.r4999', resource_id: 'i-4999' })
  })

  it.each([
    ['duplicate', (t: string) => t, [res({ name: 'r7' })], 'TFD_ERR_STATE_DUPLICATE', '/resources/5000/instances/0'],
    ['bad mode', (t: string) => t, [res({ name: 'zz', mode: 'nope' })], 'TFD_ERR_STATE_INVALID', '/resources/5000/mode'],
    ['broken JSON in one resource', (t: string) => t.replace('"name":"r4321"', '"name":r4321'), [], 'TFD_ERR_STATE_INVALID', '/resources/4321'],
    ['truncated in the middle', (t: string) => t.slice(0, Math.floor(t.length / 2)), [], 'TFD_ERR_STATE_INVALID', '/resources/'],
  ])('%s → %s at %s', (_n, edit, extra, code, at) => {
    const err = codeOf(() => parseState(Buffer.from(edit(many(5000, extra))), { source: 'big.tfstate' }))
    expect(err.code).toBe(code)
    expect(err.problems[0]!.pointer!.startsWith(at)).toBe(true)
    expect(err.message).toContain('big.tfstate')
  })
})
