/**
 * How to give headless Chromium a working WebGPU adapter on a machine without a GPU (the browser tests
 * and `bench:ui --renderer webgpu` use it): Dawn on Vulkan, with the SwiftShader Vulkan driver that
 * Chromium ships beside its binary. Both parts matter. `--enable-unsafe-webgpu` alone (Debian's
 * Chromium 150) hands out a SwiftShader adapter and a device that is dead: every asynchronous call
 * rejects with "A valid external Instance reference no longer exists" and nothing is presented. That
 * is the case the dashboard's fallback to WebGL exists for.
 */
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan']

/** Launch additions for WebGPU in the Chromium at `binary`, or undefined when its SwiftShader ICD is not found. */
export function webgpuChromium(binary: string): { args: string[]; env: Record<string, string> } | undefined {
  // /usr/bin/chromium is Debian's wrapper script; the ICD sits beside the real binary in /usr/lib/chromium.
  const dirs = [dirname(existsSync(binary) ? realpathSync(binary) : binary), '/usr/lib/chromium', '/usr/lib/chromium-browser']
  const icd = dirs.map((d) => join(d, 'vk_swiftshader_icd.json')).find((f) => existsSync(f))
  return icd ? { args: WEBGPU_ARGS, env: { VK_ICD_FILENAMES: icd } } : undefined
}
