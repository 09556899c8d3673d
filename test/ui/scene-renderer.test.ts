/** Renderer choice (pure): `?renderer=` forces one; otherwise WebGPU only when the browser yields an adapter. */
import { describe, expect, it } from 'vitest'
import { chooseRenderer, forcedRenderer } from '../../ui/src/scene/renderer-choice.ts'

const gpu = (adapter: unknown) => ({ requestAdapter: async () => adapter })

describe('renderer choice', () => {
  it('reads ?renderer=webgl|webgpu (any case) and ignores anything else', () => {
    expect(forcedRenderer('?renderer=webgpu')).toBe('webgpu')
    expect(forcedRenderer('?token=x&renderer=WebGL')).toBe('webgl')
    expect(forcedRenderer('?renderer=canvas')).toBeUndefined()
    expect(forcedRenderer('')).toBeUndefined()
  })

  it('prefers WebGPU when navigator.gpu yields an adapter, else WebGL', async () => {
    expect(await chooseRenderer(undefined, gpu({}))).toBe('webgpu')
    expect(await chooseRenderer(undefined, gpu(null))).toBe('webgl')
    expect(await chooseRenderer(undefined, undefined)).toBe('webgl')
    expect(await chooseRenderer(undefined, { requestAdapter: () => Promise.reject(new Error('blocked')) })).toBe('webgl')
  })

  it('a forced renderer wins without asking for an adapter', async () => {
    const asked: string[] = []
    const spy = { requestAdapter: async () => { asked.push('adapter'); return {} } }
    expect(await chooseRenderer('webgl', spy)).toBe('webgl')
    expect(await chooseRenderer('webgpu', undefined)).toBe('webgpu')
    expect(asked).toEqual([])
  })
})
