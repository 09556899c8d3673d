/** The stable JSON result of `tfdrift scan` (schemas/scan-result.schema.json). */
import { SEVERITIES, type Coverage, type Drift, type DriftKind, type Severity } from '../../model.ts'
import { maskDrift } from '../mask.ts'

/** Bumped only on breaking changes to the result shape. */
export const SCAN_RESULT_VERSION = 1

export interface ScanResult {
  version: number
  generated_at: string
  inputs: { state: string[]; observed: string[] }
  summary: {
    in_sync: boolean
    coverage: Coverage
    resources: { expected: number; observed: number }
    counts: { total: number; by_kind: Record<DriftKind, number>; by_severity: Record<Severity, number> }
  }
  drifts: Drift[]
}

const KIND_ORDER: DriftKind[] = ['missing', 'unmanaged', 'modified']

/** Orders drifts for every output: kind, type, address/id. */
export function sortDrifts(drifts: Drift[]): Drift[] {
  return [...drifts].sort((a, b) =>
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)
    || a.type.localeCompare(b.type)
    || (a.address ?? a.resource_id ?? '').localeCompare(b.address ?? b.resource_id ?? ''))
}

/** Builds the result document; every drift passes through masking once more. */
export function buildScanResult(args: {
  drifts: Drift[]; coverage: Coverage; state: string[]; observed: string[]; expectedCount: number; observedCount: number; now: string
}): ScanResult {
  const by_kind = { missing: 0, unmanaged: 0, modified: 0 } as Record<DriftKind, number>
  const by_severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  for (const d of args.drifts) { by_kind[d.kind]++; by_severity[d.severity]++ }
  return {
    version: SCAN_RESULT_VERSION,
    generated_at: args.now,
    inputs: { state: args.state, observed: args.observed },
    summary: {
      in_sync: args.drifts.length === 0,
      coverage: args.coverage,
      resources: { expected: args.expectedCount, observed: args.observedCount },
      counts: { total: args.drifts.length, by_kind, by_severity },
    },
    drifts: sortDrifts(args.drifts).map(maskDrift),
  }
}
