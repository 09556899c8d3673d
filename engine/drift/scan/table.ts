/** Human output: drifts grouped by kind then type, coloured only on a TTY or with FORCE_COLOR. */
import type { Severity } from '../../model.ts'
import type { ScanResult } from './result.ts'
import { groupBy, renderPair, resourceLabel } from './render.ts'

/** Whether to colour a stream: FORCE_COLOR wins, NO_COLOR disables, else only on a TTY. */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1 } as const
type Colour = keyof typeof CODES
const SEVERITY_COLOUR: Record<Severity, Colour> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'grey' }
const KIND_TITLE = { missing: 'Missing (in state, gone live)', unmanaged: 'Unmanaged (live, not in state)', modified: 'Modified (attributes changed)' }

/** Renders the table format. */
export function formatTable(result: ScanResult, colour: boolean): string {
  const c = (name: Colour, text: string) => (colour ? `\u001b[${CODES[name]}m${text}\u001b[0m` : text)
  const lines: string[] = []
  const { summary } = result
  if (summary.in_sync) {
    lines.push(c('green', `In sync: ${summary.coverage.managed} managed resource${summary.coverage.managed === 1 ? '' : 's'}, no drift.`))
  }
  for (const [kind, drifts] of groupBy(result.drifts, (d) => d.kind)) {
    lines.push(c('bold', `${KIND_TITLE[kind as keyof typeof KIND_TITLE]} — ${drifts.length}`))
    for (const [type, ofType] of groupBy(drifts, (d) => d.type)) {
      lines.push(`  ${c('cyan', type)} (${ofType.length})`)
      for (const d of ofType) {
        const id = d.address && d.resource_id ? c('grey', ` ${d.resource_id}`) : ''
        const who = d.actor?.user || d.actor?.arn ? c('grey', ` by ${d.actor.user ?? d.actor.arn}`) : ''
        lines.push(`    ${c(SEVERITY_COLOUR[d.severity], d.severity.padEnd(8))} ${resourceLabel(d)}${id}${who}`)
        for (const ch of d.changes ?? []) {
          const [expected, actual] = renderPair(ch.expected, ch.actual)
          lines.push(`        ${ch.path}: ${c('red', expected)} → ${c('green', actual)}`)
        }
      }
    }
    lines.push('')
  }
  const k = summary.counts.by_kind
  const cov = summary.coverage
  lines.push(`${summary.counts.total} drift${summary.counts.total === 1 ? '' : 's'} (${k.missing} missing, ${k.unmanaged} unmanaged, ${k.modified} modified) · coverage ${cov.percent}% (${cov.managed} managed, ${cov.unmanaged} unmanaged, ${cov.missing} missing)`)
  return lines.join('\n') + '\n'
}
