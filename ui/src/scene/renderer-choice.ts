/**
 * Which Pixi renderer the scene starts (pure, no Pixi): WebGPU when the browser hands out an adapter,
 * else WebGL2; `?renderer=webgl|webgpu` forces one. A forced or detected WebGPU that then fails to
 * start or to draw still falls back to WebGL (scene.ts), so the choice can never leave a blank page.
 */
export type RendererKind = 'webgl' | 'webgpu'

/** The part of `navigator.gpu` the choice needs. */
export interface GpuLike { requestAdapter(): Promise<unknown> }

/** The renderer a `?renderer=` query parameter forces, if any (other values are ignored). */
export function forcedRenderer(search: string): RendererKind | undefined {
  const value = new URLSearchParams(search).get('renderer')?.toLowerCase()
  return value === 'webgl' || value === 'webgpu' ? value : undefined
}

/** The renderer to start first: the forced one, else WebGPU when `gpu` yields an adapter. */
export async function chooseRenderer(forced: RendererKind | undefined, gpu: GpuLike | undefined): Promise<RendererKind> {
  if (forced) return forced
  if (!gpu) return 'webgl'
  try {
    return (await gpu.requestAdapter()) ? 'webgpu' : 'webgl'
  } catch {
    return 'webgl'
  }
}
