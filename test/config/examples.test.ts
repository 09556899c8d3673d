import { describe, expect, it } from 'vitest'
import { readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig } from '../../engine/config/validate.ts'
import { SEARCH_PLACES } from '../../engine/config/load.ts'
import { formatProblem } from '../../engine/cli/problems.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CONFIG_FILE = /\.(config\.(ts|mts|js|mjs|json|ya?ml)|json|ya?ml)$/

/** Every config shipped in config/ and config/examples/ (plugin modules under examples/plugins are not configs). */
function shippedConfigs(): string[] {
  const files: string[] = []
  for (const dir of ['config', 'config/examples']) {
    const abs = path.join(ROOT, dir)
    if (!existsSync(abs)) continue
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.isFile() && (CONFIG_FILE.test(entry.name) || SEARCH_PLACES.includes(entry.name))) files.push(`${dir}/${entry.name}`)
    }
  }
  return files.sort()
}

describe('shipped configs', () => {
  const configs = shippedConfigs()

  it('include the embedded default and examples in every format', () => {
    expect(configs).toContain('config/default.config.ts')
    for (const ext of ['.ts', '.json', '.yaml']) expect(configs.some((f) => f.startsWith('config/examples/') && f.endsWith(ext)), ext).toBe(true)
  })

  it.each(configs)('%s validates (schema, plugins, options, wiring)', async (file) => {
    // Examples give every variable a default, so they validate in a bare environment.
    const resolved = await resolveConfig({ cwd: ROOT, configPath: file, env: {} })
    expect(resolved.problems.map((p) => formatProblem(p, ROOT))).toEqual([])
    expect(Object.isFrozen(resolved.config)).toBe(true)
  })
})
