/** The report formats on a hand-built result: SARIF locations, markdown escaping, table grouping and colour choice. */
import { describe, expect, it } from 'vitest'
import type { Drift } from '../../engine/model.ts'
import { buildScanResult } from '../../engine/drift/scan/result.ts'
import { toSarif } from '../../engine/drift/scan/sarif.ts'
import { formatMarkdown } from '../../engine/drift/scan/markdown.ts'
import { formatTable, useColour } from '../../engine/drift/scan/table.ts'

const base = { severity: 'medium', detected_at: '2026-11-22T10:00:00.000Z', status: 'open', provider: 'aws' } as const
const drifts: Drift[] = [
  { ...base, id: 'drift_0000000000000001', kind: 'modified', type: 'aws_instance', address: 'aws_instance.web', resource_id: 'i-1', state_source: 's3://bucket/prod/terraform.tfstate', changes: [{ path: 'tags.Team', expected: 'a|b', actual: 'c', sensitive: false }] },
  { ...base, id: 'drift_0000000000000002', kind: 'unmanaged', type: 'aws_s3_bucket', resource_id: 'rogue', severity: 'low' },
  { ...base, id: 'drift_0000000000000003', kind: 'missing', type: 'aws_instance', address: 'aws_instance.db', state_source: 'states/prod env.tfstate', severity: 'high' },
]
const result = buildScanResult({ drifts, coverage: { managed: 2, unmanaged: 1, missing: 1, modified: 1, percent: 50 }, state: ['s3://bucket/prod/terraform.tfstate'], observed: ['live.tfstate'], expectedCount: 3, observedCount: 3, now: base.detected_at })

describe('scan formats', () => {
  it('sorts drifts by kind (missing, unmanaged, modified) and counts them', () => {
    expect(result.drifts.map((d) => d.kind)).toEqual(['missing', 'unmanaged', 'modified'])
    expect(result.summary.counts).toEqual({ total: 3, by_kind: { missing: 1, unmanaged: 1, modified: 1 }, by_severity: { critical: 0, high: 1, medium: 1, low: 1, info: 0 } })
  })

  it('SARIF keeps remote URIs, percent-encodes paths, and locates unmanaged drifts in the observed input', () => {
    const sarif = toSarif(result, '1.2.3') as { runs: Array<{ tool: { driver: { version: string } }; results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> }
    const [run] = sarif.runs
    expect(run!.tool.driver.version).toBe('1.2.3')
    expect(run!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual(['states/prod%20env.tfstate', 'live.tfstate', 's3://bucket/prod/terraform.tfstate'])
    expect(run!.results.map((r) => r.level)).toEqual(['error', 'note', 'warning'])
  })

  it('markdown escapes table cells', () => {
    const md = formatMarkdown(result)
    expect(md).toContain('"a\\|b"')
    expect(md).toContain('| 🔴 high | missing | `aws_instance.db` | — |')
  })

  it('table groups by kind then type; colour follows FORCE_COLOR / NO_COLOR / TTY', () => {
    const text = formatTable(result, false)
    expect(text.indexOf('Missing')).toBeLessThan(text.indexOf('Unmanaged'))
    expect(text.indexOf('Unmanaged')).toBeLessThan(text.indexOf('Modified'))
    expect(text).toContain('tags.Team: "a|b" → "c"')
    expect(text).toContain('aws_s3_bucket rogue')
    expect(useColour({ isTTY: true }, {})).toBe(true)
    expect(useColour({ isTTY: false }, {})).toBe(false)
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(useColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false)
  })
})
