/**
 * `scan --provider <name>`: runs a discovery plugin (a provider such as `aws`, found like a config's `use`:
 * built-in, `tfdrift-plugin-<name>` package, or path) once and returns its first observed snapshot.
 * The plugin's warnings go to stderr; its progress records (`progress: { done, total }`) draw a status
 * line when stderr is a terminal.
 */
import pino from 'pino'
import { TfdriftError } from '../errors.ts'
import { validateOptions } from '../host/options.ts'
import { resolvePlugin } from '../host/resolve.ts'
import type { PluginContext, ProducerInstance, PipelineItem } from '../plugin-api.ts'
import type { Snapshot } from '../model.ts'

export interface ProviderRun {
  use: string
  options: Record<string, unknown>
  stderr: { write(s: string): unknown; isTTY?: boolean }
  cwd?: string
}

const unavailable = (what: string) => new Proxy({}, { get: (_t, key) => (key === 'then' ? undefined : () => { throw new Error(`${what} is not available to a provider run by scan.`) }) })

/** Runs the provider until its first `snapshot` item; throws TfdriftError on an unknown plugin or bad options. */
export async function observeWithProvider(run: ProviderRun): Promise<Snapshot> {
  const BUILTIN_PLUGINS = await (await import('../host/builtins.ts')).builtins()
  const resolved = await resolvePlugin(run.use, { builtins: BUILTIN_PLUGINS, configDir: run.cwd ?? process.cwd(), pointer: '/provider' })
  if ('problem' in resolved) throw new TfdriftError(resolved.problem.code, resolved.problem.message)
  const def = resolved.definition
  if (def.kind !== 'discovery') throw new TfdriftError('TFD_ERR_SCAN_USAGE', `--provider ${run.use}: plugin "${def.name}" is a ${def.kind} plugin, not a discovery plugin.`)
  const checked = validateOptions(def, run.options, '/provider/with')
  if (!checked.ok) throw new TfdriftError('TFD_ERR_SCAN_USAGE', `--provider ${run.use}: ${checked.problems.map((p) => p.message).join(' ')}`)

  const tty = run.stderr.isTTY === true
  let line = false
  const logger = pino({ level: 'info', base: undefined }, {
    write(text: string) {
      let record: { level?: number; msg?: string; progress?: { done?: number; total?: number } }
      try { record = JSON.parse(text) } catch { return }
      if ((record.level ?? 0) >= 40) {
        if (line) { run.stderr.write('\r\u001b[2K'); line = false }
        run.stderr.write(`warning: ${record.msg}\n`)
      } else if (tty && record.progress) {
        run.stderr.write(`\r\u001b[2K${def.name}: ${record.progress.done}/${record.progress.total} ${record.msg ?? ''}`.slice(0, 160))
        line = true
      }
    },
  })
  const controller = new AbortController()
  const noop = { inc() {}, set() {} }
  const ctx: PluginContext = {
    logger, signal: controller.signal, pipeline: 'scan', tenant: 'default', node: `scan.provider.${def.name}`,
    clock: { now: () => Date.now(), isoNow: () => new Date().toISOString() },
    metrics: { counter: () => noop, gauge: () => noop },
    demand: { ready: () => Promise.resolve(), paused: false },
    ingress: { register: () => { throw new Error('A provider run by scan cannot register ingress routes.') } },
    bus: unavailable('The bus') as PluginContext['bus'], store: unavailable('The store') as PluginContext['store'],
  }
  const instance = (await def.create(ctx, checked.options)) as ProducerInstance
  try {
    const snapshot = await firstSnapshot(instance.output)
    if (!snapshot) throw new TfdriftError('TFD_ERR_SCAN_USAGE', `--provider ${run.use}: the plugin ended without emitting a snapshot.`)
    return snapshot
  } finally {
    if (line) run.stderr.write('\r\u001b[2K')
    controller.abort()
    await instance.close?.()
  }
}

async function firstSnapshot(output: ProducerInstance['output']): Promise<Snapshot | undefined> {
  if (Symbol.asyncIterator in output) {
    for await (const item of output as AsyncIterable<PipelineItem>) if (item.type === 'snapshot') return item.data as Snapshot
    return undefined
  }
  const { firstValueFrom, filter, defaultIfEmpty } = await import('rxjs')
  const item = await firstValueFrom(output.pipe(filter((i) => i.type === 'snapshot'), defaultIfEmpty(undefined)))
  return item?.data as Snapshot | undefined
}
