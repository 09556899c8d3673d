import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { EMPTY } from 'rxjs'
import { resolvePlugin, packageCandidates } from '../../engine/host/resolve.ts'
import { definePlugin, API_VERSION } from '../../engine/plugin-api.ts'

const builtin = definePlugin({ name: 'ticker', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, create: () => ({ output: EMPTY }) })
const pluginSource = (name: string, apiVersion = '^1.0.0', kind = 'analysis') =>
  `export default { name: '${name}', kind: '${kind}', version: '0.1.0', apiVersion: '${apiVersion}', optionsSchema: {}, create: () => ({ operator: (x) => x }) }\n`

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-resolve-'))
  mkdirSync(path.join(dir, 'plugins'))
  writeFileSync(path.join(dir, 'plugins', 'local.ts'), `import type { PluginDefinition } from '${path.resolve('engine/plugin-api.ts')}'\nconst def: PluginDefinition = ${pluginSource('local-ts').replace('export default ', '').trim()}\nexport const plugin = def\n`)
  writeFileSync(path.join(dir, 'plugins', 'factory.js'), `export default function make() { return ${pluginSource('from-factory').replace('export default ', '').trim()} }\n`)
  writeFileSync(path.join(dir, 'plugins', 'empty.js'), 'export const nothing = 1\n')
  writeFileSync(path.join(dir, 'plugins', 'future.js'), pluginSource('future', '^2.0.0'))
  writeFileSync(path.join(dir, 'plugins', 'broken.js'), 'export default {{{\n')
  const pkg = (name: string, body: string) => {
    const p = path.join(dir, 'node_modules', ...name.split('/'))
    mkdirSync(p, { recursive: true })
    writeFileSync(path.join(p, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js' }))
    writeFileSync(path.join(p, 'index.js'), body)
  }
  pkg('tfdrift-plugin-x', pluginSource('x'))
  pkg('@acme/tfdrift-plugin-y', pluginSource('y', '>=1.0.0 <2.0.0', 'remediation'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ctx = () => ({ builtins: [builtin], configDir: dir, pointer: '/pipelines/p/analysis/0/use' })

describe('resolvePlugin', () => {
  it('finds a built-in by name', async () => {
    const r = await resolvePlugin('ticker', ctx())
    expect('definition' in r && r.definition).toBe(builtin)
  })

  it('accepts an inline definition object', async () => {
    const r = await resolvePlugin(builtin, ctx())
    expect('definition' in r && r.from).toBe('inline')
  })

  it('loads a local .ts file relative to the config folder (named export `plugin`)', async () => {
    const r = await resolvePlugin('./plugins/local.ts', ctx())
    expect('definition' in r && r.definition.name).toBe('local-ts')
  })

  it('calls a factory export', async () => {
    const r = await resolvePlugin('./plugins/factory.js', ctx())
    expect('definition' in r && r.definition.name).toBe('from-factory')
  })

  it('maps a bare name to the tfdrift-plugin-<name> package, and finds scoped packages', async () => {
    const x = await resolvePlugin('x', ctx())
    expect('definition' in x && x.definition.name).toBe('x')
    const full = await resolvePlugin('tfdrift-plugin-x', ctx())
    expect('definition' in full && full.definition.name).toBe('x')
    const y = await resolvePlugin('@acme/y', ctx())
    expect('definition' in y && y.definition.name).toBe('y')
    expect(packageCandidates('@acme/y')).toEqual(['@acme/y', '@acme/tfdrift-plugin-y'])
  })

  it('reports an unknown plugin with TFD_ERR_PLUGIN_NOT_FOUND, the names tried and the built-ins', async () => {
    const r = await resolvePlugin('nope', ctx())
    expect('problem' in r).toBe(true)
    if (!('problem' in r)) return
    expect(r.problem.code).toBe('TFD_ERR_PLUGIN_NOT_FOUND')
    expect(r.problem.pointer).toBe('/pipelines/p/analysis/0/use')
    expect(r.problem.message).toContain('tfdrift-plugin-nope')
    expect(r.problem.hint).toContain('ticker')
  })

  it('reports a missing local file', async () => {
    const r = await resolvePlugin('./plugins/missing.js', ctx())
    expect('problem' in r && r.problem.code).toBe('TFD_ERR_PLUGIN_NOT_FOUND')
  })

  it('reports an apiVersion mismatch clearly instead of crashing', async () => {
    const r = await resolvePlugin('./plugins/future.js', ctx())
    expect('problem' in r).toBe(true)
    if (!('problem' in r)) return
    expect(r.problem.code).toBe('TFD_ERR_PLUGIN_API_VERSION')
    expect(r.problem.message).toContain('^2.0.0')
    expect(r.problem.message).toContain(API_VERSION)
  })

  it('reports modules that export no plugin or fail to load', async () => {
    const empty = await resolvePlugin('./plugins/empty.js', ctx())
    expect('problem' in empty && empty.problem.code).toBe('TFD_ERR_PLUGIN_INVALID')
    const broken = await resolvePlugin('./plugins/broken.js', ctx())
    expect('problem' in broken && broken.problem.code).toBe('TFD_ERR_PLUGIN_INVALID')
    const bad = await resolvePlugin({ ...builtin, apiVersion: 'not a range' }, ctx())
    expect('problem' in bad && bad.problem.code).toBe('TFD_ERR_PLUGIN_API_VERSION')
  })
})
