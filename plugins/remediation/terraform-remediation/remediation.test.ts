import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { type Drift, type RemediationPlan, type PipelineItem, parseAddress, hclString, hclValue, shellQuote, toPlan, type PlanOptions } from 'tfdrift'
import { MemoryStore, validateEventPublication, testContext } from 'tfdrift/testing'
import plugin from './index.ts'

const OPTS: PlanOptions = { mode: 'propose', auto_approve_below: 'medium', missing: 'removed', modified: 'revert' }
const NOW = '2026-11-22T10:00:00.000Z'
const drift = (over: Partial<Drift>): Drift => ({
  id: 'd1', kind: 'modified', type: 'aws_instance', provider: 'aws', severity: 'medium', detected_at: NOW, status: 'open', ...over,
})
const plan = (d: Partial<Drift>, o: Partial<PlanOptions> = {}) => toPlan(drift(d), { ...OPTS, ...o }, 'p1', NOW)
/** What a POSIX shell makes of a word: proves the quoting survives any address. */
const throughShell = (word: string) => execFileSync('sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' })

describe('unmanaged → import', () => {
  it('writes an import block named after the id, and no resource block (-generate-config-out writes it)', () => {
    const p = plan({ kind: 'unmanaged', resource_id: 'i-0a1b2c3d4e5f60718', actor: { user: 'bob.kowalski', event_name: 'RunInstances', source_ip: '198.51.100.77' } })
    expect(p).toMatchObject({ strategy: 'import', status: 'proposed', drift_id: 'd1', created_at: NOW })
    expect(p.content).toContain('import {\n  to = aws_instance.i_0a1b2c3d4e5f60718\n  id = "i-0a1b2c3d4e5f60718"\n}')
    // A resource block beside the import would stop -generate-config-out from writing the configuration.
    expect(p.content).not.toMatch(/^resource /m)
    expect(p.content).toContain('# Changed by bob.kowalski (RunInstances from 198.51.100.77).')
    expect(p.content).toContain('terraform plan -generate-config-out=generated.tf')
    expect(() => parseAddress('aws_instance.i_0a1b2c3d4e5f60718')).not.toThrow()
    const regional = plan({ kind: 'unmanaged', resource_id: 'i-0abc', arn: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc' })
    expect(regional.content).toContain('# It lives in eu-west-1: add `provider = aws.<alias for eu-west-1>` to the import block')
    expect(plan({ kind: 'unmanaged', type: 'aws_s3_bucket', resource_id: 'b', arn: 'arn:aws:s3:::b' }).content).not.toContain('It lives in')
  })

  it('names composite import-id formats and keeps odd ids valid HCL', () => {
    const p = plan({ kind: 'unmanaged', type: 'aws_iam_role_policy_attachment', resource_id: 'app-role-20251101120000000000000001' })
    expect(p.content).toContain('Import id format for aws_iam_role_policy_attachment: <role-name>/<policy-arn>.')
    const composite = plan({ kind: 'unmanaged', type: 'aws_iam_role_policy_attachment', resource_id: 'app-role/arn:aws:iam::aws:policy/ReadOnlyAccess' })
    expect(composite.content).toContain('to = aws_iam_role_policy_attachment.app_role_readonlyaccess\n  id = "app-role/arn:aws:iam::aws:policy/ReadOnlyAccess"')
    expect(composite.content).not.toContain('Import id format')
    const weird = plan({ kind: 'unmanaged', type: 'aws_s3_bucket', resource_id: '9lives"${bucket}' })
    expect(weird.content).toContain('id = "9lives\\"$${bucket}"')
    expect(weird.content).toMatch(/to = aws_s3_bucket\.r_9lives_bucket\n/)
  })
})

describe('missing → removed / state rm / recreate', () => {
  it('uses a removed block with destroy = false for an unkeyed address', () => {
    const p = plan({ kind: 'missing', type: 'aws_s3_bucket', address: 'module.audit.aws_s3_bucket.logs', resource_id: 'acme-logs' })
    expect(p.strategy).toBe('removed')
    expect(p.content).toContain('removed {\n  from = module.audit.aws_s3_bucket.logs\n\n  lifecycle {\n    destroy = false\n  }\n}')
  })

  it('falls back to terraform state rm for one instance of a keyed module or resource, quoting string keys for HCL and the shell', () => {
    const address = `module.prod.module.service["pay'me\\"nts"].aws_s3_bucket.assets[0]`
    const p = plan({ kind: 'missing', type: 'aws_s3_bucket', address, resource_id: 'acme-assets' })
    expect(p.strategy).toBe('command')
    expect(p.content).not.toContain('removed {')
    const rm = /terraform state rm (.+)/.exec(p.content)![1]!
    expect(throughShell(rm)).toBe(address)
    expect(parseAddress(throughShell(rm))).toMatchObject({ type: 'aws_s3_bucket', name: 'assets', index_key: 0, modules: [{ name: 'prod' }, { name: 'service', key: `pay'me"nts` }] })
    expect(p.content).toMatch(/terraform apply -target=/)
  })

  it('recreates on request', () => {
    const p = plan({ kind: 'missing', address: 'aws_instance.web["blue"]', resource_id: 'i-0abc' }, { missing: 'recreate' })
    expect(p.strategy).toBe('command')
    const target = /terraform apply -target=(.+)/.exec(p.content)![1]!
    expect(throughShell(target)).toBe('aws_instance.web["blue"]')
  })
})

describe('modified → revert / accept', () => {
  const changes = [
    { path: 'instance_type', expected: 'm6i.large', actual: 't3.2xlarge', sensitive: false },
    { path: 'tags.CostCenter', expected: null, actual: 'cc-4821', sensitive: false },
    { path: 'password', expected: 'old-Secret-123', actual: 'new-Secret-456', sensitive: true },
    { path: 'environment.0.variables.API_TOKEN', expected: 'tok-aaa', actual: 'tok-bbb', sensitive: false },
  ]

  it('reverts with a targeted apply and lists the diff, never the sensitive values', () => {
    const p = plan({ address: 'module.prod.module.service["payments-ew1"].aws_instance.app[2]', resource_id: 'i-0abc', changes, actor: { user: 'alice@acme.example', event_name: 'ModifyInstanceAttribute' } })
    expect(p.strategy).toBe('revert')
    expect(p.content).toContain('#   instance_type: "m6i.large" → "t3.2xlarge"')
    expect(p.content).toContain('#   tags.CostCenter: null → "cc-4821"')
    expect(p.content).toContain('#   password: (sensitive) → (sensitive)')
    expect(p.content).toContain('# Changed by alice@acme.example (ModifyInstanceAttribute).')
    for (const secret of ['old-Secret-123', 'new-Secret-456', 'tok-aaa', 'tok-bbb']) {
      expect(p.content).not.toContain(secret)
      expect(p.summary).not.toContain(secret)
    }
    const target = /terraform apply -target=(.+)/.exec(p.content)![1]!
    expect(throughShell(target)).toBe('module.prod.module.service["payments-ew1"].aws_instance.app[2]')
  })

  it('accepts by writing the live values as configuration, escaping templates and masking secrets', () => {
    const p = plan({ address: 'aws_instance.web', changes: [...changes, { path: 'user_data', expected: 'a', actual: 'echo ${HOME} %{if}', sensitive: false }] }, { modified: 'accept' })
    expect(p.strategy).toBe('accept')
    expect(p.content).toContain('resource "aws_instance" "web" {')
    expect(p.content).toContain('  instance_type = "t3.2xlarge"')
    expect(p.content).toContain('  user_data = "echo $${HOME} %%{if}"')
    expect(p.content).toContain('  # password: changed to a sensitive value; set it from your secret store, never inline')
    expect(p.content).not.toMatch(/new-Secret-456|tok-bbb/)
  })
})

describe('secrets inside JSON strings (issue 11, defect 5)', () => {
  const conn = (host: string) => JSON.stringify({ host, password: 'S1-plan-pw' })
  const raw = [{ path: 'connection_info', expected: conn('db-old'), actual: conn('db-new'), sensitive: false }]
  // What the drift analyzer publishes: the shape kept, the secret masked inside.
  const masked = [{ path: 'connection_info', expected: '{"host":"db-old","password":"(sensitive)"}', actual: '{"host":"db-new","password":"(sensitive)"}', sensitive: false }]

  it('lists the change with its secret masked and the rest readable, whether or not the drift came masked', () => {
    for (const changes of [raw, masked]) {
      const p = plan({ address: 'aws_db_instance.main', changes })
      expect(p.content).not.toContain('S1-plan-pw')
      expect(p.content).toContain('db-new')
      expect(p.content).toContain('(sensitive)')
    }
  })

  it('never writes a masked document as configuration (it would set the secret to the mask)', () => {
    for (const changes of [raw, masked]) {
      const p = plan({ address: 'aws_db_instance.main', changes }, { modified: 'accept' })
      expect(p.content).not.toContain('S1-plan-pw')
      expect(p.content).not.toMatch(/^ {2}connection_info = /m)
      expect(p.content).toContain('  # connection_info: holds secrets (masked here); set it from your secret store, never inline')
    }
  })
})

describe('approval mode', () => {
  it('auto-approves drifts less severe than the threshold and proposes the rest', () => {
    const auto = { mode: 'auto_approve' as const, auto_approve_below: 'medium' as const }
    expect(plan({ kind: 'missing', address: 'aws_s3_bucket.a', severity: 'low' }, auto)).toMatchObject({ status: 'approved', decided_by: 'tfdrift:auto-approve', decided_at: NOW })
    expect(plan({ kind: 'missing', address: 'aws_s3_bucket.a', severity: 'medium' }, auto).status).toBe('proposed')
    expect(plan({ kind: 'missing', address: 'aws_s3_bucket.a', severity: 'info' }).status).toBe('proposed')
  })
})

describe('hcl helpers', () => {
  it('renders literals', () => {
    expect(hclString('a"b\\c${d}')).toBe('"a\\"b\\\\c$${d}"')
    expect(hclValue({ Name: 'x', 'kubernetes.io/role': 'y', list: [1, true, null] })).toBe('{\n  Name = "x"\n  "kubernetes.io/role" = "y"\n  list = [\n    1,\n    true,\n    null,\n  ]\n}')
    expect(throughShell(shellQuote("it's"))).toBe("it's")
  })
})

describe('terraform-remediation operator', () => {
  it('emits one remediation.proposed per new plan, skips identical updates and other items', async () => {
    const { operator } = await plugin.create(testContext(), {})
    const d = drift({ kind: 'modified', address: 'aws_instance.web', changes: [{ path: 'instance_type', expected: 'a', actual: 'b', sensitive: false }] })
    const items: PipelineItem[] = [
      { type: 'snapshot', data: { kind: 'observed' } },
      { type: 'drift.detected', topic: 'drifts', data: d },
      { type: 'drift.updated', topic: 'drifts', data: { ...d, status: 'acknowledged' } },
      { type: 'drift.updated', topic: 'drifts', data: { ...d, changes: [{ path: 'instance_type', expected: 'a', actual: 'c', sensitive: false }] } },
      { type: 'drift.resolved', topic: 'drifts', data: { ...d, status: 'resolved' } },
      { type: 'drift.detected', topic: 'drifts', data: { ...d, id: 'd2', kind: 'unmanaged', resource_id: 'i-0abc' } },
      { type: 'drift.detected', topic: 'drifts', data: { bogus: true } },
    ]
    const out = await lastValueFrom(from(items).pipe(operator, toArray()))
    // The replaced plan and then the resolved drift's plan become obsolete, once the store has recorded it.
    expect(out.map((o) => [o.type, o.topic, (o.data as RemediationPlan).drift_id, (o.data as RemediationPlan).status, (o.data as RemediationPlan).decided_by])).toEqual([
      ['remediation.proposed', 'remediations', 'd1', 'proposed', undefined],
      ['remediation.proposed', 'remediations', 'd1', 'proposed', undefined],
      ['remediation.proposed', 'remediations', 'd2', 'proposed', undefined],
      ['remediation.obsoleted', 'remediations', 'd1', 'obsolete', 'tfdrift:superseded'],
      ['remediation.obsoleted', 'remediations', 'd1', 'obsolete', 'tfdrift:drift-resolved'],
    ])
    expect(out[3]!.data).toMatchObject({ id: (out[0]!.data as RemediationPlan).id })
    expect(out[4]!.data).toMatchObject({ id: (out[1]!.data as RemediationPlan).id })
    expect(new Set(out.map((o) => (o.data as RemediationPlan).id)).size).toBe(3)
  })

  it('remembers its plans across a restart: a decided plan is not proposed again; a plan proposed before the restart becomes obsolete when its drift resolves', async () => {
    const store = new MemoryStore()
    const d1 = drift({ kind: 'modified', address: 'aws_instance.web', changes: [{ path: 'instance_type', expected: 'a', actual: 'b', sensitive: false }] })
    const d2 = drift({ id: 'd2', kind: 'unmanaged', resource_id: 'i-0abc' })
    const run = async (items: PipelineItem[]) => {
      const { operator } = await plugin.create(testContext({ store }), {})
      const out = await lastValueFrom(from(items).pipe(operator, toArray()))
      // What the engine's store writer does with the proposals.
      await store.saveRemediations('acme', out.filter((o) => o.type === 'remediation.proposed').map((o) => o.data as RemediationPlan))
      return out
    }
    const first = await run([{ type: 'drift.detected', data: d1 }, { type: 'drift.detected', data: d2 }])
    await store.decideRemediation('acme', (first[0]!.data as RemediationPlan).id, 'rejected', 'carol')

    const second = await run([{ type: 'drift.updated', data: d1 }, { type: 'drift.updated', data: d2 }, { type: 'drift.resolved', data: { ...d2, status: 'resolved' } }])
    expect(second.map((o) => [o.type, (o.data as RemediationPlan).id])).toEqual([['remediation.obsoleted', (first[1]!.data as RemediationPlan).id]])
    expect((await store.getRemediation('acme', (first[0]!.data as RemediationPlan).id))?.status).toBe('rejected')
  })

  it('forwards input items too with passthrough', async () => {
    const { operator } = await plugin.create(testContext(), { passthrough: true })
    const out = await lastValueFrom(from([{ type: 'drift.detected', topic: 'drifts' as const, data: drift({ address: 'aws_instance.x' }) }]).pipe(operator, toArray()))
    expect(out.map((o) => o.type)).toEqual(['drift.detected', 'remediation.proposed'])
  })
})

describe('verification of approved plans (manual clock)', () => {
  const settle = () => new Promise((r) => setTimeout(r, 20))
  it('applied when the drift resolves after approval; failed when it persists past verify_within; undecided plans are left alone', async () => {
    const ctx = testContext()
    // The store records approvals on the same manual clock.
    const store = new MemoryStore({ clock: ctx.clock })
    ;(ctx as unknown as { store: MemoryStore }).store = store
    const { operator } = await plugin.create(ctx, { verify_within: '1h' })
    const input = new Subject<PipelineItem>()
    const out: PipelineItem[] = []
    operator(input).subscribe((o) => out.push(o))
    const fixed = drift({ id: 'fixed', address: 'aws_instance.a', changes: [{ path: 'instance_type', expected: 'a', actual: 'b', sensitive: false }] })
    const stuck = drift({ id: 'stuck', address: 'aws_instance.b', changes: [{ path: 'instance_type', expected: 'a', actual: 'b', sensitive: false }] })
    const pending = drift({ id: 'pending', address: 'aws_instance.c', changes: [{ path: 'instance_type', expected: 'a', actual: 'b', sensitive: false }] })
    for (const d of [fixed, stuck, pending]) input.next({ type: 'drift.detected', topic: 'drifts', data: d })
    await store.saveDrifts('acme', [fixed, stuck, pending])
    const proposed = out.filter((o) => o.type === 'remediation.proposed').map((o) => o.data as RemediationPlan)
    await store.saveRemediations('acme', proposed)
    const planOf = (id: string) => proposed.find((p) => p.drift_id === id)!.id
    await store.decideRemediation('acme', planOf('fixed'), 'approved', 'alice')
    await store.decideRemediation('acme', planOf('stuck'), 'approved', 'alice')

    // A later snapshot: `fixed` is gone, `stuck` persists — before the deadline only `fixed` is settled.
    ctx.clock.advance(30 * 60_000)
    await store.saveDrifts('acme', [{ ...fixed, status: 'resolved' }])
    input.next({ type: 'drift.resolved', topic: 'drifts', data: { ...fixed, status: 'resolved' } })
    await settle()
    expect(out.filter((o) => o.type.startsWith('remediation.') && o.type !== 'remediation.proposed').map((o) => [o.type, (o.data as RemediationPlan).drift_id]))
      .toEqual([['remediation.applied', 'fixed']])
    expect(await store.getRemediation('acme', planOf('fixed'))).toMatchObject({ status: 'applied', decided_by: 'alice' })
    expect((await store.getRemediation('acme', planOf('stuck')))!.status).toBe('approved')

    // Past the deadline, the next snapshot still shows `stuck`: failed, with the reason. `pending` was never approved.
    ctx.clock.advance(31 * 60_000)
    input.next({ type: 'drift.updated', topic: 'drifts', data: stuck })
    await settle()
    const failed = out.find((o) => o.type === 'remediation.failed')
    expect(failed?.topic).toBe('remediations')
    expect(failed?.data).toMatchObject({ drift_id: 'stuck', status: 'failed', decided_by: 'alice', reason: expect.stringMatching(/still open 1h after approval/) })
    expect((await store.getRemediation('acme', planOf('stuck')))!.status).toBe('failed')
    expect((await store.getRemediation('acme', planOf('pending')))!.status).toBe('proposed')
    // What the engine publishes them as matches schemas/events/remediation.applied|failed.schema.json.
    for (const o of out.filter((x) => x.type === 'remediation.applied' || x.type === 'remediation.failed')) {
      expect(validateEventPublication({ topic: o.topic!, type: o.type, tenant: 'acme', data: o.data }), o.type).toEqual({ ok: true })
    }
    expect(validateEventPublication({ topic: 'remediations', type: 'remediation.failed', tenant: 'acme', data: { ...(failed!.data as object), reason: undefined } }).ok).toBe(false)
    // Settled once: a later resolution of `stuck` changes nothing.
    input.next({ type: 'drift.resolved', topic: 'drifts', data: { ...stuck, status: 'resolved' } })
    await settle()
    expect(out.filter((o) => o.type === 'remediation.applied' || o.type === 'remediation.failed')).toHaveLength(2)
    input.complete()
  })

  it('rejects a verify_within it cannot read', async () => {
    await expect(plugin.create(testContext(), { verify_within: 'soon' })).rejects.toMatchObject({ code: 'TFD_ERR_PLUGIN_OPTIONS' })
  })
})
