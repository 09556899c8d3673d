/**
 * The correctness criterion: for every real state (v4 and legacy v3) and every plan with
 * resource_drift, an observed snapshot with known mutations yields EXACTLY the injected drifts —
 * no misses, no false positives — and semantic no-ops alone yield none.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { diffSnapshots } from '../../engine/drift/compare.ts'
import { MASK } from '../../engine/drift/mask.ts'
import type { Drift, Snapshot } from '../../engine/model.ts'
import { parsePlan } from '../../engine/terraform/plan.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { applyNoops, injectDrift, keyOf, noopKinds, rng, typeLegacyValues, type Injected } from './support/mutate.ts'

const dir = requireCorpus()

function files(sub: string, ext: RegExp): string[] {
  if (!dir) return []
  return readdirSync(join(dir, sub)).filter((f) => ext.test(f)).sort()
}

/** Drifts as comparable keys: `kind address` (`unmanaged type id`) → sorted changed paths. */
function reported(drifts: Drift[]): Map<string, string[] | undefined> {
  const out = new Map<string, string[] | undefined>()
  for (const d of drifts) {
    const key = keyOf(d.kind, d)
    expect(out.has(key), `drift reported twice: ${key}`).toBe(false)
    out.set(key, d.kind === 'modified' ? (d.changes ?? []).map((c) => c.path).sort() : undefined)
  }
  return out
}

function expectExactly(drifts: Drift[], injected: Injected[], label: string): void {
  const got = reported(drifts)
  const want = new Map(injected.map((i) => [i.key, i.paths] as const))
  const missed = [...want.keys()].filter((k) => !got.has(k))
  const extra = [...got.keys()].filter((k) => !want.has(k)).map((k) => `${k} ${JSON.stringify(got.get(k))}`)
  expect({ label, missed, extra }).toEqual({ label, missed: [], extra: [] })
  for (const [key, paths] of want) expect({ key, paths: got.get(key) }).toEqual({ key, paths })
}

function observedOf(expected: Snapshot): Snapshot {
  return { ...structuredClone(expected), kind: 'observed', source: `${expected.source}#observed` }
}

/** Sensitive changes never carry their values. */
function expectMasked(drifts: Drift[]): void {
  for (const d of drifts) for (const c of d.changes ?? []) {
    if (!c.sensitive) continue
    if (c.expected != null) expect(c.expected).toBe(MASK)
    if (c.actual != null) expect(c.actual).toBe(MASK)
  }
}

const stateSets = [
  { sub: 'tfstate', legacy: false },
  { sub: 'tfstate-legacy', legacy: true },
]

describe.runIf(corpusDir())('drift corpus: every fixture state', () => {
  const kindsSeen = new Set<string>()

  for (const { sub, legacy } of stateSets) {
    for (const file of files(sub, /\.tfstate$/)) {
      describe(`${sub}/${file}`, () => {
        const load = () => parseState(readFileSync(join(dir!, sub, file)), { source: join(sub, file) })

        it('an unchanged copy has no drift', () => {
          const expected = load()
          const { drifts, coverage } = diffSnapshots([expected], [observedOf(expected)])
          expect(drifts).toEqual([])
          expect(coverage.percent).toBe(100)
        })

        it('semantic no-ops alone report no drift', () => {
          const expected = load()
          const observed = observedOf(expected)
          const random = rng(`noop:${file}`)
          const applied = applyNoops(observed, random, 0.5)
          expect(applied).toBeGreaterThan(0)
          expect(diffSnapshots([expected], [observed]).drifts).toEqual([])
        })

        it('injected mutations are reported exactly (plus no-ops that must not show)', () => {
          const expected = load()
          const observed = observedOf(expected)
          const random = rng(`mutate:${file}`)
          const injected = injectDrift(observed, random)
          applyNoops(observed, random)
          for (const i of injected) for (const k of i.edits ?? []) kindsSeen.add(k)
          const { drifts, coverage } = diffSnapshots([expected], [observed])
          expectExactly(drifts, injected, file)
          expectMasked(drifts)
          const missing = injected.filter((i) => i.key.startsWith('missing')).length
          const unmanaged = injected.filter((i) => i.key.startsWith('unmanaged')).length
          expect(coverage.missing).toBe(missing)
          expect(coverage.unmanaged).toBe(unmanaged)
          expect(coverage.modified).toBe(injected.filter((i) => i.key.startsWith('modified')).length)
        })

        if (legacy) {
          it('a v3 state compared with its v4-typed self (numbers, booleans) has no drift', () => {
            const expected = load()
            const observed = observedOf(expected)
            observed.state_version = 4
            typeLegacyValues(observed)
            expect(diffSnapshots([expected], [observed]).drifts).toEqual([])
          })
        }
      })
    }
  }

  it('every edit kind and every no-op kind was exercised across the corpus', () => {
    expect([...kindsSeen].sort()).toEqual(['bool', 'list-element', 'map-key', 'map-key-added', 'nested', 'number', 'string'])
    expect(Object.keys(noopKinds).sort()).toEqual([
      '""→null', '"true"→bool', 'JSON re-serialised', 'absent→null', 'bool→string', 'empty→absent', 'null→""', 'null→[]', 'null→{}',
      'number→string', 'numeric string→number', 'set reordered',
    ])
  })
})

/** Drifts Terraform itself recorded in each plan's resource_drift that are real (not representation-only). */
const PLAN_DRIFTS: Record<string, Injected[]> = {
  'cloud-testdata__plan-json-full__plan-redacted.json': [{ key: 'missing tfcoremock_simple_resource.example' }],
  'show-json__drift.json': [{ key: 'modified test_instance.should_refresh', paths: ['ami'] }],
  'show-json__moved-drift.json': [{ key: 'modified test_instance.should_refresh_with_move', paths: ['ami'] }],
  // tags: null → {} only: a representation change, correctly not drift.
  'tinystacks__precloud__MockTfPlan.json': [],
}

describe.runIf(corpusDir())('drift corpus: plans with resource_drift', () => {
  const planFiles = files('plan-json', /\.json$/).filter((f) => {
    const doc = JSON.parse(readFileSync(join(dir!, 'plan-json', f), 'utf8')) as { resource_drift?: unknown[] }
    return Array.isArray(doc.resource_drift) && doc.resource_drift.length > 0
  })

  it('finds the plans that carry drift', () => {
    expect(planFiles.length).toBeGreaterThanOrEqual(4)
    for (const f of planFiles) expect(Object.keys(PLAN_DRIFTS)).toContain(f)
  })

  for (const file of planFiles) {
    it(`${file}: the plan's own drift plus injected mutations, exactly`, () => {
      const plan = parsePlan(readFileSync(join(dir!, 'plan-json', file)), { source: file })
      expectExactly(diffSnapshots([plan.expected], [plan.observed]).drifts, PLAN_DRIFTS[file] ?? [], `${file} (as recorded)`)

      const observed = structuredClone(plan.observed)
      const random = rng(`plan:${file}`)
      const injected = injectDrift(observed, random)
      applyNoops(observed, random)
      // A recorded drift stays; an injected edit on the same instance adds its paths.
      const merged = new Map<string, Injected>()
      for (const i of [...(PLAN_DRIFTS[file] ?? []), ...injected]) {
        const prev = merged.get(i.key)
        merged.set(i.key, prev ? { key: i.key, paths: [...(prev.paths ?? []), ...(i.paths ?? [])].sort() } : i)
      }
      // A recorded "missing" instance is absent from the observed side, so nothing was injected into it.
      expectExactly(diffSnapshots([plan.expected], [observed]).drifts, [...merged.values()], file)
    })
  }
})
