/**
 * `tfdrift scan` end to end through the real CLI (engine/cli/main.ts in a child process): every
 * format, every exit code, errors naming their code and source, ignore files, masking, and the
 * JSON output validated against schemas/scan-result.schema.json.
 */
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { beforeAll, describe, expect, it } from 'vitest'
import { corpusDir } from '../support/corpus.ts'
import { runCli } from '../cli/support.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { toSnapshotFile } from '../../engine/terraform/snapshot.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs')

function scan(args: string[], env: Record<string, string> = {}) {
  // The test runner may force colour for itself; the CLI must decide on its own (stdout is a pipe here).
  const base = { ...process.env }
  delete base.FORCE_COLOR
  delete base.NO_COLOR
  const r = spawnSync(process.execPath, [tsx, join(root, 'engine', 'cli', 'main.ts'), 'scan', ...args], {
    cwd: work, encoding: 'utf8', env: { ...base, ...env }, timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The same, without blocking this process (for tests that serve HTTP from here). */
function scanAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Through the tracked CLI runner, so a test that times out does not leave the scan running.
  return runCli(['scan', ...args], { cwd: work, env: { FORCE_COLOR: undefined, NO_COLOR: process.env.NO_COLOR } })
}

let work = ''
const SECRET = 'hunter2-live-value'

/** A small v4 state in the shape Terraform writes. */
function state(resources: unknown[], serial = 1) {
  return JSON.stringify({ version: 4, terraform_version: '1.9.0', serial, lineage: 'l-1', outputs: {}, resources })
}
function resource(type: string, name: string, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    mode: 'managed', type, name, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 0, attributes, sensitive_attributes: [], ...extra }],
  }
}

const sgPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] })
const expected = [
  resource('aws_instance', 'web', { id: 'i-1', instance_type: 't3.micro', monitoring: false, tags: { Name: 'web' }, vpc_security_group_ids: ['sg-1', 'sg-2'] }),
  resource('aws_iam_policy', 'read', { id: 'arn:aws:iam::1:policy/read', arn: 'arn:aws:iam::1:policy/read', policy: sgPolicy }),
  resource('aws_s3_bucket', 'logs', { id: 'logs-bucket', bucket: 'logs-bucket' }),
  resource('aws_db_instance', 'db', { id: 'db-1', password: 'hunter1', port: 5432 }, { sensitive_attributes: [[{ type: 'get_attr', value: 'password' }]] }),
]
// Same resources, re-serialised: strings for numbers/bools, reordered sets, restyled policy JSON.
const expectedNoops = [
  resource('aws_instance', 'web', { id: 'i-1', instance_type: 't3.micro', monitoring: 'false', tags: { Name: 'web' }, vpc_security_group_ids: ['sg-2', 'sg-1'], user_data: null }),
  resource('aws_iam_policy', 'read', { id: 'arn:aws:iam::1:policy/read', arn: 'arn:aws:iam::1:policy/read', policy: JSON.stringify({ Statement: { Resource: ['*'], Action: 's3:GetObject', Effect: 'Allow' }, Version: '2012-10-17' }, null, 2) }),
  resource('aws_s3_bucket', 'logs', { id: 'logs-bucket', bucket: 'logs-bucket', tags: {} }),
  resource('aws_db_instance', 'db', { id: 'db-1', password: 'hunter1', port: '5432' }),
]
const drifted = [
  resource('aws_instance', 'web', { id: 'i-1', instance_type: 't3.large', monitoring: false, tags: { Name: 'web' }, vpc_security_group_ids: ['sg-1', 'sg-2'] }),
  resource('aws_iam_policy', 'read', { id: 'arn:aws:iam::1:policy/read', arn: 'arn:aws:iam::1:policy/read', policy: sgPolicy.replace('s3:GetObject', 's3:*') }),
  resource('aws_db_instance', 'db', { id: 'db-1', password: SECRET, port: 5432 }),
  resource('aws_instance', 'rogue', { id: 'i-rogue', instance_type: 't3.nano' }),
]

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tfdrift-scan-'))
  writeFileSync(join(work, 'expected.tfstate'), state(expected))
  writeFileSync(join(work, 'same.tfstate'), state(expectedNoops, 2))
  writeFileSync(join(work, 'drifted.tfstate'), state(drifted, 3))
  writeFileSync(join(work, 'truncated.tfstate'), state(expected).slice(0, 200))
  writeFileSync(join(work, 'only-tags.tfstate'), state([resource('aws_instance', 'web', { id: 'i-1', tags: { Name: 'x' } })]))
  writeFileSync(join(work, 'only-tags-live.tfstate'), state([resource('aws_instance', 'web', { id: 'i-1', tags: { Name: 'y' } })]))
})

