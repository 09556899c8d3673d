/**
 * `runPlugin`: one plugin in a small pipeline of its own — options checked and defaulted by the host's
 * own validator, a real context (manual clock, demand gate, memory store and bus, recorded ingress),
 * and a recording of what it does: the items it emits, the events among them (items with a topic, which
 * the engine would publish), and every log record. Producers are pulled (`pull`), operators fed
 * (`feed`), push sources reached through their routes (`post`). Nothing here starts a server.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { Subject, type Observable } from 'rxjs'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import { MemoryBus } from '../bus/memory-bus.ts'
import { TfdriftError } from '../errors.ts'
import { validateOptions } from '../host/options.ts'
import { registerPluginSchemas } from '../host/builtins.ts'
import type { InstanceByKind, PipelineItem, PluginDefinition, PluginKind } from '../plugin-api.ts'
import { testContext, type TestContext } from './context.ts'

/** One pino record the plugin wrote (level as pino's number, `msg`, and the bound and given fields). */
export type LogRecord = Record<string, unknown> & { level: number; msg?: string }

export interface RunPluginOptions {
  /** The node's `with` options (schema defaults are applied, problems thrown as TFD_ERR_PLUGIN_OPTIONS). */
  options?: Record<string, unknown>
  bus?: Bus
  store?: Store
  tenant?: string
}

export interface PluginRun<K extends PluginKind = PluginKind> {
  definition: PluginDefinition<K>
  /** The options `create` received (defaults applied). */
  options: Record<string, unknown>
  ctx: TestContext
  instance: InstanceByKind[K]
  bus: Bus
  /** Every item emitted so far, in order. */
  outputs: PipelineItem[]
  /** Log records written so far. */
  logs: LogRecord[]
  /** Emitted items that carry a topic: what the engine would publish on the bus. */
  events(): PipelineItem[]
  /** Producers: up to `count` next items; fewer when the output ends or `timeoutMs` (default 2000) passes. */
  pull(count: number, opts?: { timeoutMs?: number }): Promise<PipelineItem[]>
  /** True once a producer's output has ended (completed, or its iterator is done). */
  ended(): boolean
  /** Operators: pushes `items` through the operator, completes the input, resolves with what came out. */
  feed(items: PipelineItem[], opts?: { timeoutMs?: number }): Promise<PipelineItem[]>
  /** Push sources: calls the handler of the registered route for `path` as the server would. */
  post(path: string, body: unknown, headers?: Record<string, string | undefined>): Promise<{ status: number; data?: unknown }>
  /** Aborts the signal and closes the instance (transports: after `start`). Safe to call more than once. */
  close(): Promise<void>
}

/** Thrown by `pull` and `feed` when the plugin's output errors: the Observable error path is for fatal failures only. */
export class OutputError extends Error {}

function recorder(logs: LogRecord[]) {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as LogRecord)
      done()
    },
  })
  return pino({ level: 'trace' }, stream)
}

// Not unref'd: a script awaiting a pull must not exit while the deadline is the only thing pending.
const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))

