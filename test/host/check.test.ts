import { describe, it, expect } from 'vitest'
import { EMPTY } from 'rxjs'
import { checkPipelines, checkAll } from '../../engine/host/check.ts'
import { definePlugin } from '../../engine/plugin-api.ts'
import type { TfdriftConfig } from '../../engine/config/types.ts'

const source = definePlugin({
  name: 'poller', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0',
  optionsSchema: {
    type: 'object', additionalProperties: false, required: ['url'],
    properties: { url: { type: 'string' }, interval_ms: { type: 'integer', minimum: 10, default: 1000 }, mode: { enum: ['a', 'b'] } },
  },
  create: () => ({ output: EMPTY }),
})
const analysis = definePlugin({ name: 'pass', kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create: () => ({ operator: (x) => x }) })
const builtins = [source, analysis]

describe('checkPipelines', () => {
  it('applies option defaults without changing the config', async () => {
    const config: TfdriftConfig = { pipelines: { p: { sources: [{ use: 'poller', with: { url: 'http://x' } }] } } }
    const { problems, nodes } = await checkAll(config, { configDir: process.cwd(), builtins })
    expect(problems).toEqual([])
    expect(nodes[0]!.options).toEqual({ url: 'http://x', interval_ms: 1000 })
    expect(config.pipelines.p!.sources![0]!.with).toEqual({ url: 'http://x' })
  })

  it('reports invalid options with JSON pointers to each option', async () => {
    const config: TfdriftConfig = { pipelines: { prod: { sources: [{ use: 'poller', with: { interval_ms: 'soon', mode: 'c', extra: 1 } }] } } }
    const problems = await checkPipelines(config, { configDir: process.cwd(), builtins })
    expect(problems.every((p) => p.code === 'TFD_ERR_PLUGIN_OPTIONS')).toBe(true)
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      '/pipelines/prod/sources/0/with/extra',
      '/pipelines/prod/sources/0/with/interval_ms',
      '/pipelines/prod/sources/0/with/mode',
      '/pipelines/prod/sources/0/with/url',
    ])
    expect(problems.find((p) => p.pointer!.endsWith('/url'))!.message).toContain('needs option "url"')
  })

  it('reports every problem of a broken config at once, never throwing', async () => {
    const config = {
      pipelines: {
        a: {
          sources: [{ use: 'nope' }, { use: 'pass' }],
          analysis: [{ use: 'pass', id: 'x', inputs: ['y'] }, { use: 'pass', id: 'y', inputs: ['x'] }, { use: 'pass', inputs: ['ghost'] }],
        },
        b: { analysis: [{ use: { name: 'future', kind: 'analysis', version: '1', apiVersion: '^9.0.0', optionsSchema: {}, create: () => ({}) } }] },
        c: null,
      },
    } as unknown as TfdriftConfig
    const problems = await checkPipelines(config, { configDir: process.cwd(), builtins })
    const codes = problems.map((p) => `${p.code} ${p.pointer}`)
    expect(codes).toContain('TFD_ERR_PLUGIN_NOT_FOUND /pipelines/a/sources/0/use')
    expect(codes).toContain('TFD_ERR_WIRING /pipelines/a/sources/1/use') // an analysis plugin under sources
    expect(codes).toContain('TFD_ERR_WIRING /pipelines/a/analysis/2/inputs/0') // dangling
    expect(problems.some((p) => p.code === 'TFD_ERR_WIRING' && p.message.includes('cycle'))).toBe(true)
    expect(codes).toContain('TFD_ERR_PLUGIN_API_VERSION /pipelines/b/analysis/0/use')
  })
})
