/**
 * The refresh loop: every cycle resolves the sources, fetches each (conditional: unchanged bytes are
 * not downloaded again), parses it and yields a snapshot only when serial/lineage changed. A source
 * that fails keeps its last good snapshot in use downstream (nothing is retracted) and yields one
 * `source.error` item on topic `system` per failure streak, then `source.recovered` when it works again.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { TfdriftError, type Snapshot, type PipelineItem, type PluginContext, readExpected, readObserved } from 'tfdrift'
import type { StateSource } from 'tfdrift/state'
import type { Resolved } from './sources.ts'

/** Waits `ms` or until aborted (rejects then). Injectable so tests drive refreshes by hand. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

/** The production sleep: a real timer that rejects on abort. */
export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal })

/** How the poller runs. */
export interface PollerOptions {
  role: 'expected' | 'observed'
  /** 0 = read once. */
  refresh_ms: number
  concurrency: number
  resolve(signal: AbortSignal): Promise<Resolved>
  sleep?: Sleep
}

/** What the poller remembers per source between cycles. */
interface SourceState {
  version?: string
  serial?: number
  lineage?: string
  emitted: boolean
  /** Error code of the current failure streak: one source.error per streak, again only if the code changes. */
  failing?: string
}

/** Data of a `source.error` item (topic `system`). */
export interface SourceErrorData {
  source: string
  code: string
  message: string
}

/** Parses `5m`, `30s`, `250ms`, `1h` or a number of milliseconds. */
export function parseDuration(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number') return value
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim())
  if (!m) throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', `Invalid duration ${JSON.stringify(value)}; use e.g. "30s", "5m" or milliseconds.`)
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : m[2] === 's' ? 1000 : 1
  return Number(m[1]) * unit
}

function errorData(source: string, error: unknown): SourceErrorData {
  if (error instanceof TfdriftError) return { source, code: error.code, message: error.message }
  return { source, code: 'TFD_ERR_SOURCE_UNREACHABLE', message: `${source}: ${(error as Error)?.message ?? String(error)}` }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

type Outcome = { source: StateSource; snapshot?: Snapshot; version?: string; unchanged?: boolean; error?: unknown }

/** The plugin's output: snapshots and source errors, forever (or once when refresh is 0). */
export async function* pollStates(ctx: PluginContext, opts: PollerOptions): AsyncGenerator<PipelineItem> {
  const states = new Map<string, SourceState>()
  /** Listing failures (a path pattern, an S3 prefix) by source → error code. */
  const listingFailures = new Map<string, string>()
  const sleep = opts.sleep ?? realSleep
  const reads = ctx.metrics.counter('terraform_state_snapshots_total', 'State snapshots emitted (a source changed serial or lineage).')
  const failures = ctx.metrics.counter('terraform_state_source_errors_total', 'Failed reads of a state source (the last good snapshot stays in use).')
  const sourcesGauge = ctx.metrics.gauge('terraform_state_sources', 'State sources found in the last refresh.')
  const errorItem = (data: SourceErrorData): PipelineItem<SourceErrorData> => ({ type: 'source.error', topic: 'system', data })

  for (let cycle = 0; !ctx.signal.aborted; cycle++) {
    let resolved: Resolved
    try {
      resolved = await opts.resolve(ctx.signal)
    } catch (error) {
      resolved = { sources: [], failures: [{ source: '(sources)', error }] }
    }
    const items: PipelineItem[] = []
    const listingNow = new Set<string>()
    for (const f of resolved.failures) {
      listingNow.add(f.source)
      const data = errorData(f.source, f.error)
      if (listingFailures.get(f.source) !== data.code) {
        listingFailures.set(f.source, data.code)
        ctx.logger.warn({ source: f.source, code: data.code }, `Cannot list state sources: ${data.message}`)
        items.push(errorItem(data))
      }
    }
    for (const source of listingFailures.keys()) {
      if (listingNow.has(source)) continue
      listingFailures.delete(source)
      items.push({ type: 'source.recovered', topic: 'system', data: { source } })
    }
    sourcesGauge.set(resolved.sources.length)
    if (cycle === 0 && resolved.sources.length === 0 && resolved.failures.length === 0) {
      ctx.logger.warn('No state sources matched the configured paths / prefixes yet; they are looked for again on every refresh.')
    }
    const outcomes = await pool(resolved.sources, opts.concurrency, async (source): Promise<Outcome> => {
      const st = states.get(source.id)
      try {
        const got = await source.fetch({ ...(st?.version && st.emitted ? { ifVersion: st.version } : {}), signal: ctx.signal })
        if (got.not_modified) return { source, unchanged: true, ...(got.version ? { version: got.version } : {}) }
        const takenAt = ctx.clock.isoNow()
        const snapshot = opts.role === 'observed' ? readObserved(got.body, source.id, { takenAt }) : readExpected(got.body, source.id, { takenAt })
        return { source, snapshot, ...(got.version ? { version: got.version } : {}) }
      } catch (error) {
        return { source, error }
      }
    })
    for (const o of outcomes) {
      let st = states.get(o.source.id)
      if (!st) states.set(o.source.id, (st = { emitted: false }))
      if (o.error !== undefined) {
        if (ctx.signal.aborted) return
        failures.inc()
        const data = errorData(o.source.id, o.error)
        if (st.failing !== data.code) {
          st.failing = data.code
          ctx.logger.warn({ source: o.source.id, code: data.code }, st.emitted
            ? `State source failed; keeping its last good snapshot: ${data.message}`
            : `State source failed before its first snapshot: ${data.message}`)
          items.push(errorItem(data))
        }
        continue
      }
      if (st.failing) {
        st.failing = undefined
        ctx.logger.info({ source: o.source.id }, 'State source is readable again.')
        items.push({ type: 'source.recovered', topic: 'system', data: { source: o.source.id } })
      }
      if (o.unchanged || !o.snapshot) continue
      const s = o.snapshot
      // Documents without serial/lineage (snapshot JSON, plans) change when their bytes do.
      const identified = s.serial !== undefined || s.lineage !== undefined
      const changed = !st.emitted || (identified ? s.serial !== st.serial || s.lineage !== st.lineage : o.version === undefined || o.version !== st.version)
      st.version = o.version
      if (!changed) continue
      st.serial = s.serial
      st.lineage = s.lineage
      st.emitted = true
      ctx.logger.info({ source: s.source, serial: s.serial, resources: s.resources.length }, `Read state ${s.source} (serial ${s.serial ?? '-'}, ${s.resources.length} instances).`)
      reads.inc()
      items.push({ type: 'snapshot', data: s })
    }
    for (const item of items) {
      await ctx.demand.ready()
      if (ctx.signal.aborted) return
      yield item
    }
    if (opts.refresh_ms <= 0) return
    try {
      await sleep(opts.refresh_ms, ctx.signal)
    } catch {
      return // aborted while waiting
    }
  }
}
