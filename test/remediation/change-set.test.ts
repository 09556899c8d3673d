/**
 * Change sets over the real fixture states (TFDRIFT_CORPUS): every step comes after what it depends on
 * (deletions: before), the Terraform files are `terraform fmt -check`-clean (a real HCL parser and
 * formatter) when a terraform binary is on PATH, the shell scripts pass `sh -n`, and no sensitive
 * value of the state is written.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildGraph, type ResourceGraph } from '../../engine/graph/index.ts'
import type { Drift, ResourceInstance, Snapshot } from '../../engine/model.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { buildChangeSet, type ChangeSet } from '../../engine/remediation/change-set.ts'
import { formatHcl, hclString, hclValue } from '../../engine/remediation/hcl.ts'
import { isSensitivePath } from '../../engine/drift/mask.ts'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { binaryPath, hasBinary } from '../support/system.ts'

const dir = requireCorpus()
const terraform = hasBinary('terraform')
const tmp = mkdtempSync(join(tmpdir(), 'tfdrift-change-set-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** `terraform fmt -check` over the HCL of `files` (accept-edits.hcl checked as a .tf file); returns fmt's exit status and output. */
function fmtCheck(name: string, files: Array<{ path: string; content: string }>): { status: number; output: string } {
  const at = mkdtempSync(join(tmp, `${name.replace(/[^A-Za-z0-9]/g, '_').slice(0, 40)}-`))
  for (const f of files) if (/\.(tf|hcl)$/.test(f.path)) writeFileSync(join(at, f.path.replace(/\.hcl$/, '.tf')), f.content)
  const r = spawnSync(binaryPath('terraform'), ['fmt', '-check', '-diff', '-no-color', at], { encoding: 'utf8' })
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` }
}

/** Every node `id` reaches through dependencies (transitively). */
function reach(graph: ResourceGraph, id: string): Set<string> {
  const seen = new Set<string>()
  const stack = [id]
  while (stack.length) for (const d of graph.dependencies.get(stack.pop()!) ?? []) if (!seen.has(d)) { seen.add(d); stack.push(d) }
  return seen
}

/** Drifts over a state: about a third of its managed instances missing, a third modified (a string argument and a tag), and unmanaged objects that reference managed ones. */
function driftsFor(snapshot: Snapshot): { drifts: Drift[]; live: Map<string, ResourceInstance> } {
  const drifts: Drift[] = []
  const live = new Map<string, ResourceInstance>()
  const managed = snapshot.resources.filter((r) => r.mode === 'managed' && !r.deposed)
  managed.forEach((r, i) => {
    const base = { id: `d${i}`, type: r.type, provider: r.provider, severity: 'medium' as const, detected_at: '2026-11-22T10:00:00.000Z', status: 'open' as const, address: r.address, ...(r.resource_id ? { resource_id: r.resource_id } : {}) }
    if (i % 3 === 0) drifts.push({ ...base, kind: 'missing' })
    if (i % 3 === 1) {
      const arg = Object.entries(r.attributes).find(([k, v]) => typeof v === 'string' && k !== 'id' && !/arn|password|secret|token|key/i.test(k))?.[0]
      const changes = arg ? [{ path: arg, expected: r.attributes[arg], actual: `changed "quoted" \${var.x} %{if} \\ ${i}\nline two`, sensitive: isSensitivePath([arg], r.sensitive_paths) }] : []
      const attributes: Record<string, unknown> = { ...r.attributes, ...(arg ? { [arg]: changes[0]!.actual } : {}) }
      if (r.attributes.tags && typeof r.attributes.tags === 'object') {
        attributes.tags = { ...(r.attributes.tags as object), 'Owner/Team': 'platform "core"' }
        changes.push({ path: 'tags.Owner/Team', expected: null as never, actual: 'platform "core"', sensitive: false })
      }
      drifts.push({ ...base, kind: 'modified', changes })
      live.set(r.address, { ...r, attributes })
    }
  })
  // Unmanaged objects naming managed ones (by their ids): imported after them.
  managed.filter((r) => r.resource_id).slice(0, 5).forEach((r, i) => {
    const d: Drift = { id: `u${i}`, kind: 'unmanaged', type: 'aws_instance', provider: 'aws', resource_id: `i-unmanaged${i}`, severity: 'low', detected_at: '2026-11-22T10:00:00.000Z', status: 'open' }
    drifts.push(d)
    live.set(`aws_instance\u0000i-unmanaged${i}`, { address: '', mode: 'managed', type: 'aws_instance', name: '', provider: 'aws', resource_id: `i-unmanaged${i}`, attributes: { subnet_id: r.resource_id } })
  })
  return { drifts, live }
}

function build(snapshot: Snapshot, mode: 'revert' | 'accept'): { set: ChangeSet; graph: ResourceGraph; drifts: Drift[] } {
  const graph = buildGraph([snapshot])
  const { drifts, live } = driftsFor(snapshot)
  const set = buildChangeSet({
    id: 'cs1', mode, created_at: '2026-11-22T10:00:00.000Z', created_by: 'tester', drifts, graph,
    live: (d) => live.get(d.address || `${d.type}\u0000${d.resource_id}`),
  })
  return { set, graph, drifts }
}

/** Sensitive string values of the state (at its sensitive paths), long enough to be recognisable. */
function secrets(snapshot: Snapshot): string[] {
  const out: string[] = []
  for (const r of snapshot.resources) {
    for (const path of r.sensitive_paths ?? []) {
      let v: unknown = r.attributes
      for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined
      const collect = (x: unknown): void => {
        if (typeof x === 'string' && x.length >= 8) out.push(x)
        else if (x && typeof x === 'object') Object.values(x).forEach(collect)
      }
      collect(v)
    }
  }
  return out
}

const states = dir ? readdirSync(join(dir, 'tfstate')).filter((f) => f.endsWith('.tfstate')).sort() : []

describe.runIf(corpusDir())('change sets over the fixture states', () => {
  it('covers the corpus', () => expect(states.length).toBeGreaterThan(10))

  for (const file of states) {
    it(`${file}: dependency order, fmt-clean HCL, valid shell, no secrets`, () => {
      const snapshot = parseState(readFileSync(join(dir!, 'tfstate', file)), { source: file })
      for (const mode of ['revert', 'accept'] as const) {
        const { set, graph, drifts } = build(snapshot, mode)
        expect(set.steps.length + set.skipped.length).toBe(drifts.length)
        const position = new Map(set.steps.map((s) => [s.address, s.order]))
        const deletion = (a: string) => a === 'removed' || a === 'state_rm'
        // Every creation/update after what it depends on, every deletion before it (mutual reachability = a cycle: no order exists).
        let checked = 0
        for (const step of set.steps) {
          if (step.kind === 'unmanaged') continue
          const deps = reach(graph, step.address)
          for (const other of set.steps) {
            if (other === step || other.kind === 'unmanaged' || !deps.has(other.address) || reach(graph, other.address).has(step.address)) continue
            if (deletion(step.action) !== deletion(other.action)) continue
            checked++
            if (deletion(step.action)) expect(step.order, `${step.address} is deleted before ${other.address}, which it depends on`).toBeLessThan(other.order)
            else expect(step.order, `${step.address} comes after ${other.address}, which it depends on`).toBeGreaterThan(other.order)
          }
        }
        // Deletions first, then the rest; unmanaged imports after the managed objects they reference.
        const firstOther = set.steps.findIndex((s) => !deletion(s.action))
        expect(set.steps.slice(firstOther === -1 ? set.steps.length : firstOther).every((s) => !deletion(s.action))).toBe(true)
        for (const step of set.steps.filter((s) => s.kind === 'unmanaged')) {
          for (const dep of step.depends_on) expect(step.order).toBeGreaterThan(position.get(dep)!)
        }
        if (terraform) {
          const fmt = fmtCheck(`${file}-${mode}`, set.files)
          expect(fmt, fmt.output).toMatchObject({ status: 0 })
        }
        for (const f of set.files.filter((x) => x.path.endsWith('.sh'))) {
          const r = spawnSync('sh', ['-n'], { input: f.content, encoding: 'utf8' })
          expect(r.status, `${f.path}: ${r.stderr}`).toBe(0)
        }
        const all = set.files.map((f) => f.content).join('\n')
        for (const secret of secrets(snapshot)) expect(all.includes(secret), `a sensitive value of ${file} was written`).toBe(false)
        expect(all).not.toMatch(/<<-?[A-Z]/) // heredoc-free
        if (mode === 'accept' && set.steps.some((s) => s.action === 'accept')) expect(all).toContain('$${var.x} %%{if}')
        void checked
      }
    })
  }

  it('orders a chain the way the graph says (a dependency chain, reversed for deletions)', () => {
    const r = (name: string, deps: string[] = []): ResourceInstance => ({ address: `aws_x.${name}`, mode: 'managed', type: 'aws_x', name, provider: 'aws', resource_id: `id-${name}`, attributes: { id: `id-${name}` }, dependencies: deps })
    // c → b → a (c depends on b, b on a), plus an unrelated z.
    const snapshot: Snapshot = { kind: 'expected', source: 's', taken_at: '2026-01-01T00:00:00Z', resources: [r('c', ['aws_x.b']), r('z'), r('b', ['aws_x.a']), r('a')] }
    const graph = buildGraph([snapshot], { inferReferences: false })
    const d = (id: string, name: string, kind: Drift['kind']): Drift => ({ id, kind, address: `aws_x.${name}`, type: 'aws_x', provider: 'aws', resource_id: `id-${name}`, severity: 'low', detected_at: '2026-01-01T00:00:00Z', status: 'open', changes: [] })
    const set = buildChangeSet({ id: 'x', mode: 'revert', created_at: '2026-01-01T00:00:00Z', created_by: 't', graph,
      drifts: [d('1', 'c', 'modified'), d('2', 'a', 'modified'), d('3', 'b', 'modified'), d('4', 'c', 'missing'), d('5', 'a', 'missing')] })
    expect(set.steps.map((s) => `${s.action} ${s.address}`)).toEqual(['removed aws_x.c', 'removed aws_x.a', 'revert aws_x.a', 'revert aws_x.b', 'revert aws_x.c'])
    expect(set.steps.find((s) => s.drift_id === '3')!.depends_on).toEqual(['aws_x.a'])
    const revert = set.files.find((f) => f.path === 'revert.sh')!.content
    expect(revert.indexOf("-target='aws_x.a'")).toBeLessThan(revert.indexOf("-target='aws_x.c'"))
  })
})

describe('HCL encoding', () => {
  it('escapes every string HCL would misread and aligns like terraform fmt', () => {
    expect(hclString('a"b\\c${d}%{e}\n\t\b\f')).toBe('"a\\"b\\\\c$${d}%%{e}\\n\\t\\u0008\\u000c"')
    expect(hclValue({ for: 1, 'a.b': [] })).toBe('{\n  "for" = 1\n  "a.b" = []\n}')
    expect(formatHcl('x {\n  a = 1\n  long_name = "="\n  m = {\n    k = 1\n    kk = [1]\n  }\n  z = 2\n}'))
      .toBe('x {\n  a         = 1\n  long_name = "="\n  m = {\n    k  = 1\n    kk = [1]\n  }\n  z = 2\n}')
  })

  it.runIf(terraform)('terraform fmt agrees with the encoder on tricky values, and the check catches a misaligned file', () => {
    const values: unknown[] = ['', 'a"b', 'x${y}z', '%{ if }', 'line1\nline2', 'tab\tbs\\', '\u0001\u007f', 'ünïcode ✓', 1.5, -3, 1e21, true, null, [], {}, [1, 'two', [3]], { 'key with space': { nested: ['v'] }, plain: 'p', for: 'kw' }]
    const body = values.map((v, i) => `  v${i} = ${hclValue(v, '  ')}`).join('\n')
    const good = fmtCheck('values', [{ path: 'values.tf', content: `${formatHcl(`locals {\n${body}\n}`)}\n` }])
    expect(good, good.output).toMatchObject({ status: 0 })
    const bad = fmtCheck('misaligned', [{ path: 'bad.tf', content: 'locals {\n  a = 1\n  long = 2\n}\n' }])
    expect(bad.status).not.toBe(0)
    // And terraform reads the values back as written.
    const at = mkdtempSync(join(tmp, 'console-'))
    writeFileSync(join(at, 'main.tf'), `${formatHcl(`locals {\n${body}\n}`)}\n`)
    const out = execFileSync(binaryPath('terraform'), ['console'], { cwd: at, input: 'base64encode(jsonencode([local.v1, local.v2, local.v3, local.v4, local.v5, local.v6, local.v7]))\n', encoding: 'utf8' })
    expect(JSON.parse(Buffer.from(JSON.parse(out.trim()), 'base64').toString('utf8'))).toEqual(['a"b', 'x${y}z', '%{ if }', 'line1\nline2', 'tab\tbs\\', '\u0001\u007f', 'ünïcode ✓'])
  })
})
