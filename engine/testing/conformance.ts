/**
 * Conformance checks per plugin kind: what every plugin owes the host, checked the same way for the
 * built-ins and for third-party plugins. Framework-neutral: each check is a named async function that
 * throws an `Error` saying what is wrong (`tfdrift/testing/vitest` turns them into one `describe`).
 *
 * All kinds: a valid definition; an options schema that documents every option (description; a
 * default or examples when optional) with `examples` that validate; `close` is idempotent.
 * Producers (discovery, source): stop when aborted; emit nothing while demand is paused; push routes
 * answer malformed bodies with a status (errors as data, never a throw); emitted events validate
 * against their schemas; discovery snapshots validate against schemas/snapshot.schema.json; and
 * real sample inputs (`samples`, or the plugin's `conformance.samples()`) — required of sources and
 * discovery plugins, optional for operators — produce output that validates (see samples.ts).
 * Operators (analysis, remediation): an item of a type they do not know flows without an error and
 * the output completes when the input does. Transports: start and close; a delivering transport
 * declares its delivery spec.
 */
import semver from 'semver'
import { validateEventPublication } from '../events.ts'
import { checkDefinition } from '../host/resolve.ts'
import { validateOptions } from '../host/options.ts'
import { parseSnapshotFile, toSnapshotFile } from '../terraform/snapshot.ts'
import type { JsonSchema, PipelineItem, PluginDefinition } from '../plugin-api.ts'
import type { Snapshot } from '../model.ts'
import { runPlugin, type PluginRun } from './harness.ts'
import { runSamples } from './samples.ts'
import type { ConformanceSample } from '../plugin-api.ts'

export interface ConformanceOptions {
  /** Options to create the plugin with (default: the schema's first `examples` entry, else `{}`). */
  options?: Record<string, unknown>
  /** How long a producer may take to stop, or an operator to complete (default 2000 ms). */
  timeoutMs?: number
  /** Real inputs to feed (default: the plugin's `conformance.samples()`). */
  samples?: ConformanceSample[]
}

export interface ConformanceCheck {
  name: string
  run(): Promise<void>
}

export interface ConformanceResult { name: string; ok: boolean; message?: string }

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

class ConformanceError extends Error {}
const fail = (message: string): never => { throw new ConformanceError(message) }

/** Options the suite creates the plugin with. */
function exampleOptions(definition: PluginDefinition, opts: ConformanceOptions): Record<string, unknown> {
  if (opts.options) return opts.options
  const examples = definition.optionsSchema?.examples
  return Array.isArray(examples) && examples.length > 0 ? examples[0] as Record<string, unknown> : {}
}

/** Every undocumented option of a schema, as `path: what is missing`. */
export function undocumentedOptions(schema: JsonSchema, base = ''): string[] {
  const out: string[] = []
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((schema.required ?? []) as string[])
  for (const [name, prop] of Object.entries(props)) {
    const at = `${base}${name}`
    if (typeof prop.description !== 'string' || prop.description.trim() === '') out.push(`${at}: no description`)
    if (!required.has(name) && base === '' && prop.default === undefined && !Array.isArray(prop.examples)) out.push(`${at}: optional, but neither a default nor examples`)
    if (prop.type === 'object' && prop.properties) out.push(...undocumentedOptions(prop, `${at}.`))
  }
  return out
}

async function withRun<T>(definition: PluginDefinition, opts: ConformanceOptions, body: (run: PluginRun) => Promise<T>): Promise<T> {
  const run = await runPlugin(definition, { options: exampleOptions(definition, opts) })
  let result: T
  try {
    result = await body(run)
  } catch (error) {
    await run.close().catch(() => {}) // the check's own failure is the one worth reporting
    throw error
  }
  await run.close()
  return result
}

function checkEvents(definition: PluginDefinition, items: readonly PipelineItem[], tenant: string): void {
  for (const item of items) {
    if (item.topic !== undefined) {
      const check = validateEventPublication({ topic: item.topic, type: item.type, tenant, data: item.data })
      if (!check.ok) fail(`"${definition.name}" emitted a ${item.type} event that does not match its schema: ${check.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`)
    }
    if (definition.kind === 'discovery' && item.type === 'snapshot') {
      try {
        parseSnapshotFile(toSnapshotFile(item.data as Snapshot), { source: `${definition.name} snapshot` })
      } catch (error) {
        fail(`"${definition.name}" emitted a snapshot that does not match schemas/snapshot.schema.json: ${(error as Error).message}`)
      }
    }
  }
}

