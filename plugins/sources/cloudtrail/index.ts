/**
 * `cloudtrail` source: raw CloudTrail records → `change.received` events. Reads log files at start
 * (`paths`) and accepts pushed records on an ingress route; failed and read-only calls are skipped or
 * flagged per options; Lambda API-version suffixes are stripped; resource type and id are inferred.
 */
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { createRequire } from 'node:module'
import fg from 'fast-glob'
import { definePlugin, nodeHelper, type PipelineItem, type PluginContext } from '../../../engine/plugin-api.ts'
import { BoundedChannel } from './channel.ts'
import { ingestBatch } from './ingest.ts'
import { parseRecord, recordsOf, type ParseOptions } from './parse.ts'

/** Options of the `cloudtrail` source (see options.schema.json). */
export interface CloudTrailOptions {
  paths?: string[]
  ingress?: boolean
  path?: string
  failed?: 'skip' | 'flag'
  read_only?: 'skip' | 'keep'
  queue_size?: number
  body_limit?: number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** Reads one log file (gzip or plain JSON) into records. */
export async function readLogFile(file: string): Promise<unknown[]> {
  const raw = await readFile(file)
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')
  return recordsOf(JSON.parse(text))
}

async function* fromFiles(ctx: PluginContext, patterns: string[], parse: ParseOptions): AsyncGenerator<PipelineItem> {
  if (!patterns.length) return
  const files = (await fg(patterns, { absolute: true, onlyFiles: true })).sort()
  if (!files.length) ctx.logger.warn({ paths: patterns }, 'No CloudTrail log file matched the configured paths.')
  for (const file of files) {
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
}

export default definePlugin<'source', CloudTrailOptions>({
  name: 'cloudtrail',
  kind: 'source',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Raw AWS CloudTrail records (log files or pushed) as change events.',
  optionsSchema,
  create(ctx, options) {
    const parse: ParseOptions = { failed: options.failed ?? 'skip', read_only: options.read_only ?? 'skip', source: 'cloudtrail' }
    const channel = new BoundedChannel<PipelineItem>(options.queue_size ?? 10_000, ctx.signal)
    const route = {
      method: 'POST' as const,
      path: options.path ?? '/api/v1/cloudtrail/events',
      scope: 'publish' as const,
      body_limit: options.body_limit ?? 5 * 1024 * 1024,
      handle: async (body: unknown) => {
        const now = ctx.clock.isoNow()
        return ingestBatch(recordsOf(body).map((r) => parseRecord(r, parse, now)), channel, ctx, 'CloudTrail record')
      },
    }
    if (options.ingress ?? true) ctx.ingress.register(route)
    async function* output(): AsyncGenerator<PipelineItem> {
      yield* fromFiles(ctx, options.paths ?? [], parse)
      if (options.ingress ?? true) yield* channel
    }
    return {
      output: output(),
      close() {
        channel.close()
        ;(ctx.ingress as { unregister?: (r: { method: string; path: string }) => void }).unregister?.(route)
      },
    }
  },
})

/** Config helper: `cloudtrail({ paths: ['logs/**\/*.json.gz'] })`. */
export const cloudtrail = nodeHelper<CloudTrailOptions>('cloudtrail')
