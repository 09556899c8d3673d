/**
 * `cloudtrail` source: raw CloudTrail records → `change.received` events. Reads log files at start
 * (`paths`) and accepts pushed records on an ingress route; failed and read-only calls are skipped or
 * flagged per options; Lambda API-version suffixes are stripped; resource type and id are inferred.
 */
import { readFile, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { createRequire } from 'node:module'
import fg from 'fast-glob'
import { definePlugin, nodeHelper, type IngressDeclaration, type PipelineItem, type PluginContext } from '../../../engine/plugin-api.ts'
import { BoundedChannel } from './channel.ts'
import { ingestBatch } from './ingest.ts'
import { parseRecord, recordsOf, type ParseOptions } from './parse.ts'

/** Options of the `cloudtrail` source (see options.schema.json). */
export interface CloudTrailOptions {
  paths?: string[]
  poll?: number | string
  ingress?: boolean
  path?: string
  failed?: 'skip' | 'flag'
  read_only?: 'skip' | 'keep'
  queue_size?: number
  body_limit?: number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** The route a node registers unless `ingress: false`; declared too, so collisions fail validation. */
function declaredRoutes(options: CloudTrailOptions): IngressDeclaration[] {
  return (options.ingress ?? true) ? [{ method: 'POST', path: options.path ?? '/api/v1/cloudtrail/events', scope: 'publish' }] : []
}

/** Reads one log file (gzip or plain JSON) into records. */
export async function readLogFile(file: string): Promise<unknown[]> {
  const raw = await readFile(file)
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')
  return recordsOf(JSON.parse(text))
}

/** `60000`, `"60s"`, `"5m"` → milliseconds (0 = read once). */
export function parseDuration(value: number | string | undefined): number {
  if (value === undefined) return 0
  if (typeof value === 'number') return value
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value)
  if (!m) throw new Error(`invalid duration ${JSON.stringify(value)}; use milliseconds or e.g. "5m"`)
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1)
}

/** Files matching the patterns; a directory stands for every .json / .json.gz below it. */
async function listFiles(patterns: string[]): Promise<string[]> {
  const expanded = await Promise.all(patterns.map(async (p) => {
    try {
      if ((await stat(p)).isDirectory()) return `${fg.convertPathToPattern(p)}/**/*.{json,json.gz}`
    } catch { /* a glob, or a path that does not exist yet */ }
    return p
  }))
  return (await fg(expanded, { absolute: true, onlyFiles: true })).sort()
}

const MAX_SEEN_FILES = 100_000

async function* fromFiles(ctx: PluginContext, patterns: string[], parse: ParseOptions, pollMs: number): AsyncGenerator<PipelineItem> {
  if (!patterns.length) return
  // Files already read (CloudTrail log files are immutable); oldest forgotten first past the bound.
  const seen = new Set<string>()
  for (let round = 0; ; round++) {
    const files = (await listFiles(patterns)).filter((f) => !seen.has(f))
    if (round === 0 && !files.length) ctx.logger.warn({ paths: patterns }, 'No CloudTrail log file matched the configured paths yet.')
    for (const file of files) {
      seen.add(file)
      if (seen.size > MAX_SEEN_FILES) seen.delete(seen.values().next().value as string)
      let records: unknown[]
      try {
        records = await readLogFile(file)
      } catch (err) {
        ctx.logger.warn({ file, err: (err as Error).message }, 'Skipped a CloudTrail log file that is not valid JSON.')
        continue
      }
      for (const [i, record] of records.entries()) {
        const r = parseRecord(record, parse, ctx.clock.isoNow())
        if (r.kind === 'invalid') ctx.logger.warn({ file, index: i }, `Skipped a malformed CloudTrail record: ${r.message}.`)
        if (r.kind !== 'event') continue
        await ctx.demand.ready()
        if (ctx.signal.aborted) return
        yield { type: 'change.received', topic: 'events', data: r.event }
      }
    }
    if (!pollMs || ctx.signal.aborted) return
    try {
      await sleep(pollMs, undefined, { signal: ctx.signal })
    } catch {
      return
    }
  }
}

/** Interleaves async sources; at most one item per source is pulled ahead, so nothing piles up. */
export async function* mergeSources<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>()
  const pull = (i: number) => pending.set(i, iterators[i]!.next().then((r) => ({ i, r })))
  iterators.forEach((_, i) => pull(i))
  while (pending.size) {
    const { i, r } = await Promise.race(pending.values())
    if (r.done) {
      pending.delete(i)
      continue
    }
    pull(i)
    yield r.value
  }
}

export default definePlugin<'source', CloudTrailOptions>({
  name: 'cloudtrail',
  kind: 'source',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Raw AWS CloudTrail records (log files or pushed) as change events.',
  optionsSchema,
  ingress: declaredRoutes,
  create(ctx, options) {
    const parse: ParseOptions = { failed: options.failed ?? 'skip', read_only: options.read_only ?? 'skip', source: 'cloudtrail' }
    const channel = new BoundedChannel<PipelineItem>(options.queue_size ?? 10_000, ctx.signal)
    const routes = declaredRoutes(options).map((declared) => ({
      ...declared,
      body_limit: options.body_limit ?? 5 * 1024 * 1024,
      handle: async (body: unknown) => {
        const now = ctx.clock.isoNow()
        return ingestBatch(recordsOf(body).map((r) => parseRecord(r, parse, now)), channel, ctx, 'CloudTrail record')
      },
    }))
    for (const route of routes) ctx.ingress.register(route)
    const sources: AsyncIterable<PipelineItem>[] = []
    if (options.paths?.length) sources.push(fromFiles(ctx, options.paths, parse, parseDuration(options.poll)))
    if (routes.length) sources.push(channel)
    return {
      // One source needs no merging (a race per item); none is an output that ends at once, as before.
      output: sources.length === 1 ? sources[0]! : mergeSources(sources),
      close() {
        channel.close()
        for (const route of routes) (ctx.ingress as { unregister?: (r: { method: string; path: string }) => void }).unregister?.(route)
      },
    }
  },
})

/** Config helper: `cloudtrail({ paths: ['logs/**\/*.json.gz'] })`. */
export const cloudtrail = nodeHelper<CloudTrailOptions>('cloudtrail')
