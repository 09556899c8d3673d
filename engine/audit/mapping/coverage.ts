/**
 * What the event mapping table covers, for `tfdrift plugins info cloudtrail` (and `falco`, which
 * shares the table): counts, and every mapped event with its Terraform type(s), operation and the
 * Terraform attribute paths it extracts.
 */
import { mappingTable } from './table.ts'

export interface CoverageRow { provider: 'aws' | 'google'; event: string; event_source?: string; types: string[]; op: string; attributes: string[] }

export interface Coverage {
  aws_events: number
  aws_events_with_attributes: number
  google_methods: number
  google_methods_with_attributes: number
  terraform_types: number
  rows: CoverageRow[]
}

/** The coverage of the built-in mapping table. */
export function mappingCoverage(): Coverage {
  const table = mappingTable()
  const rows: CoverageRow[] = []
  for (const provider of ['aws', 'google'] as const) {
    for (const [event, entries] of [...table[provider]].sort(([a], [b]) => a.localeCompare(b))) {
      for (const e of entries) {
        const attributes = [...new Set([...(e.attributes ?? []).map((a) => a.path), ...(e.also ?? []).flatMap((t) => (t.attributes ?? []).map((a) => `${t.type}.${a.path}`))])]
        rows.push({ provider, event, ...(e.event_source ? { event_source: e.event_source } : {}), types: [e.type_by_id_prefix ? `${e.type} (by id prefix)` : e.type, ...(e.also ?? []).map((t) => t.type)], op: e.op, attributes })
      }
    }
  }
  const names = (p: 'aws' | 'google', attrs: boolean) => new Set(rows.filter((r) => r.provider === p && (!attrs || r.attributes.length > 0)).map((r) => r.event)).size
  return {
    aws_events: names('aws', false), aws_events_with_attributes: names('aws', true),
    google_methods: names('google', false), google_methods_with_attributes: names('google', true),
    terraform_types: new Set(rows.flatMap((r) => r.types.map((t) => t.replace(/ \(.*$/, '')))).size,
    rows,
  }
}

/** The coverage as text: a summary line, then one line per entry. */
export function renderCoverage(c: Coverage): string {
  const lines = [
    `Event mappings: ${c.aws_events} AWS event names (${c.aws_events_with_attributes} with attribute extraction), ${c.google_methods} GCP audit methods (${c.google_methods_with_attributes} with attribute extraction), ${c.terraform_types} Terraform types.`,
    '',
  ]
  for (const r of c.rows) {
    lines.push(`${r.provider.padEnd(6)} ${r.event}${r.event_source ? ` [${r.event_source}]` : ''} → ${r.types.join(' | ')} (${r.op})${r.attributes.length ? `: ${r.attributes.join(', ')}` : ''}`)
  }
  return lines.join('\n')
}
