/**
 * The conformance check that feeds a plugin real inputs (`ConformanceSample`s, from the suite call or the
 * plugin's `conformance.samples()`): each sample runs in a plugin of its own; a push must be answered as
 * expected (default 2xx), and what comes out must be of the expected types and validate — every event
 * against its published schema, every discovery snapshot against schemas/snapshot.schema.json. An item
 * with a topic but no published schema fails too: a sample is there to prove the output is checkable.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eventTypes } from '../events.ts'
import type { ConformanceSample, PipelineItem, PluginDefinition } from '../plugin-api.ts'
import { runPlugin, type PluginRun } from './harness.ts'

export interface SampleOptions {
  /** Overrides the plugin's `conformance.samples()`. */
  samples?: ConformanceSample[]
  /** Options for samples that name none. */
  options?: Record<string, unknown>
  timeoutMs?: number
}

type Fail = (message: string) => never
type CheckItems = (definition: PluginDefinition, items: readonly PipelineItem[], tenant: string) => void

/** Feeds one sample and returns what came out (throws through `fail` on a wrong answer). */
async function feedSample(run: PluginRun, sample: ConformanceSample, fail: Fail, timeoutMs: number, wanted: string[]): Promise<PipelineItem[]> {
  const name = run.definition.name
  if (sample.input) return run.feed(sample.input, { timeoutMs })
  if (sample.push) {
    const path = sample.push.path ?? (run.ctx.routes.length === 1 ? run.ctx.routes[0]!.path : fail(`Sample "${sample.name}" of "${name}" names no path, and the plugin registered ${run.ctx.routes.length} routes.`))
    const answer = await run.post(path, sample.push.body, sample.push.headers)
    const ok = sample.expect?.status === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === sample.expect.status
    if (!ok) fail(`"${name}" answered sample "${sample.name}" with ${answer.status} (expected ${sample.expect?.status ?? '2xx'}): ${JSON.stringify(answer.data)}`)
  }
  // Pull until every wanted type came, the output ends, or it goes quiet (a push's items are queued before it is answered).
  const out: PipelineItem[] = []
  while (!run.ended()) {
    const more = await run.pull(1000, { timeoutMs: sample.push || out.length > 0 ? 50 : timeoutMs })
    out.push(...more)
    if (more.length === 0 || (wanted.length > 0 && wanted.every((t) => out.some((i) => i.type === t)))) break
  }
  return out
}

/** The samples check, or undefined when the kind needs none and none were given. */
export async function runSamples(definition: PluginDefinition, opts: SampleOptions, checkItems: CheckItems, fail: Fail): Promise<void> {
  const samples = opts.samples ?? (await definition.conformance?.samples()) ?? []
  if (samples.length === 0) fail(`"${definition.name}" supplies no conformance samples: give real inputs in \`conformance.samples()\` (or the suite's \`samples\`), so the suite can check that they produce valid output.`)
  const published = new Set(eventTypes())
  const timeoutMs = opts.timeoutMs ?? 2000
  for (const sample of samples) {
    const wanted = sample.expect?.types ?? []
    const run = await runPlugin(definition, { options: sample.options ?? opts.options ?? {} })
    try {
      const out = await feedSample(run, sample, fail, timeoutMs, wanted)
      const refused = sample.expect?.status !== undefined && (sample.expect.status < 200 || sample.expect.status >= 300)
      if (out.length === 0 && !refused) fail(`"${definition.name}" produced nothing from sample "${sample.name}" within ${timeoutMs} ms.`)
      const missing = wanted.filter((t) => !out.some((i) => i.type === t))
      if (missing.length > 0) fail(`"${definition.name}" produced no ${missing.join(', ')} from sample "${sample.name}" (it produced: ${[...new Set(out.map((i) => i.type))].join(', ')}).`)
      const unchecked = out.find((i) => i.topic !== undefined && !published.has(i.type))
      if (unchecked) fail(`"${definition.name}" published a ${unchecked.type} event from sample "${sample.name}", a type with no published schema (schemas/events/).`)
      try {
        checkItems(definition, out, run.ctx.tenant)
      } catch (error) {
        fail(`Sample "${sample.name}": ${(error as Error).message}`)
      }
    } finally {
      await run.close().catch(() => {})
    }
  }
}

/**
 * The files of a samples folder (a plugin's own `samples/`, or a corpus folder read in place), sorted, with
 * the names ending in `ext`; none when the folder does not exist.
 */
export function sampleFiles(dir: string | URL | undefined, ext: string | string[] = '.json'): Array<{ name: string; path: string }> {
  const path = dir === undefined ? undefined : typeof dir === 'string' ? dir : fileURLToPath(dir)
  if (path === undefined || !existsSync(path)) return []
  const exts = Array.isArray(ext) ? ext : [ext]
  return readdirSync(path).filter((f) => exts.some((e) => f.endsWith(e))).sort().map((name) => ({ name, path: join(path, name) }))
}

/** A folder of the real-data corpus (`TFDRIFT_CORPUS`), when it is set: samples beyond a plugin's own, read in place. */
export function corpusFolder(folder: string): string | undefined {
  const root = process.env.TFDRIFT_CORPUS
  return root ? join(root, folder) : undefined
}
