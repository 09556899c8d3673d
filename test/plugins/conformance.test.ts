/**
 * Every built-in passes the conformance suite of its kind — found from the registry (`tfdrift/plugins`'
 * BUILTIN_PLUGINS, what `tfdrift plugins list` shows), not from a hand-kept list — and the suite fails
 * plugins that break the contract, so passing it means something.
 */
import { describe, expect, it } from 'vitest'
import { from, map } from 'rxjs'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import { definePlugin, PLUGIN_KINDS, type PipelineItem } from 'tfdrift'
import { checkConformance, type ConformanceSample } from 'tfdrift/testing'
import { conformanceSuite } from 'tfdrift/testing/vitest'
import { corpusDir } from '../support/corpus.ts'

// The built-ins' samples take in the real-data corpus wherever it is present (read in place).
const corpus = corpusDir()
if (corpus) process.env.TFDRIFT_CORPUS ??= corpus

describe('the registry', () => {
  it('holds at least one built-in of every kind, each name once', () => {
    expect(new Set(BUILTIN_PLUGINS.map((p) => p.kind))).toEqual(new Set(PLUGIN_KINDS))
    expect(new Set(BUILTIN_PLUGINS.map((p) => p.name)).size).toBe(BUILTIN_PLUGINS.length)
  })
})

for (const plugin of BUILTIN_PLUGINS) conformanceSuite(plugin)

describe('the conformance suite fails plugins that break the contract', () => {
  const documented = { description: 'Options.', type: 'object', additionalProperties: false, properties: {}, examples: [{}] }

  it('an undocumented option, no examples, a producer that ignores demand and never stops', async () => {
    let closes = 0
    const bad = definePlugin({
      name: 'bad-producer', kind: 'discovery', version: '1.0.0', apiVersion: '^1.0.0', description: 'Breaks every rule.',
      optionsSchema: { description: 'Options.', type: 'object', properties: { every: { type: 'string' } } },
      create: () => ({
        output: from(Array.from({ length: 3 }, (_, i) => i)).pipe(map((i): PipelineItem => ({ type: 'snapshot', data: { bogus: i } }))),
        close() { if (++closes > 1) throw new Error('closed twice') },
      }),
    })
    const results = Object.fromEntries((await checkConformance(bad, { timeoutMs: 200 })).map((r) => [r.name, r]))
    expect(results['documents every option (description, default or examples) and its examples validate']!.message).toMatch(/every: no description/)
    expect(results['close is idempotent']!.message).toMatch(/closed twice/)
    expect(results['emits nothing while demand is paused']!.ok).toBe(false)
    expect(results['emits valid events and snapshots, and stops when aborted']!.message).toMatch(/snapshot/)
  })

  it('a push route that throws on a malformed body, and an operator that errors on unknown items', async () => {
    const thrower = definePlugin({
      name: 'thrower', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', description: 'Throws.', optionsSchema: documented,
      create: (ctx) => {
        ctx.ingress.register({ method: 'POST', path: '/x', scope: 'publish', handle: async () => { throw new Error('bad body') } })
        return { output: from([]) }
      },
    })
    const failing = definePlugin({
      name: 'failing', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', description: 'Errors.', optionsSchema: documented,
      create: () => ({ operator: (input$) => input$.pipe(map(() => { throw new Error('unknown item') })) }),
    })
    const push = await checkConformance(thrower, { timeoutMs: 200 })
    expect(push.find((r) => r.name.startsWith('answers malformed pushes'))!.message).toMatch(/threw on a malformed body/)
    const op = await checkConformance(failing, { timeoutMs: 200 })
    expect(op.find((r) => r.name.startsWith('lets items of unknown types flow'))!.message).toMatch(/errored: unknown item/)
  })

  it('a source without samples, one whose sample yields invalid events, and one publishing a type with no schema', async () => {
    const source = (name: string, emit: (body: unknown) => PipelineItem) => definePlugin({
      name, kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', description: 'Pushes.', optionsSchema: documented,
      create: (ctx) => {
        const items: PipelineItem[] = []
        ctx.ingress.register({ method: 'POST', path: '/in', scope: 'publish', handle: async (body) => { items.push(emit(body)); return { status: 202 } } })
        return { output: (async function* () { while (!ctx.signal.aborted) { const item = items.shift(); if (item) yield item; else await new Promise((r) => setTimeout(r, 5)) } })() }
      },
    })
    const sampleCheck = async (plugin: ReturnType<typeof source>, samples?: ConformanceSample[]) =>
      (await checkConformance(plugin, { timeoutMs: 200, samples })).find((r) => r.name.startsWith('turns real sample inputs'))!
    expect((await sampleCheck(source('silent', (b) => ({ type: 'change.received', topic: 'events', data: b })))).message).toMatch(/supplies no conformance samples/)
    const body = { event_name: 'RunInstances' }
    expect((await sampleCheck(source('invalid', (b) => ({ type: 'change.received', topic: 'events', data: b })), [{ name: 'half an event', push: { body } }])).message)
      .toMatch(/Sample "half an event": "invalid" emitted a change.received event that does not match its schema/)
    expect((await sampleCheck(source('unpublished', (b) => ({ type: 'custom.thing', topic: 'events', data: b })), [{ name: 'x', push: { body } }])).message)
      .toMatch(/custom.thing event from sample "x", a type with no published schema/)
  })
})
