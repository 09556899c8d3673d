/**
 * `terraform-state` discovery: Terraform states from files, directories, globs, S3, HTTP backends
 * and HCP Terraform / Terraform Enterprise, as `snapshot` items (one per state). Refreshes every
 * `refresh` and re-emits a state only when its serial or lineage changed; a failing source yields a
 * `source.error` item on topic `system` and its last good snapshot stays in use.
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type PipelineItem, type PluginContext, type ProducerInstance } from '../../../engine/plugin-api.ts'
import type { HttpSourceOptions } from '../../../engine/terraform/backends/http.ts'
import type { S3SourceOptions } from '../../../engine/terraform/backends/s3.ts'
import type { TfcSourceOptions } from '../../../engine/terraform/backends/tfc.ts'
import { parseDuration, pollStates, type Sleep } from './poller.ts'
import { SourceResolver } from './sources.ts'

/** Options of the `terraform-state` plugin (see options.schema.json). */
export interface TerraformStateOptions {
  paths?: string[]
  s3?: Omit<S3SourceOptions, 'max_attempts'> | Array<Omit<S3SourceOptions, 'max_attempts'>>
  http?: Omit<HttpSourceOptions, 'timeout_ms'> | Array<Omit<HttpSourceOptions, 'timeout_ms'>>
  tfc?: Omit<TfcSourceOptions, 'timeout_ms'> | Array<Omit<TfcSourceOptions, 'timeout_ms'>>
  /** `'5m'`, `'30s'`, milliseconds; 0 = read once. Default `'5m'`. */
  refresh?: string | number
  role?: 'expected' | 'observed'
  concurrency?: number
  timeout?: string | number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** Test seam: a hand-driven sleep and working directory. Not part of the options. */
export interface TerraformStateInternals {
  sleep?: Sleep
  cwd?: string
}

/** Builds the producer; `internals` lets tests drive refreshes without real timers. */
export function createTerraformState(ctx: PluginContext, options: TerraformStateOptions, internals: TerraformStateInternals = {}): ProducerInstance & { output: AsyncIterable<PipelineItem>; close(): void } {
  const resolver = new SourceResolver({
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.s3 ? { s3: options.s3 } : {}),
    ...(options.http ? { http: options.http } : {}),
    ...(options.tfc ? { tfc: options.tfc } : {}),
    timeout_ms: parseDuration(options.timeout, 30_000),
    ...(internals.cwd ? { cwd: internals.cwd } : {}),
  })
  const output = pollStates(ctx, {
    role: options.role ?? 'expected',
    refresh_ms: parseDuration(options.refresh, 300_000),
    concurrency: options.concurrency ?? 4,
    resolve: (signal) => resolver.resolve(signal),
    ...(internals.sleep ? { sleep: internals.sleep } : {}),
  })
  return { output, close: () => resolver.close() }
}

const plugin = definePlugin<'discovery', TerraformStateOptions>({
  name: 'terraform-state',
  kind: 'discovery',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Terraform state (v4 and legacy v3) from files, directories, globs, S3, HTTP backends and HCP Terraform, refreshed periodically.',
  optionsSchema,
  create(ctx, options) {
    return createTerraformState(ctx, options)
  },
})

export default plugin

/** Config helper: `terraformState({ paths: ['infra/**\/*.tfstate'], refresh: '5m' })`. */
export const terraformState = nodeHelper<TerraformStateOptions>('terraform-state')
