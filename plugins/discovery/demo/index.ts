/**
 * `demo` discovery: a simulated AWS estate managed by Terraform. Emits the expected snapshot (the
 * state), the events of `initial_changes` changes already made, the observed snapshot (the live
 * account), then every `interval` one out-of-band change as a `change.received` event followed by the
 * updated observed snapshot.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper, type PipelineItem, type PluginContext } from '../../../engine/plugin-api.ts'
import { generateEstate } from './estate/index.ts'
import { Simulator } from './simulator.ts'

/** Options of the `demo` plugin (see options.schema.json). */
export interface DemoOptions {
  size?: number
  seed?: string | number
  regions?: string[]
  account_id?: string
  interval?: number | string
  max_changes?: number
  initial_changes?: number
  max_open_changes?: number
  revert_probability?: number
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** Parses `500`, `"500ms"`, `"4s"`, `"1m"` into milliseconds. */
export function parseInterval(value: number | string | undefined): number {
  if (value === undefined) return 4000
  if (typeof value === 'number') return value
  const m = /^(\d+)(ms|s|m)?$/.exec(value)
  if (!m) throw new Error(`invalid interval ${JSON.stringify(value)}; use milliseconds or a duration like "4s"`)
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1)
}

/** The items the demo produces, pulled as fast as downstream accepts and paced by `interval`. */
export async function* demoItems(ctx: PluginContext, options: DemoOptions): AsyncGenerator<PipelineItem> {
  const seed = options.seed ?? 'tfdrift-demo'
  const estate = generateEstate({
    size: options.size ?? 2500, seed, regions: options.regions ?? ['us-east-1', 'eu-west-1', 'ap-northeast-1'],
    ...(options.account_id ? { account_id: options.account_id } : {}),
  })
  const sim = new Simulator(estate, ctx.clock, { seed, maxOpen: options.max_open_changes ?? 25, revertProbability: options.revert_probability ?? 0.35 })
  const interval = parseInterval(options.interval)
  const maxChanges = options.max_changes ?? 0
  ctx.logger.info({ resources: estate.resources.length, account: estate.account, regions: estate.regions, interval_ms: interval },
    `Simulating AWS account ${estate.account} with ${estate.resources.length} Terraform-managed resources.`)

  await ctx.demand.ready()
  if (ctx.signal.aborted) return
  yield { type: 'snapshot', data: sim.expectedSnapshot() }
  // The account already has some drift when tfdrift starts watching: the dashboard is never empty.
  for (let i = 0; i < (options.initial_changes ?? 5); i++) {
    await ctx.demand.ready()
    if (ctx.signal.aborted) return
    yield changeItem(ctx, sim)
  }
  await ctx.demand.ready()
  if (ctx.signal.aborted) return
  yield { type: 'snapshot', data: sim.observedSnapshot() }

  for (let n = 0; maxChanges === 0 || n < maxChanges; n++) {
    try {
      if (interval > 0) await sleep(interval, undefined, { signal: ctx.signal })
      await ctx.demand.ready()
    } catch {
      return // aborted while waiting
    }
    if (ctx.signal.aborted) return
    yield changeItem(ctx, sim)
    yield { type: 'snapshot', data: sim.observedSnapshot() }
  }
}

/** Applies one simulated change, logs who did what, and wraps its event as a pipeline item. */
function changeItem(ctx: PluginContext, sim: Simulator): PipelineItem {
  const step = sim.step()
  const { actor } = step.event
  ctx.logger.info({ event_name: step.event.event_name, resource_id: step.event.resource_id, actor: actor?.user, source_ip: actor?.source_ip },
    `Simulated change: ${step.summary}.`)
  return { type: 'change.received', topic: 'events', data: step.event }
}

export default definePlugin<'discovery', DemoOptions>({
  name: 'demo',
  kind: 'discovery',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Simulated AWS estate with realistic out-of-band changes over time (the embedded default).',
  optionsSchema,
  create(ctx, options) {
    return { output: demoItems(ctx, options) }
  },
})

/** Config helper: `demo({ size: 2500, interval: '4s' })`. */
export const demo = nodeHelper<DemoOptions>('demo')
