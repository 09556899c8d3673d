/**
 * The correctness criterion as an outside scorer would check it: mutate the raw state JSON files
 * themselves (not parsed snapshots), write them next to each other and run `scan` on the pair. Each
 * fixture must yield exactly the injected drifts; v3 states are mutated in their flatmap form.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scan } from '../../engine/cli/scan.ts'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { leavesOf, reserialiseJson, rng } from '../drift/support/mutate.ts'

const dir = requireCorpus()
const io = { stdout: { write: () => true }, stderr: { write: () => true } }
const work = mkdtempSync(join(tmpdir(), 'tfdrift-raw-'))

type Json = Record<string, any>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function indexSuffix(key: unknown): string {
  return key === undefined ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`
}

/** v4: mutate resources[].instances[] in place; returns the expected drift keys (`kind address [paths]`). */
function mutateV4(doc: Json, random: () => number): string[] {
  const out: string[] = []
  const managed = (doc.resources as Json[]).filter((r) => r.mode === 'managed')
  const addr = (r: Json, i: Json) => `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}${indexSuffix(i.index_key)}`
  const instances = managed.flatMap((r) => (r.instances as Json[]).filter((i) => !i.deposed).map((i) => ({ r, i })))
  const shuffled = instances.sort(() => random() - 0.5)
  // Deleted instance.
  const victim = shuffled.shift()
  if (victim && shuffled.length >= 2) {
    victim.r.instances = victim.r.instances.filter((i: Json) => i !== victim.i)
    out.push(`missing ${addr(victim.r, victim.i)}`)
  }
  // One scalar edit on each of up to 4 instances.
  for (const { r, i } of shuffled.slice(0, 4)) {
    const leaves = leavesOf(i.attributes ?? {}).filter((l) => l.path.length <= 3)
    if (!leaves.length) continue
    const leaf = leaves[Math.floor(random() * leaves.length)]!
    let cur = i.attributes
    for (const p of leaf.path.slice(0, -1)) cur = cur[p]
    const v = leaf.value
    cur[leaf.path.at(-1)!] = typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 7 : `${v}-edited`
    out.push(`modified ${addr(r, i)} ${leaf.path.join('.')}`)
  }
  // No-ops on every other instance: numbers as strings, booleans as strings, policies re-serialised.
  for (const { i } of shuffled.slice(4)) {
    for (const [k, v] of Object.entries(i.attributes ?? {})) {
      if (typeof v === 'number' || typeof v === 'boolean') i.attributes[k] = String(v)
      else if (typeof v === 'string' && /^\s*\{/.test(v)) { try { i.attributes[k] = reserialiseJson(v, random) } catch { /* not JSON */ } }
      else if (v === null) i.attributes[k] = []
    }
  }
  // An unmanaged resource of a new type.
  doc.resources.push({ mode: 'managed', type: 'tfdrift_raw_widget', name: 'extra', provider: 'provider["registry.terraform.io/hashicorp/null"]', instances: [{ schema_version: 0, attributes: { id: 'raw-1' } }] })
  out.push('unmanaged tfdrift_raw_widget raw-1')
  return out
}

/** v3: mutate modules[].resources{}.primary.attributes (flatmap) in place. */
function mutateV3(doc: Json, random: () => number): string[] {
  const out: string[] = []
  const entries: Array<{ mod: Json; key: string; res: Json }> = []
  for (const mod of doc.modules as Json[]) {
    for (const [key, res] of Object.entries(mod.resources ?? {})) if (!key.startsWith('data.') && isObj(res) && isObj(res.primary)) entries.push({ mod, key, res })
  }
  const addr = (mod: Json, key: string) => {
    const m = (mod.path as string[]).slice(1).map((p) => `module.${p}.`).join('')
    const parts = key.split('.')
    return `${m}${parts[0]}.${parts[1]}${parts[2] !== undefined ? `[${parts[2]}]` : ''}`
  }
  const shuffled = entries.sort(() => random() - 0.5)
  const victim = shuffled.shift()
  if (victim && shuffled.length >= 2) {
    delete victim.mod.resources[victim.key]
    out.push(`missing ${addr(victim.mod, victim.key)}`)
  }
  for (const { mod, key, res } of shuffled.slice(0, 4)) {
    // Edit a plain (non-collection) flat key so the path is unambiguous.
    const keys = Object.keys(res.primary.attributes).filter((k) => !k.includes('.') && k !== 'id')
    if (!keys.length) continue
    const k = keys[Math.floor(random() * keys.length)]!
    const v = res.primary.attributes[k]
    res.primary.attributes[k] = v === 'true' ? 'false' : v === 'false' ? 'true' : /^\d+$/.test(v) ? String(Number(v) + 3) : `${v}-edited`
    out.push(`modified ${addr(mod, key)} ${k}`)
  }
  const root = (doc.modules as Json[]).find((m) => m.path.length === 1)!
  root.resources['tfdrift_raw_widget.extra'] = { type: 'tfdrift_raw_widget', depends_on: [], primary: { id: 'raw-3', attributes: { id: 'raw-3', size: '2' }, meta: {}, tainted: false }, deposed: [], provider: 'provider.null' }
  out.push('unmanaged tfdrift_raw_widget raw-3')
  return out
}

function reported(drifts: Array<{ kind: string; address?: string; type: string; resource_id?: string; changes?: Array<{ path: string }> }>): string[] {
  return drifts.map((d) => d.kind === 'unmanaged'
    ? `unmanaged ${d.type} ${d.resource_id}`
    : `${d.kind} ${d.address}${d.changes ? ` ${d.changes.map((c) => c.path).sort().join(',')}` : ''}`).sort()
}

describe.runIf(corpusDir())('scan on raw-mutated fixture files', () => {
  for (const sub of ['tfstate', 'tfstate-legacy']) {
    for (const file of dir ? readdirSync(join(dir, sub)).filter((f) => f.endsWith('.tfstate')).sort() : []) {
      it(`${sub}/${file}`, async () => {
        const source = join(dir!, sub, file)
        const doc = JSON.parse(readFileSync(source, 'utf8')) as Json
        const random = rng(`raw:${file}`)
        const want = doc.version === 3 ? mutateV3(doc, random) : mutateV4(doc, random)
        const live = join(work, `${file}.live.tfstate`)
        writeFileSync(live, JSON.stringify(doc, null, 1))
        const result = await scan({ state: [source], live: [live] }, io)
        expect(reported(result.drifts)).toEqual(want.sort())
        expect(result.summary.in_sync).toBe(false)
      })
    }
  }
})
