/**
 * `stdout` transport: prints envelopes of chosen topics as JSON lines or one-line summaries — handy
 * for `tfdrift run` without a server, piping into jq, or container logs. A slow terminal never grows
 * memory without bound: past `max_pending_bytes` of unflushed output, lines are dropped and counted.
 */
import { createRequire } from 'node:module'
import type { Writable } from 'node:stream'
import { merge, type Subscription } from 'rxjs'
import type { Envelope, Topic } from '../../../engine/envelope.ts'
import { SEVERITIES, type Drift, type Severity } from '../../../engine/model.ts'
import { definePlugin, nodeHelper, type PluginContext, type TransportInstance } from '../../../engine/plugin-api.ts'
import { hostname } from 'node:os'
import { summarize } from './format.ts'
import { falcoAlert } from './falco.ts'

/** Options of the `stdout` transport (see options.schema.json). */
export interface StdoutOptions {
  topics?: Topic[]
  format?: 'json' | 'summary' | 'falco'
  min_severity?: Severity
  stream?: 'stdout' | 'stderr'
  max_pending_bytes?: number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** The transport writing to `out` (tests pass their own stream). */
export function createStdoutTransport(ctx: PluginContext, options: StdoutOptions, out: Writable): TransportInstance & { dropped(): number } {
  const topics = options.topics ?? ['drifts', 'remediations']
  const minRank = SEVERITIES.indexOf(options.min_severity ?? 'info')
  const maxPending = options.max_pending_bytes ?? 4 * 1024 * 1024
  const droppedCounter = ctx.metrics.counter('stdout_dropped_lines', 'Lines the stdout transport dropped because output was too slow.')
  let subscription: Subscription | undefined
  let dropped = 0
  const host = hostname()
  const line = options.format === 'json' ? (env: Envelope) => JSON.stringify(env)
    : options.format === 'falco' ? (env: Envelope) => JSON.stringify(falcoAlert(env, host))
    : summarize
  return {
    start() {
      subscription = merge(...topics.map((t) => ctx.bus.live(ctx.tenant, t))).subscribe((env) => {
        if (env.topic === 'drifts' && SEVERITIES.indexOf((env.data as Drift)?.severity) > minRank) return
        if (out.writableLength > maxPending) {
          dropped++
          droppedCounter.inc()
          return
        }
        out.write(`${line(env)}\n`)
      })
    },
    close() {
      subscription?.unsubscribe()
      if (dropped) ctx.logger.warn({ dropped }, `The stdout transport dropped ${dropped} line(s) because output could not keep up.`)
    },
    dropped: () => dropped,
  }
}

export default definePlugin<'transport', StdoutOptions>({
  name: 'stdout',
  kind: 'transport',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Prints events of chosen topics to stdout as JSON lines, Falco-compatible JSON alerts or one-line summaries.',
  optionsSchema,
  create(ctx, options) {
    return createStdoutTransport(ctx, options, options.stream === 'stderr' ? process.stderr : process.stdout)
  },
})

/** Config helper: `stdout({ topics: ['drifts'], format: 'summary' })`. */
export const stdout = nodeHelper<StdoutOptions>('stdout')