/** The checks of one plugin's kind, in order; run each (or use `checkConformance`). */
export function conformanceChecks(definition: PluginDefinition, opts: ConformanceOptions = {}): ConformanceCheck[] {
  const timeoutMs = opts.timeoutMs ?? 2000
  const checks: ConformanceCheck[] = [
    {
      name: 'declares a valid definition (name, kind, version, apiVersion, description)',
      async run() {
        const problem = checkDefinition(definition, 'conformance')
        if (problem) fail(problem.message)
        if (!KEBAB.test(definition.name)) fail(`The name "${definition.name}" is not kebab-case.`)
        if (!semver.valid(definition.version)) fail(`The version "${definition.version}" is not semver.`)
        if (!definition.description?.trim()) fail(`"${definition.name}" has no description (\`tfdrift plugins list\` and docs/plugins.md show it).`)
      },
    },
    {
      name: 'documents every option (description, default or examples) and its examples validate',
      async run() {
        const schema = definition.optionsSchema
        if (!schema || typeof schema !== 'object') fail(`"${definition.name}" has no optionsSchema.`)
        if (typeof schema.description !== 'string' || !schema.description.trim()) fail(`The optionsSchema of "${definition.name}" has no description.`)
        const missing = undocumentedOptions(schema)
        if (missing.length > 0) fail(`Undocumented options of "${definition.name}": ${missing.join('; ')}.`)
        const examples = schema.examples
        if (!Array.isArray(examples) || examples.length === 0) fail(`The optionsSchema of "${definition.name}" has no \`examples\` (whole option objects a config could use).`)
        for (const [i, example] of (examples as unknown[]).entries()) {
          const checked = validateOptions(definition, example, `/examples/${i}`)
          if (!checked.ok) fail(`Example ${i} of "${definition.name}" does not validate: ${checked.problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}`)
        }
      },
    },
    {
      name: 'close is idempotent',
      async run() {
        await withRun(definition, opts, async (run) => {
          if (definition.kind === 'transport') await (run.instance as { start?(): unknown }).start?.()
          const close = (run.instance as { close?(): unknown }).close?.bind(run.instance)
          if (!close) return
          await close()
          await close()
        })
      },
    },
  ]
  if (definition.kind === 'discovery' || definition.kind === 'source') {
    checks.push(
      {
        name: 'emits nothing while demand is paused',
        async run() {
          await withRun(definition, opts, async (run) => {
            run.ctx.pause()
            const items = await run.pull(1, { timeoutMs: Math.min(timeoutMs, 300) })
            if (items.length > 0) fail(`"${definition.name}" emitted ${items[0]!.type} while its downstream had no room (await ctx.demand.ready() before emitting).`)
            run.ctx.resume()
          })
        },
      },
      {
        name: 'emits valid events and snapshots, and stops when aborted',
        async run() {
          await withRun(definition, opts, async (run) => {
            const first = await run.pull(3, { timeoutMs: Math.min(timeoutMs, 500) })
            checkEvents(definition, first, run.ctx.tenant)
            run.ctx.controller.abort()
            await (run.instance as { close?(): unknown }).close?.()
            // Items already in flight may still come; then the output must end.
            const rest = await run.pull(10_000, { timeoutMs })
            checkEvents(definition, rest, run.ctx.tenant)
            if (!run.ended()) fail(`The output of "${definition.name}" did not end within ${timeoutMs} ms of the abort signal and close().`)
          })
        },
      },
      {
        name: 'answers malformed pushes with a status (errors as data)',
        async run() {
          await withRun(definition, opts, async (run) => {
            for (const route of run.ctx.routes) {
              for (const body of [{ unexpected: true }, ['not', 'an', 'event'], 'text', null]) {
                let answer: { status: number }
                try {
                  answer = await route.handle(body, { tenant: run.ctx.tenant, headers: {} })
                } catch (error) {
                  fail(`Route ${route.path} of "${definition.name}" threw on a malformed body instead of answering with a status: ${(error as Error).message}`)
                }
                if (!Number.isInteger(answer!.status) || answer!.status < 200 || answer!.status > 599) fail(`Route ${route.path} of "${definition.name}" answered a malformed body with status ${answer!.status}.`)
              }
            }
          })
        },
      },
    )
  }
  const producer = definition.kind === 'discovery' || definition.kind === 'source'
  if (producer || opts.samples || definition.conformance) {
    checks.push({
      name: 'turns real sample inputs into output that validates against the published schemas',
      run: () => runSamples(definition, { ...opts, options: exampleOptions(definition, opts) }, checkEvents, fail),
    })
  }
  if (definition.kind === 'analysis' || definition.kind === 'remediation') {
    checks.push({
      name: 'lets items of unknown types flow and completes with its input (errors as data)',
      async run() {
        await withRun(definition, opts, async (run) => {
          const out = await run.feed([{ type: 'conformance.unknown', data: { anything: 1 } }, { type: 'conformance.unknown', data: null }], { timeoutMs })
          checkEvents(definition, out, run.ctx.tenant)
        })
      },
    })
  }
  if (definition.kind === 'transport') {
    checks.push({
      name: 'starts, and a delivering transport declares its delivery spec',
      async run() {
        await withRun(definition, opts, async (run) => {
          const instance = run.instance as { start?(): unknown; deliver?: unknown; delivery?: unknown }
          await instance.start?.()
          if (instance.deliver !== undefined) {
            if (typeof instance.deliver !== 'function') fail(`"${definition.name}" has a deliver that is not a function.`)
            if (!instance.delivery || typeof instance.delivery !== 'object') fail(`"${definition.name}" delivers but declares no delivery spec (route, batching, retries).`)
          }
        })
      },
    })
  }
  return checks
}

/** Runs every check of the plugin's kind and reports each (never throws). */
export async function checkConformance(definition: PluginDefinition, opts: ConformanceOptions = {}): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = []
  for (const check of conformanceChecks(definition, opts)) {
    try {
      await check.run()
      results.push({ name: check.name, ok: true })
    } catch (error) {
      results.push({ name: check.name, ok: false, message: (error as Error).message })
    }
  }
  return results
}
