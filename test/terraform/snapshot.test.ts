import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSnapshotFile, readExpected, readObserved, sniffDocument, toSnapshotFile } from '../../engine/terraform/snapshot.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { corpusDir } from '../support/corpus.ts'

const good = {
  format: 'tfdrift-snapshot', version: 1, kind: 'observed', taken_at: '2026-11-22T10:00:00.000Z', source: 'aws:1:eu-west-1',
  covered_types: ['aws_instance'],
  resources: [
    { type: 'aws_instance', resource_id: 'i-1', attributes: { id: 'i-1', tags: { Name: 'web' } } },
    { type: 'aws_s3_bucket', arn: 'arn:aws:s3:::b', attributes: { bucket: 'b' }, sensitive_paths: [['policy', 0]] },
  ],
}

function err(fn: () => unknown): TfdriftError {
  try { fn() } catch (e) { expect(e).toBeInstanceOf(TfdriftError); return e as TfdriftError }
  throw new Error('no error')
}

describe('snapshot JSON', () => {
  it('parses a valid snapshot and fills defaults', () => {
    const s = parseSnapshotFile(JSON.stringify(good), { source: 'live.json' })
    expect(s.kind).toBe('observed')
    expect(s.source).toBe('aws:1:eu-west-1')
    expect(s.covered_types).toEqual(['aws_instance'])
    expect(s.resources[0]).toMatchObject({ address: '', mode: 'managed', name: '', provider: 'aws', resource_id: 'i-1' })
    expect(s.resources[1]).toMatchObject({ provider: 'aws', arn: 'arn:aws:s3:::b', sensitive_paths: [['policy', 0]] })
  })

  it('reports every problem with a JSON pointer', () => {
    const bad = { ...good, version: 2, extra: true, resources: [{ type: 'aws_instance', attributes: {} }, { resource_id: 'x', attributes: 'no' }] }
    const e = err(() => parseSnapshotFile(bad, { source: 'live.json' }))
    expect(e.code).toBe('TFD_ERR_SNAPSHOT_INVALID')
    expect(e.message).toContain('live.json')
    const pointers = e.problems.map((p) => p.pointer).sort()
    expect(pointers).toEqual(['/extra', '/resources/0', '/resources/1/attributes', '/resources/1/type', '/version'].sort())
    expect(e.problems.find((p) => p.pointer === '/resources/0')!.message).toMatch(/resource_id, arn or address/)
  })

  it('rejects non-JSON and a bad taken_at', () => {
    expect(err(() => parseSnapshotFile('{"format":', { source: 's' })).code).toBe('TFD_ERR_SNAPSHOT_INVALID')
    const e = err(() => parseSnapshotFile({ ...good, taken_at: 'yesterday' }, { source: 's' }))
    expect(e.problems[0]!.pointer).toBe('/taken_at')
  })

  it('bounds nesting depth: deeper than 512 levels is TFD_ERR_SNAPSHOT_INVALID naming the file and the limit, also when sniffed', () => {
    const withDepth = (n: number) => JSON.stringify({ ...good, resources: [{ type: 'aws_instance', resource_id: 'i-1', attributes: { id: 'i-1', deep: 'DEEP' } }] })
      .replace('"DEEP"', `${'['.repeat(n)}1${']'.repeat(n)}`)
    for (const read of [(t: string) => parseSnapshotFile(t, { source: 'deep.json' }), (t: string) => readObserved(Buffer.from(t), 'deep.json')]) {
      const e = err(() => read(withDepth(100_000)))
      expect(e.code).toBe('TFD_ERR_SNAPSHOT_INVALID')
      expect(e.message).toMatch(/deep\.json.*deeper than 512 levels/)
    }
    expect(readObserved(Buffer.from(withDepth(500)), 'ok.json').resources).toHaveLength(1)
  })

  it('round-trips through toSnapshotFile and validates', () => {
    const state = parseState(JSON.stringify({ version: 4, serial: 3, lineage: 'l', resources: [{ mode: 'managed', type: 'aws_vpc', name: 'v', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { id: 'vpc-1' } }] }] }), { source: 'x', takenAt: '2026-01-01T00:00:00.000Z' })
    const file = toSnapshotFile(state)
    const back = parseSnapshotFile(JSON.parse(JSON.stringify(file)), { source: 'y' })
    expect(back.resources).toEqual(state.resources)
    expect([back.serial, back.lineage, back.kind]).toEqual([3, 'l', 'expected'])
  })
})

describe('readObserved sniffing', () => {
  const state = JSON.stringify({ version: 4, serial: 1, lineage: 'l', resources: [] })
  it.each([
    [JSON.stringify(good), 'snapshot'],
    [state, 'state'],
    [JSON.stringify({ format_version: '1.2', planned_values: {}, resource_changes: [] }), 'plan'],
    [JSON.stringify({ format_version: '1.0', values: { root_module: {} } }), 'state'],
    [JSON.stringify({ hello: 1 }), 'unknown'],
    ['nope', 'invalid'],
  ])('%s → %s', (doc, kind) => expect(sniffDocument(doc)).toBe(kind))

  it('reads each kind as observed', () => {
    expect(readObserved(JSON.stringify({ ...good, kind: 'expected' }), 'a').kind).toBe('observed')
    expect(readObserved(state, 'b')).toMatchObject({ kind: 'observed', serial: 1 })
    const e = err(() => readObserved(JSON.stringify({ hello: 1 }), 'c.json'))
    expect(e.message).toMatch(/c.json.*neither/)
    expect(err(() => readObserved('{"version": 4, "resources": [', 'd')).message).toMatch(/truncated/)
  })
})

describe('readExpected sniffing', () => {
  it('reads states, plans (pre-refresh side) and snapshots as expected', () => {
    expect(readExpected(JSON.stringify({ version: 4, serial: 2, lineage: 'l', resources: [] }), 'a')).toMatchObject({ kind: 'expected', serial: 2 })
    expect(readExpected(JSON.stringify(good), 'b')).toMatchObject({ kind: 'expected', covered_types: ['aws_instance'] })
    const plan = { format_version: '1.2', prior_state: { values: { root_module: { resources: [{ address: 'aws_x.y', mode: 'managed', type: 'aws_x', name: 'y', values: { id: 'x1', v: 'new' } }] } } },
      resource_drift: [{ address: 'aws_x.y', mode: 'managed', type: 'aws_x', name: 'y', change: { actions: ['update'], before: { id: 'x1', v: 'old' }, after: { id: 'x1', v: 'new' } } }] }
    expect(readExpected(JSON.stringify(plan), 'c').resources[0]!.attributes.v).toBe('old')
    expect(() => readExpected('{"version": 4, "resources": [', 'd')).toThrow(/truncated/)
  })
})

describe.runIf(corpusDir())('readObserved on corpus plans', () => {
  it('takes the refreshed side of a drift plan', () => {
    const f = join(corpusDir()!, 'plan-json', 'show-json__drift.json')
    const s = readObserved(readFileSync(f), f)
    expect(s.kind).toBe('observed')
    expect(s.resources.find((r) => r.address === 'test_instance.should_refresh')!.attributes.ami).toBe('refreshed')
  })
})
