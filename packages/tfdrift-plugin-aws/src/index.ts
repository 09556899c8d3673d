/**
 * `tfdrift-plugin-aws`: a discovery plugin that reads live AWS resources with the SDK v3 and emits observed
 * snapshots keyed as Terraform keys them. Built only on the public `tfdrift` entry, as any third party would.
 */
import { definePlugin, type PipelineItem, type Snapshot } from 'tfdrift'
import { discover } from './discover.ts'
import { optionsSchema, type AwsOptions } from './options.ts'
import { sleep } from './calls.ts'

export { discover, selectCollectors, SUPPORTED_TYPES, COLLECTORS } from './discover.ts'
export type { DiscoverResult, DiscoverHooks, Uncovered } from './discover.ts'
export { CLOUDCONTROL_TYPES } from './cloudcontrol-types.ts'
export { optionsSchema } from './options.ts'
export type { AwsOptions, AwsAccount } from './options.ts'

const plugin = definePlugin<'discovery', AwsOptions>({
  name: 'aws',
  kind: 'discovery',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Live AWS discovery (SDK v3): observed snapshots keyed as Terraform keys them, several regions and accounts, honest covered_types.',
  optionsSchema,
  create(ctx, options) {
    const controller = new AbortController()
    const signal = AbortSignal.any([ctx.signal, controller.signal])
    const requests = ctx.metrics.counter('aws_api_requests_total', 'HTTP requests sent to AWS APIs (every attempt).')
    async function* output(): AsyncIterable<PipelineItem<Snapshot>> {
      while (!signal.aborted) {
        const { snapshot, stats } = await discover(options, { logger: ctx.logger, metrics: ctx.metrics, signal })
        requests.inc(stats.requests)
        await ctx.demand.ready()
        if (signal.aborted) return
        yield { type: 'snapshot', data: snapshot }
        if (!options.interval_seconds) return
        try { await sleep(options.interval_seconds * 1000, signal) } catch { return }
      }
    }
    return { output: output(), close: () => controller.abort() }
  },
})

export default plugin