describe('tfdrift scan (real CLI)', () => {
  it('exit 0 and an in-sync table when only representations differ', () => {
    const r = scan(['--state', 'expected.tfstate', '--live', 'same.tfstate'])
    expect(r.stderr).not.toMatch(/error/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/In sync: 4 managed resources, no drift/)
    expect(r.stdout).not.toMatch(/\u001b\[/) // not a TTY: no colour
  })

  it('exit 2 with a json result that matches its schema and names exactly the drifts', () => {
    const r = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate', '--format', 'json'])
    expect(r.code).toBe(2)
    const result = JSON.parse(r.stdout)
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', 'scan-result.schema.json'), 'utf8')))
    expect(validate(result), ajv.errorsText(validate.errors)).toBe(true)
    const got = result.drifts.map((d: { kind: string; address?: string; resource_id?: string; changes?: Array<{ path: string }> }) =>
      `${d.kind} ${d.address ?? d.resource_id} ${(d.changes ?? []).map((c) => c.path).join(',')}`.trim()).sort()
    expect(got).toEqual([
      'missing aws_s3_bucket.logs',
      'modified aws_db_instance.db password',
      'modified aws_iam_policy.read policy',
      'modified aws_instance.web instance_type',
      'unmanaged aws_instance.rogue',
    ])
    expect(result.summary).toMatchObject({ in_sync: false, counts: { total: 5, by_kind: { missing: 1, unmanaged: 1, modified: 3 } }, coverage: { managed: 3, unmanaged: 1, missing: 1, percent: 60 } })
    expect(result.drifts.find((d: { type: string }) => d.type === 'aws_iam_policy').severity).toBe('critical')
  })

  it('never prints sensitive values, in any format', () => {
    for (const format of ['table', 'json', 'sarif', 'markdown']) {
      const r = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate', '--format', format])
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr, format).not.toContain(SECRET)
      expect(r.stdout + r.stderr, format).not.toContain('hunter1')
      expect(r.stdout, format).toContain('(sensitive)')
    }
  })

  // Issue 11, defect 5: secrets inside JSON-encoded string attributes, and marks only one snapshot carries.
  it('never prints secrets held in JSON strings (nested too) or marked sensitive by one snapshot only, in any format', () => {
    const conn = (host: string) => JSON.stringify({ host, port: 5432, password: 'S1-conn-pw' })
    const app = (level: string) => JSON.stringify({ log_level: level, env: JSON.stringify({ region: 'eu-west-1', api_token: 'S1-nested-token' }) })
    const sg = (rules: Array<[string, string]>) => rules.map(([cidr, description]) => ({ cidr_blocks: [cidr], description, from_port: 443 }))
    writeFileSync(join(work, 'json-expected.tfstate'), state([
      resource('aws_db_instance', 'conn', { id: 'db-9', connection_info: conn('db-old.internal'), app_config: app('info') }),
      resource('aws_security_group', 'sg', { id: 'sg-9', ingress: sg([['10.0.0.0/8', 'S1-desc-a'], ['10.1.0.0/16', 'S1-desc-b']]) }),
    ]))
    writeFileSync(join(work, 'json-live.tfstate'), state([
      resource('aws_db_instance', 'conn', { id: 'db-9', connection_info: conn('db-new.internal'), app_config: app('debug') }),
      resource('aws_security_group', 'sg', { id: 'sg-9', ingress: sg([['10.1.0.0/16', 'S1-desc-b-live'], ['10.0.0.0/8', 'S1-desc-a']]) },
        { sensitive_attributes: [[{ type: 'get_attr', value: 'ingress' }, { type: 'index', value: { value: 0, type: 'number' } }, { type: 'get_attr', value: 'description' }]] }),
    ], 4))
    for (const format of ['table', 'json', 'sarif', 'markdown']) {
      const r = scan(['--state', 'json-expected.tfstate', '--live', 'json-live.tfstate', '--format', format])
      expect(r.code, format + r.stderr).toBe(2)
      expect(r.stdout + r.stderr, format).not.toMatch(/S1-/)
      // What is not secret still tells the story.
      expect(r.stdout, format).toMatch(/db-new\.internal/)
      expect(r.stdout, format).toMatch(/debug/)
      expect(r.stdout, format).toContain('(sensitive)')
    }
    const changes = JSON.parse(scan(['--state', 'json-expected.tfstate', '--live', 'json-live.tfstate', '--format', 'json']).stdout).drifts
      .flatMap((d: { changes?: unknown[] }) => d.changes ?? [])
    expect(changes).toContainEqual({ path: 'connection_info', sensitive: false,
      expected: JSON.stringify({ host: 'db-old.internal', port: 5432, password: '(sensitive)' }), actual: JSON.stringify({ host: 'db-new.internal', port: 5432, password: '(sensitive)' }) })
    expect(changes).toContainEqual({ path: 'ingress.1.description', expected: '(sensitive)', actual: '(sensitive)', sensitive: true })
  })

  it('writes valid SARIF 2.1.0: rules, results with ruleId/level/message/locations', () => {
    const r = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate', '--format', 'sarif'])
    expect(r.code).toBe(2)
    const sarif = JSON.parse(r.stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/)
    expect(sarif.runs).toHaveLength(1)
    const { driver } = sarif.runs[0].tool
    expect(driver.name).toBe('tfdrift')
    const ruleIds = driver.rules.map((rule: { id: string }) => rule.id)
    expect(ruleIds).toEqual(['tfdrift/missing', 'tfdrift/unmanaged', 'tfdrift/modified'])
    for (const rule of driver.rules) expect(rule.shortDescription.text).toBeTruthy()
    const results = sarif.runs[0].results
    expect(results).toHaveLength(5)
    for (const res of results) {
      expect(ruleIds).toContain(res.ruleId)
      expect(driver.rules[res.ruleIndex].id).toBe(res.ruleId)
      expect(['error', 'warning', 'note']).toContain(res.level)
      expect(res.message.text.length).toBeGreaterThan(0)
      expect(res.locations[0].physicalLocation.artifactLocation.uri).toMatch(/\.tfstate$/)
      expect(res.locations[0].logicalLocations[0].fullyQualifiedName).toBeTruthy()
      expect(res.partialFingerprints.driftId).toMatch(/^drift_/)
    }
  })

  it('writes a markdown PR comment and a table grouped by kind and type, coloured only when forced', () => {
    const md = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate', '--format', 'markdown'])
    expect(md.code).toBe(2)
    expect(md.stdout).toMatch(/^### .*tfdrift: 5 drifts found/)
    expect(md.stdout).toContain('| missing | unmanaged | modified | coverage |')
    expect(md.stdout).toContain('<details>')
    const table = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate'])
    expect(table.code).toBe(2)
    const lines = table.stdout.split('\n')
    const order = ['Missing', 'Unmanaged', 'Modified'].map((k) => lines.findIndex((l) => l.startsWith(k)))
    expect(order.every((n, i) => n >= 0 && (i === 0 || n > order[i - 1]!))).toBe(true)
    expect(table.stdout).toMatch(/ {2}aws_instance \(2\)|aws_instance \(1\)/)
    expect(table.stdout).not.toMatch(/\u001b\[/)
    const coloured = scan(['--state', 'expected.tfstate', '--live', 'drifted.tfstate'], { FORCE_COLOR: '1' })
    expect(coloured.stdout).toMatch(/\u001b\[\d+m/)
  })

  it('honours --ignore-file and --min-severity (exit 0 when everything left is ignored)', () => {
    writeFileSync(join(work, '.custom-ignore'), '# tags churn\naws_instance.*.tags.*\n')
    expect(scan(['--state', 'only-tags.tfstate', '--live', 'only-tags-live.tfstate']).code).toBe(2)
    expect(scan(['--state', 'only-tags.tfstate', '--live', 'only-tags-live.tfstate', '--ignore-file', '.custom-ignore']).code).toBe(0)
    expect(scan(['--state', 'only-tags.tfstate', '--live', 'only-tags-live.tfstate', '--min-severity', 'medium']).code).toBe(0)
  })

  it('reads a tfdrift snapshot JSON as the observed side', () => {
    const snapshot = parseState(readFileSync(join(work, 'drifted.tfstate')), { source: 'drifted.tfstate', kind: 'observed' })
    writeFileSync(join(work, 'drifted.snapshot.json'), JSON.stringify(toSnapshotFile(snapshot)))
    const r = scan(['--state', 'expected.tfstate', '--live', 'drifted.snapshot.json', '--format', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).summary.counts.by_kind).toEqual({ missing: 1, unmanaged: 1, modified: 3 })
  })

  it('reads the expected state from an HTTP backend; an unreachable one is exit 1 naming the source', async () => {
    const body = readFileSync(join(work, 'expected.tfstate'))
    const server = createServer((req, res) => {
      if (req.url === '/state/prod') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body) } else { res.writeHead(404); res.end() }
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const ok = await scanAsync(['--state', `${url}/state/prod`, '--live', 'same.tfstate'])
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      const gone = await scanAsync(['--state', `${url}/state/nope`, '--live', 'same.tfstate'])
      expect(gone.code).toBe(1)
      expect(gone.stderr).toMatch(/TFD_ERR_SOURCE_\w+: .*\/state\/nope/)
    } finally {
      server.close()
    }
  })

  it('exit 1 with the error code and the source for bad input', () => {
    const usage = scan(['--state', 'expected.tfstate'])
    expect(usage.code).toBe(1)
    expect(usage.stderr).toContain('TFD_ERR_SCAN_USAGE')
    const missing = scan(['--state', 'nope.tfstate', '--live', 'same.tfstate'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/TFD_ERR_SCAN_INPUT: nope\.tfstate/)
    const truncated = scan(['--state', 'truncated.tfstate', '--live', 'same.tfstate'])
    expect(truncated.code).toBe(1)
    expect(truncated.stderr).toMatch(/TFD_ERR_STATE_INVALID: truncated\.tfstate/)
    const ignore = scan(['--state', 'expected.tfstate', '--live', 'same.tfstate', '--ignore-file', 'no-such-ignore'])
    expect(ignore.code).toBe(1)
    expect(ignore.stderr).toContain('TFD_ERR_IGNORE_FILE')
  })
})

describe.runIf(corpusDir())('tfdrift scan on the real fixtures', () => {
  const dir = corpusDir()!

  it('every fixture state (v4 directory, v3 glob) against itself: exit 0, full coverage', () => {
    const r = scan(['--state', join(dir, 'tfstate'), join(dir, 'tfstate-legacy', '*.tfstate'), '--live', join(dir, 'tfstate'), join(dir, 'tfstate-legacy'), '--format', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.inputs.state.length).toBe(34)
    expect(result.summary.coverage.percent).toBe(100)
    expect(result.summary.coverage.managed).toBeGreaterThan(600)
  })

  it('a plan with resource_drift: exit 2 in every format', () => {
    const plan = join(dir, 'plan-json', 'show-json__drift.json')
    for (const format of ['table', 'json', 'sarif', 'markdown']) {
      const r = scan(['--plan', plan, '--format', format])
      expect(r.code, format).toBe(2)
      expect(r.stdout).toContain('test_instance.should_refresh')
    }
    expect(JSON.parse(scan(['--plan', plan, '--format', 'json']).stdout).drifts[0].changes).toEqual([{ path: 'ami', expected: 'refresh-me', actual: 'refreshed', sensitive: false }])
  })

  it('a plan without drift exits 0; an errored plan exits 1 naming the code and file', () => {
    expect(scan(['--plan', join(dir, 'plan-json', 'show-json__basic-update.json')]).code).toBe(0)
    const r = scan(['--plan', join(dir, 'plan-json', 'show-json__plan-error.json')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/TFD_ERR_PLAN_ERRORED: .*show-json__plan-error\.json/)
  })

  it('a refreshed state with a deleted instance: exit 2, missing reported with its module/index address', () => {
    const file = join(dir, 'tfstate', 'xiyuxie__bm-infra__terraform__gcp__terraform.tfstate')
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    const victim = doc.resources.find((r: { mode: string; module?: string; instances: unknown[] }) => r.mode === 'managed' && r.module && r.instances.length > 1)
    const removed = victim.instances.pop()
    writeFileSync(join(work, 'refreshed.tfstate'), JSON.stringify(doc))
    const r = scan(['--state', file, '--live', 'refreshed.tfstate', '--format', 'json'])
    expect(r.code).toBe(2)
    const drifts = JSON.parse(r.stdout).drifts
    expect(drifts).toHaveLength(1)
    expect(drifts[0]).toMatchObject({ kind: 'missing', module: victim.module, address: `${victim.module}.${victim.type}.${victim.name}[${removed.index_key}]` })
  })
})

describe('tfdrift scan: malformed, deep and unusual inputs (issue 11)', () => {
  const drift = { address: 'aws_instance.web', mode: 'managed', type: 'aws_instance', name: 'web', provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions: ['update'], before: { id: 'i-1', instance_type: 't3.micro' }, after: { id: 'i-1', instance_type: 't3.large' } } }
  const prior = { values: { root_module: { resources: [{ address: 'aws_instance.web', mode: 'managed', type: 'aws_instance', name: 'web',
    provider_name: 'registry.terraform.io/hashicorp/aws', values: { id: 'i-1', instance_type: 't3.large' } }] } } }
  const plan = (name: string, doc: Record<string, unknown>) => { writeFileSync(join(work, name), JSON.stringify(doc)); return name }

  it('a plan whose resource_drift is not a list is exit 1 with TFD_ERR_PLAN_INVALID, the file and the pointer — not "In sync"', () => {
    for (const doc of [{ format_version: '1.2', resource_drift: { x: 1 } }, { resource_drift: { x: 1 } }]) {
      const r = scan(['--plan', plan('malformed-plan.json', doc)])
      expect(r.stdout).not.toMatch(/In sync/)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/TFD_ERR_PLAN_INVALID: malformed-plan\.json at \/resource_drift: /)
    }
  })

  it('an unknown plan format major is exit 1 with TFD_ERR_PLAN_VERSION', () => {
    const r = scan(['--plan', plan('future-plan.json', { format_version: '2.0', prior_state: prior, resource_drift: [] })])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/TFD_ERR_PLAN_VERSION: future-plan\.json at \/format_version: /)
  })

  it('a plan without format_version is read with a warning on stderr (as --plan and as --live)', () => {
    const file = plan('unversioned-plan.json', { prior_state: prior, resource_drift: [drift] })
    const r = scan(['--plan', file, '--format', 'json'])
    expect(r.code, r.stderr).toBe(2)
    expect(JSON.parse(r.stdout).drifts).toHaveLength(1)
    expect(r.stderr).toMatch(/^warning: unversioned-plan\.json: the plan has no format_version/m)
    const live = scan(['--state', 'expected.tfstate', '--live', file, '--format', 'json'])
    expect(live.code, live.stderr).toBe(2)
    expect(live.stderr).toMatch(/^warning: unversioned-plan\.json: the plan has no format_version/m)
    expect(scan(['--plan', plan('versioned-plan.json', { format_version: '1.2', prior_state: prior, resource_drift: [drift] })]).stderr).toBe('')
  })

  it('a state nested 100,000 levels deep is exit 1 with TFD_ERR_STATE_INVALID and the limit, not a stack overflow', () => {
    const deep = state([resource('aws_instance', 'web', { id: 'i-1', deep: 'DEEP' })]).replace('"DEEP"', `${'['.repeat(100_000)}1${']'.repeat(100_000)}`)
    writeFileSync(join(work, 'deep.tfstate'), deep)
    for (const args of [['--state', 'deep.tfstate', '--live', 'same.tfstate'], ['--state', 'expected.tfstate', '--live', 'deep.tfstate']]) {
      const r = scan(args)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/TFD_ERR_STATE_INVALID: deep\.tfstate at \/resources\/0: the JSON nests deeper than 512 levels/)
      expect(r.stderr).not.toMatch(/call stack/)
    }
  })

  it('a FIFO or a directory where a file is expected is named for what it is, coded, and never opened (no hang)', () => {
    const fifo = join(work, 'state.fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    // No writer ever opens the FIFO: reading it would block forever, so a short timeout proves it is not read.
    const quick = (args: string[]) => {
      const r = spawnSync(process.execPath, [tsx, join(root, 'engine', 'cli', 'main.ts'), 'scan', ...args], { cwd: work, encoding: 'utf8', timeout: 20_000 })
      return { code: r.status, stderr: r.stderr }
    }
    for (const args of [['--state', 'state.fifo', '--live', 'same.tfstate'], ['--state', 'expected.tfstate', '--live', 'state.fifo'], ['--plan', 'state.fifo']]) {
      const r = quick(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1)
      expect(r.stderr).toMatch(/TFD_ERR_SCAN_INPUT: state\.fifo: is a FIFO \(named pipe\), not a regular file/)
    }
    const ignore = quick(['--state', 'expected.tfstate', '--live', 'same.tfstate', '--ignore-file', 'state.fifo'])
    expect(ignore.code).toBe(1)
    expect(ignore.stderr).toMatch(/TFD_ERR_IGNORE_FILE: state\.fifo: is a FIFO \(named pipe\), not a regular file/)
    const dir = quick(['--plan', '.'])
    expect(dir.code).toBe(1)
    expect(dir.stderr).toMatch(/TFD_ERR_SCAN_INPUT: \.: is a directory/)
  })
})
