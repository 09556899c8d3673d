/**
 * Every built-in passes the conformance suite of its kind — found from the registry (`tfdrift/plugins`'
 * BUILTIN_PLUGINS, what `tfdrift plugins list` shows), not from a hand-kept list — and the suite fails
 * plugins that break the contract, so passing it means something.
 */
import { describe, expect, it } from 'vitest'
import { from, map } from 'rxjs'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import { definePlugin, PLUGIN_KINDS, type PipelineItem } from 'tfdrift'
import { checkConformance } from 'tfdrift/testing'
import { conformanceSuite } from 'tfdrift/testing/vitest'

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
})