/** Creates the plugin with checked options and returns the run; `close()` it when done. */
export async function runPlugin<K extends PluginKind>(definition: PluginDefinition<K>, opts: RunPluginOptions = {}): Promise<PluginRun<K>> {
  const checked = validateOptions(definition as PluginDefinition, opts.options ?? {}, '/with')
  if (!checked.ok) throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', `Options of "${definition.name}" do not match its schema: ${checked.problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}`, { problems: checked.problems })
  registerPluginSchemas(definition as PluginDefinition)
  const logs: LogRecord[] = []
  const bus = opts.bus ?? new MemoryBus()
  const ctx = testContext({ bus, store: opts.store, logger: recorder(logs), tenant: opts.tenant })
  const instance = await definition.create(ctx, checked.options as never)
  const outputs: PipelineItem[] = []

  // Producers: Observables are subscribed once and buffered; AsyncIterables are pulled, so demand is honoured.
  let buffer: PipelineItem[] = []
  let done = false
  let failure: unknown
  let wake: (() => void) | undefined
  let iterator: AsyncIterator<PipelineItem> | undefined
  let pending: Promise<IteratorResult<PipelineItem>> | undefined
  let subscribed = false
  const output = (instance as { output?: Observable<PipelineItem> | AsyncIterable<PipelineItem> }).output
  const emit = (item: PipelineItem) => { outputs.push(item); return item }

  async function pullObservable(count: number, ms: number): Promise<PipelineItem[]> {
    if (!subscribed) {
      subscribed = true
      ;(output as Observable<PipelineItem>).subscribe({
        next: (item) => { buffer.push(item); wake?.() },
        error: (error) => { failure = error; done = true; wake?.() },
        complete: () => { done = true; wake?.() },
      })
    }
    const deadline = timeout(ms)
    while (buffer.length < count && !done) {
      const woke = new Promise<'woke'>((resolve) => { wake = () => resolve('woke') })
      if ((await Promise.race([woke, deadline])) === 'timeout') break
    }
    if (failure !== undefined) throw new OutputError(`The output of "${definition.name}" errored: ${(failure as Error)?.message ?? failure}`, { cause: failure })
    const taken = buffer.slice(0, count)
    buffer = buffer.slice(count)
    return taken.map(emit)
  }

  async function pullIterable(count: number, ms: number): Promise<PipelineItem[]> {
    iterator ??= (output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator]()
    const deadline = timeout(ms)
    const taken: PipelineItem[] = []
    while (taken.length < count && !done) {
      pending ??= iterator.next()
      let result: IteratorResult<PipelineItem> | 'timeout'
      try {
        result = await Promise.race([pending, deadline])
      } catch (error) {
        done = true
        throw new OutputError(`The output of "${definition.name}" threw: ${(error as Error)?.message ?? error}`, { cause: error })
      }
      if (result === 'timeout') break
      pending = undefined
      if (result.done) done = true
      else taken.push(emit(result.value))
    }
    return taken
  }

  let closed: Promise<void> | undefined
  const run: PluginRun<K> = {
    definition, options: checked.options, ctx, instance, bus, outputs, logs,
    events: () => outputs.filter((item) => item.topic !== undefined),
    ended: () => done,
    async pull(count, { timeoutMs = 2000 } = {}) {
      if (!output) throw new Error(`"${definition.name}" is a ${definition.kind} plugin: it has no output to pull.`)
      return Symbol.asyncIterator in (output as object) ? pullIterable(count, timeoutMs) : pullObservable(count, timeoutMs)
    },
    async feed(items, { timeoutMs = 2000 } = {}) {
      const operator = (instance as InstanceByKind['analysis']).operator
      if (!operator) throw new Error(`"${definition.name}" is a ${definition.kind} plugin: it has no operator to feed.`)
      const input = new Subject<PipelineItem>()
      const out: PipelineItem[] = []
      const finished = new Promise<void>((resolve, reject) => {
        operator(input).subscribe({ next: (item) => out.push(emit(item)), error: reject, complete: resolve })
      })
      for (const item of items) input.next(item)
      input.complete()
      const result = await Promise.race([finished.then(() => 'done' as const, (error: unknown) => { throw new OutputError(`The operator of "${definition.name}" errored: ${(error as Error)?.message ?? error}`, { cause: error }) }), timeout(timeoutMs)])
      if (result === 'timeout') throw new Error(`The operator of "${definition.name}" did not complete within ${timeoutMs} ms after its input did.`)
      return out
    },
    async post(path, body, headers = {}) {
      const route = ctx.routes.find((r) => r.path === path)
      if (!route) throw new Error(`"${definition.name}" registered no route ${path} (it registered: ${ctx.routes.map((r) => r.path).join(', ') || 'none'}).`)
      return route.handle(body, { tenant: ctx.tenant, headers })
    },
    close() {
      closed ??= (async () => {
        ctx.controller.abort()
        await instance.close?.()
      })()
      return closed
    },
  }
  return run
}
