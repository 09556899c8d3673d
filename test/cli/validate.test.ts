import { afterEach, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
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
    expect(result.stdout).toBe('tfdrift.config.ts is valid: no pipelines (a relay-only config: `tfdrift relay` serves it; `tfdrift run` needs a pipeline).\n')
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

  it('accepts a relay-only config (server, no pipelines) and says what it is for', async () => {
    const dir = project({ 'relay.json': JSON.stringify({ server: { port: 8089 }, store: { kind: 'memory' } }) })
    const result = await runCli(['validate', '--config', 'relay.json'], { cwd: dir })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^relay\.json is valid: no pipelines \(a relay-only config/)
  })

  // The YAML of the issue: 1.4 GB of memory after 30 s. The memory cap makes the old behaviour fail fast.
  const bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`), 'pipelines: {}'].join('\n')
  it.each([['validate'], ['run']])('%s refuses a YAML alias bomb at once with TFD_ERR_CONFIG_LOAD naming the file', async (command) => {
    const dir = project({ 'tfdrift.config.yaml': bomb })
    const result = await runCli([command], { cwd: dir, env: { NODE_OPTIONS: '--max-old-space-size=256' } })
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toMatch(/^tfdrift\.config\.yaml: the YAML resolves aliases more than 100 times .* \[TFD_ERR_CONFIG_LOAD\]$/m)
  })

  it('reports a JSON config nested 100,000 levels deep with TFD_ERR_CONFIG_LOAD and the limit, not a stack overflow', async () => {
    const dir = project({ 'deep.json': `{ "pipelines": {}, "x": ${'['.repeat(100_000)}${']'.repeat(100_000)} }` })
    const result = await runCli(['validate', '--config', 'deep.json'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^deep\.json: the JSON nests deeper than 512 levels \(line 1, column 536\)\. .*\[TFD_ERR_CONFIG_LOAD\]$/m)
    expect(result.stderr).not.toMatch(/call stack/)
  })

  it('names a FIFO given as --config, or found by the search, without opening it (no hang)', async () => {
    const dir = project({})
    expect(spawnSync('mkfifo', [path.join(dir, 'pipe.json')]).status).toBe(0)
    const explicit = await runCli(['validate', '--config', 'pipe.json'], { cwd: dir })
    expect(explicit.code).toBe(1)
    expect(explicit.stderr).toMatch(/^pipe\.json: is a FIFO \(named pipe\), not a regular file .*\[TFD_ERR_CONFIG_LOAD\]$/m)
    expect(spawnSync('mkfifo', [path.join(dir, 'tfdrift.config.json')]).status).toBe(0)
    const searched = await runCli(['validate'], { cwd: dir })
    expect(searched.code).toBe(1)
    expect(searched.stderr).toMatch(/^tfdrift\.config\.json: is a FIFO \(named pipe\), not a regular file .*\[TFD_ERR_CONFIG_LOAD\]$/m)
  }, 20_000)

  it('reports two ingress routes of one tenant on one method and path at the second node, coded, before anything runs', async () => {
    const dir = project({ 'clash.json': JSON.stringify({ store: { kind: 'memory' }, pipelines: {
      a: { tenant: 'acme', sources: [{ use: 'falco' }] },
      b: { tenant: 'acme', sources: [{ use: 'cloudtrail' }, { use: 'falco', with: { queue_size: 10 } }] },
    } }) })
    const result = await runCli(['validate', '--config', 'clash.json'], { cwd: dir })
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toMatch(/^clash\.json#\/pipelines\/b\/sources\/1: .*POST \/api\/v1\/falco\/events.*"a\.sources\.0".* \[TFD_ERR_INGRESS_CONFLICT\]$/m)
    expect(result.stderr.trim().split('\n').at(-1)).toBe('1 problem found.')
  })

  it('accepts the same ingress path in pipelines of two tenants', async () => {
    const dir = project({ 'shared.json': JSON.stringify({ store: { kind: 'memory' }, pipelines: {
      a: { tenant: 'acme', sources: [{ use: 'falco' }] },
      b: { tenant: 'beta', sources: [{ use: 'falco' }] },
    } }) })
    const result = await runCli(['validate', '--config', 'shared.json'], { cwd: dir })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('run refuses an invalid config with the same problem list and exit 1', async () => {
    const dir = project({ 'tfdrift.config.json': '{ "store": { "kind": "disk" }, "pipelines": {} }' })
    const result = await runCli(['run'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('tfdrift.config.json#/store/kind: must be one of "memory", "sqlite", got "disk"')
  })

  it('run with a config that declares no pipelines says there is nothing to run, coded, and exits 1', async () => {
    const dir = project({ 'relay.json': JSON.stringify({ server: { port: 8089 }, store: { kind: 'memory' } }) })
    const result = await runCli(['run', '--config', 'relay.json'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^relay\.json#\/pipelines: .*nothing to run.*tfdrift relay.* \[TFD_ERR_RUN_NO_PIPELINES\]$/m)
  })
})
