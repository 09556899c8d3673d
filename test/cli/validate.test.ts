import { afterEach, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { tempProject } from '../config/helpers.ts'
import { runCli } from './support.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function project(files: Record<string, string>) {
  const p = tempProject(files)
  cleanups.push(p.cleanup)
  return p.dir
}

const NEEDS_URL_PLUGIN = [
  'export default {',
  "  name: 'needs-url', kind: 'transport', version: '1.0.0', apiVersion: '^1.0.0',",
  "  optionsSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string' } }, additionalProperties: false },",
  '  create: () => ({}),',
  '}',
].join('\n')

describe('tfdrift validate', () => {
  it('lists every problem of a broken config at once, with pointers, hints and codes, and exits 1', async () => {
    const dir = project({
      'plugins/needs-url.mjs': NEEDS_URL_PLUGIN,
      'broken.json': JSON.stringify({
        sever: {},
        server: { port: 'eighty', auth: { tokens: [{ token: '${TFD_CLI_UNSET_TOKEN}', tenant: 'acme', scopes: ['read'] }] } },
        bus: { kind: 'redis' },
        pipelines: { prod: {
          discovery: [{ use: 'no-such-plugin-anywhere' }],
          transports: [{ use: './plugins/needs-url.mjs', with: { uri: 'http://x' }, queue: { policy: 'lifo' } }],
        } },
      }, null, 2),
    })
    const result = await runCli(['validate', '--config', 'broken.json'], { cwd: dir, env: { TFD_CLI_UNSET_TOKEN: undefined } })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    const expected = [
      /^broken\.json#\/server\/auth\/tokens\/0\/token: environment variable TFD_CLI_UNSET_TOKEN is not set \(.+\) \[TFD_ERR_CONFIG_ENV\]$/,
      /^broken\.json#\/sever: unknown property "sever" \(did you mean "server"\?\) \[TFD_ERR_CONFIG_INVALID\]$/,
      /^broken\.json#\/server\/port: must be integer, got string \(.+\) \[TFD_ERR_CONFIG_INVALID\]$/,
      /^broken\.json#\/bus\/url: missing required property "url" \(.+\) \[TFD_ERR_CONFIG_INVALID\]$/,
      /^broken\.json#\/pipelines\/prod\/transports\/0\/queue\/policy: must be one of .+ \[TFD_ERR_CONFIG_INVALID\]$/,
      /^broken\.json#\/pipelines\/prod\/discovery\/0\/use: .*no-such-plugin-anywhere.* \[TFD_ERR_PLUGIN_NOT_FOUND\]$/,
      /^broken\.json#\/pipelines\/prod\/transports\/0\/with.*: .+ \[TFD_ERR_PLUGIN_OPTIONS\]$/,
    ]
    for (const pattern of expected) expect(lines.some((line) => pattern.test(line)), `${pattern}\n${result.stderr}`).toBe(true)
    expect(lines.at(-1)).toBe(`${lines.length - 1} problems found.`)
    expect(lines.length - 1).toBeGreaterThanOrEqual(expected.length)
  })

  it('prints the problems as JSON with --json', async () => {
    const dir = project({ 'tfdrift.config.yaml': 'store: { kind: disk }\npipelines: {}\n' })
    const result = await runCli(['validate', '--json'], { cwd: dir })
    expect(result.code).toBe(1)
    const problems = JSON.parse(result.stdout) as Array<{ code: string; pointer: string; file: string }>
    expect(problems).toEqual([expect.objectContaining({ code: 'TFD_ERR_CONFIG_INVALID', pointer: '/store/kind', file: path.join(dir, 'tfdrift.config.yaml') })])
  })

  it('accepts a valid config found by search and exits 0', async () => {
    const dir = project({ 'tfdrift.config.ts': "import { defineConfig } from 'tfdrift'\nexport default defineConfig({ store: { kind: 'memory' }, pipelines: {} })\n" })
    const result = await runCli(['validate'], { cwd: dir })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('tfdrift.config.ts is valid: 0 pipelines, 0 nodes.\n')
    expect(result.code).toBe(0)
  })

  it('reports a missing config with TFD_ERR_CONFIG_NOT_FOUND and exits 1', async () => {
    const dir = project({})
    const result = await runCli(['validate'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('[TFD_ERR_CONFIG_NOT_FOUND]')
    expect(result.stderr).toContain('tfdrift init')
  })

  it('reports a config with a syntax error with TFD_ERR_CONFIG_LOAD naming the file', async () => {
    const dir = project({})
    writeFileSync(path.join(dir, 'tfdrift.config.ts'), 'export default { pipelines: {\n')
    const result = await runCli(['validate'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^tfdrift\.config\.ts: could not load the config: .+ \[TFD_ERR_CONFIG_LOAD\]$/m)
  })

  it('run refuses an invalid config with the same problem list and exit 1', async () => {
    const dir = project({ 'tfdrift.config.json': '{ "store": { "kind": "disk" }, "pipelines": {} }' })
    const result = await runCli(['run'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('tfdrift.config.json#/store/kind: must be one of "memory", "sqlite", got "disk"')
  })
})
