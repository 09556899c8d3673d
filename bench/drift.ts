/**
 * Drift analyzer benchmark (`npm run bench:drift`): diff 100,000 instances with 1% drift (goal < 1 s),
 * the same with every instance re-serialised (worst case: every instance takes the normalising path),
 * and the largest fixture state. Instances are built from the fixtures' real resource shapes when the
 * corpus is present (TFDRIFT_CORPUS or ../shared/fixtures), else from a few built-in shapes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { diffSnapshots } from '../engine/drift/compare.ts'
import type { ResourceInstance, Snapshot } from '../engine/model.ts'
import { parseState } from '../engine/terraform/state.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const corpus = process.env.TFDRIFT_CORPUS ?? join(root, '..', 'shared', 'fixtures')
const N = Number(process.env.BENCH_INSTANCES ?? 100_000)
const DRIFT_RATE = 0.01

function fixtureStates(): Array<{ file: string; snapshot: Snapshot; bytes: number }> {
  const dir = join(corpus, 'tfstate')
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.endsWith('.tfstate')).map((f) => {
    const file = join(dir, f)
    return { file: f, snapshot: parseState(readFileSync(file), { source: f }), bytes: statSync(file).size }
  })
}

const BUILTIN_SHAPES: ResourceInstance[] = [
  { address: 'aws_instance.web', mode: 'managed', type: 'aws_instance', name: 'web', provider: 'aws', attributes: { id: 'i-1', ami: 'ami-1', instance_type: 't3.micro', monitoring: false, tags: { Name: 'web', Env: 'prod' }, vpc_security_group_ids: ['sg-1', 'sg-2'], root_block_device: [{ volume_size: 8, encrypted: true }] } },
  { address: 'aws_security_group.sg', mode: 'managed', type: 'aws_security_group', name: 'sg', provider: 'aws', attributes: { id: 'sg-1', name: 'sg', ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }], egress: [], tags: {} } },
  { address: 'aws_iam_role.r', mode: 'managed', type: 'aws_iam_role', name: 'r', provider: 'aws', attributes: { id: 'r', assume_role_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' } },
]

function shapes(states: Array<{ snapshot: Snapshot }>): ResourceInstance[] {
  const out = states.flatMap((s) => s.snapshot.resources.filter((r) => r.mode === 'managed' && !r.deposed))
  return out.length ? out : BUILTIN_SHAPES
}

/** N instances cycling through real shapes, each with a unique address and cloud id. */
function synthesise(n: number, from: ResourceInstance[]): Snapshot {
  const resources: ResourceInstance[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const base = from[i % from.length]!
    const id = `bench-${i}`
    const module = `module.m${Math.floor(i / 1000)}`
    resources[i] = { ...base, module, index_key: i, address: `${module}.${base.type}.${base.name}[${i}]`, resource_id: id, attributes: { ...structuredClone(base.attributes), id } }
  }
  return { kind: 'expected', source: 'bench.tfstate', taken_at: new Date().toISOString(), resources }
}

/** Observed side: a clone with `rate` of instances drifted (60% modified, 20% missing, 20% unmanaged). */
function drift(expected: Snapshot, rate: number, restyle: boolean): { observed: Snapshot; injected: number } {
  const resources = expected.resources.map((r) => ({ ...r, attributes: restyle ? restyled(r.attributes) : structuredClone(r.attributes) }))
  const every = Math.round(1 / rate)
  const out: ResourceInstance[] = []
  let injected = 0
  resources.forEach((r, i) => {
    if (i % every !== 0) { out.push(r); return }
    injected++
    const pick = (i / every) % 5
    if (pick < 3) { out.push({ ...r, attributes: { ...r.attributes, tfdrift_bench: `changed-${i}` } }); return }
    if (pick === 3) return // deleted: missing
    out.push(r, { ...r, address: `${r.address}_extra`, resource_id: `extra-${i}`, attributes: { ...r.attributes, id: `extra-${i}` } })
  })
  return { observed: { ...expected, kind: 'observed', source: 'bench-live.tfstate', resources: out }, injected }
}

/** Every number as a string and every boolean as "true"/"false": no meaning changes, all representations do. */
function restyled(value: Record<string, unknown>): Record<string, unknown> {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    if (Array.isArray(v)) return v.map(visit)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]))
    return v
  }
  return visit(value) as Record<string, unknown>
}

/** Median wall and CPU time of `runs` runs, in ms (CPU time is the steadier figure on a shared machine). */
function time(runs: number, fn: () => unknown): { wall: number; cpu: number } {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage()
    const start = process.hrtime.bigint()
    fn()
    wall.push(Number(process.hrtime.bigint() - start) / 1e6)
    const d = process.cpuUsage(c)
    cpu.push((d.user + d.system) / 1000)
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return { wall: median(wall), cpu: median(cpu) }
}

/** A naive baseline (what a keyed JSON.stringify comparison costs): no normalisation, no attribute paths. */
function naive(expected: Snapshot, observed: Snapshot): number {
  const map = new Map(expected.resources.map((r) => [r.address, JSON.stringify(r.attributes)]))
  let n = 0
  for (const r of observed.resources) if (map.get(r.address) !== JSON.stringify(r.attributes)) n++
  return n
}

const rows: string[][] = []
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)

const states = fixtureStates()
const expected = synthesise(N, shapes(states))
for (const [label, restyle] of [['1% drift', false], ['1% drift, every instance re-serialised', true]] as const) {
  const { observed, injected } = drift(expected, DRIFT_RATE, restyle)
  let found = 0
  const ms = time(3, () => { found = diffSnapshots([expected], [observed]).drifts.length })
  const base = time(3, () => naive(expected, observed))
  rows.push([`diff ${N.toLocaleString('en')} instances, ${label}`, fmt(ms.wall), fmt(ms.cpu), fmt(base.wall), (ms.wall / base.wall).toFixed(2) + '×', restyle ? '—' : (ms.wall < 1000 ? 'met' : 'MISSED') + ' (< 1 s)', `${found}/${injected}`])
}

if (states.length) {
  const largest = [...states].sort((a, b) => b.bytes - a.bytes)[0]!
  const { observed, injected } = drift(largest.snapshot, 0.05, false)
  let found = 0
  const ms = time(50, () => { found = diffSnapshots([largest.snapshot], [observed]).drifts.length })
  const base = time(50, () => naive(largest.snapshot, observed))
  rows.push([`largest fixture ${largest.file.slice(0, 28)}… (${largest.snapshot.resources.length} inst, ${(largest.bytes / 1024).toFixed(0)} KiB)`, fmt(ms.wall), fmt(ms.cpu), fmt(base.wall), (ms.wall / base.wall).toFixed(2) + '×', '—', `${found}/${injected}`])
}

const header = ['case', 'tfdrift wall', 'tfdrift cpu', 'naive JSON compare (baseline)', 'ratio', 'goal', 'drifts found/injected']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')
console.log(`node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores, ${states.length ? `shapes from ${states.length} fixture states` : 'built-in shapes (no corpus)'}, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`)
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
for (const r of rows) console.log(line(r))
