/** Markdown for pull-request comments: a summary table and one collapsible section per drift. */
import type { ScanResult } from './result.ts'
import { renderPair, resourceLabel } from './render.ts'

const ICON = { critical: '🟣', high: '🔴', medium: '🟠', low: '🔵', info: '⚪' } as const

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, 'ˋ')
}

/** Renders the markdown format. */
export function formatMarkdown(result: ScanResult): string {
  const { summary } = result
  const out: string[] = []
  const cov = summary.coverage
  if (summary.in_sync) {
    out.push(`### ✅ tfdrift: no drift`, '', `${cov.managed} managed resources in sync · coverage ${cov.percent}%`)
    return out.join('\n') + '\n'
  }
  const k = summary.counts.by_kind
  out.push(`### ⚠️ tfdrift: ${summary.counts.total} drift${summary.counts.total === 1 ? '' : 's'} found`, '')
  out.push('| missing | unmanaged | modified | coverage |', '|---:|---:|---:|---:|', `| ${k.missing} | ${k.unmanaged} | ${k.modified} | ${cov.percent}% |`, '')
  out.push('| severity | kind | resource | changes |', '|---|---|---|---|')
  for (const d of result.drifts) {
    out.push(`| ${ICON[d.severity]} ${d.severity} | ${d.kind} | \`${cell(resourceLabel(d))}\` | ${d.changes?.length ?? '—'} |`)
  }
  const modified = result.drifts.filter((d) => d.changes?.length)
  if (modified.length) out.push('')
  for (const d of modified) {
    out.push('<details>', `<summary><code>${cell(resourceLabel(d)).replace(/</g, '&lt;')}</code> — ${d.changes!.length} attribute change${d.changes!.length === 1 ? '' : 's'}</summary>`, '')
    out.push('| attribute | expected | actual |', '|---|---|---|')
    for (const ch of d.changes!) {
      const [expected, actual] = renderPair(ch.expected, ch.actual, 60)
      out.push(`| \`${cell(ch.path)}\` | \`${cell(expected)}\` | \`${cell(actual)}\` |`)
    }
    out.push('', '</details>')
  }
  return out.join('\n') + '\n'
}
