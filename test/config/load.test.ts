import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { loadConfig, projectRoot } from '../../engine/config/load.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { API_VERSION } from '../../engine/plugin-api.ts'
import { tempProject } from './helpers.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function project(files: Record<string, string>, options?: { packageJson?: boolean }) {
  const p = tempProject(files, options)
  cleanups.push(p.cleanup)
  return p.dir
}

async function loadError(promise: Promise<unknown>): Promise<TfdriftError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(TfdriftError)
    return error as TfdriftError
  }
  throw new Error('expected loadConfig to fail')
}

describe('loadConfig search', () => {
  it('finds the config from a nested directory, up to the project root', async () => {
    const dir = project({ 'tfdrift.config.json': '{ "pipelines": { "main": {} } }' })
    const nested = path.join(dir, 'infra', 'modules', 'vpc')
    mkdirSync(nested, { recursive: true })
    const { config, file } = await loadConfig({ cwd: nested })
    expect(file).toBe(path.join(dir, 'tfdrift.config.json'))
    expect(config.pipelines).toEqual({ main: {} })
  })

  it('prefers the nearest directory and the first search place in it', async () => {
    const dir = project({
      'tfdrift.config.json': '{ "pipelines": { "outer": {} } }',
      'sub/.tfdriftrc': 'pipelines:\n  rc: {}\n',
      'sub/tfdrift.config.yaml': 'pipelines:\n  yaml: {}\n',
    })
    const { config, file } = await loadConfig({ cwd: path.join(dir, 'sub') })
    expect(file).toBe(path.join(dir, 'sub', 'tfdrift.config.yaml'))
    expect(Object.keys(config.pipelines)).toEqual(['yaml'])
  })

  it('stops at the project root (package.json) and reports TFD_ERR_CONFIG_NOT_FOUND', async () => {
    const dir = project({ 'tfdrift.config.json': '{ "pipelines": {} }', 'app/package.json': '{}' })
    mkdirSync(path.join(dir, 'app', 'src'), { recursive: true })
    expect(projectRoot(path.join(dir, 'app', 'src'))).toBe(path.join(dir, 'app'))
    const error = await loadError(loadConfig({ cwd: path.join(dir, 'app', 'src') }))
    expect(error.code).toBe('TFD_ERR_CONFIG_NOT_FOUND')
    expect(error.message).toContain(path.join(dir, 'app'))
  })

  it('stops at a .git directory too', async () => {
    const dir = project({ 'tfdrift.config.json': '{ "pipelines": {} }', 'repo/.git/HEAD': 'ref: refs/heads/main\n' })
    const error = await loadError(loadConfig({ cwd: path.join(dir, 'repo') }))
    expect(error.code).toBe('TFD_ERR_CONFIG_NOT_FOUND')
  })

  it('reports a missing --config file as TFD_ERR_CONFIG_NOT_FOUND naming it', async () => {
    const dir = project({})
    const error = await loadError(loadConfig({ cwd: dir, configPath: 'nope.config.ts' }))
    expect(error.code).toBe('TFD_ERR_CONFIG_NOT_FOUND')
    expect(error.problems[0]!.file).toBe(path.join(dir, 'nope.config.ts'))
  })
})

describe('TypeScript configs', () => {
  it('import their own local .ts modules and resolve tfdrift / tfdrift/plugins outside the package', async () => {
    const dir = project({
      'lib/ports.ts': 'export const port: number = 9191\nexport { tenant } from "./tenant.ts"\n',
      'lib/tenant.ts': 'export const tenant = "acme" as const\n',
      'tfdrift.config.ts': [
        "import { defineConfig, API_VERSION } from 'tfdrift'",
        "import { BUILTIN_PLUGINS } from 'tfdrift/plugins'",
        "import { port, tenant } from './lib/ports.ts'",
        "export default defineConfig({ server: { port }, pipelines: { main: { tenant, discovery: [{ use: 'demo', with: { api: API_VERSION, builtins: Array.isArray(BUILTIN_PLUGINS) } }] } } })",
      ].join('\n'),
    })
    const { config, file, problems } = await loadConfig({ cwd: dir })
    expect(file).toBe(path.join(dir, 'tfdrift.config.ts'))
    expect(problems).toEqual([])
    expect(config.server?.port).toBe(9191)
    expect(config.pipelines.main!.tenant).toBe('acme')
    expect(config.pipelines.main!.discovery![0]!.with).toEqual({ api: API_VERSION, builtins: true })
  })

  it('sees edits on the next load (no stale module cache)', async () => {
    const dir = project({ 'tfdrift.config.ts': 'export default { pipelines: { one: {} } }\n' })
    expect(Object.keys((await loadConfig({ cwd: dir })).config.pipelines)).toEqual(['one'])
    const { writeFileSync } = await import('node:fs')
    writeFileSync(path.join(dir, 'tfdrift.config.ts'), 'export default { pipelines: { two: {} } }\n')
    expect(Object.keys((await loadConfig({ cwd: dir })).config.pipelines)).toEqual(['two'])
  })

  it('reports a syntax error as TFD_ERR_CONFIG_LOAD naming the file', async () => {
    const dir = project({ 'tfdrift.config.ts': 'export default { pipelines: { \n' })
    const error = await loadError(loadConfig({ cwd: dir }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.message).toContain(path.join(dir, 'tfdrift.config.ts'))
    expect(error.problems[0]!.file).toBe(path.join(dir, 'tfdrift.config.ts'))
  })

  it('reports a failing import as TFD_ERR_CONFIG_LOAD with the module named', async () => {
    const dir = project({ 'tfdrift.config.ts': "import { x } from './missing-helper.ts'\nexport default { pipelines: {}, x }\n" })
    const error = await loadError(loadConfig({ cwd: dir }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.message).toContain('missing-helper')
  })

  it('rejects a config that exports no object', async () => {
    const dir = project({ 'tfdrift.config.mjs': 'export default 42\n' })
    expect((await loadError(loadConfig({ cwd: dir }))).code).toBe('TFD_ERR_CONFIG_LOAD')
  })
})

describe('JSON and YAML configs with environment interpolation', () => {
  const env = { TFD_TEST_TOKEN: 's3cret', TFD_TEST_PORT: '9000', TFD_EMPTY: '' }

  it('interpolates ${VAR} and ${VAR:-default} in JSON', async () => {
    const dir = project({ 'tfdrift.config.json': JSON.stringify({
      server: { auth: { tokens: [{ token: '${TFD_TEST_TOKEN}', tenant: '${TFD_TENANT:-acme}', scopes: ['read'] }] } },
      store: { kind: 'sqlite', path: '${TFD_DATA:-/var/lib}/tfdrift-${TFD_TEST_PORT}.db' },
      pipelines: { main: { discovery: [{ use: 'demo', with: { note: 'literal $${HOME}', empty: '${TFD_EMPTY:-fallback}' } }] } },
    }) })
    const { config, problems } = await loadConfig({ cwd: dir, env })
    expect(problems).toEqual([])
    expect(config.server?.auth?.tokens?.[0]).toEqual({ token: 's3cret', tenant: 'acme', scopes: ['read'] })
    expect(config.store).toEqual({ kind: 'sqlite', path: '/var/lib/tfdrift-9000.db' })
    expect(config.pipelines.main!.discovery![0]!.with).toEqual({ note: 'literal ${HOME}', empty: 'fallback' })
  })

  it('interpolates YAML (.tfdriftrc.yml) and reports every unset variable as a problem with its pointer', async () => {
    const dir = project({ '.tfdriftrc.yml': [
      'server:',
      '  auth:',
      '    tokens:',
      '      - { token: "${TFD_MISSING_TOKEN}", tenant: acme, scopes: [read] }',
      'bus: { kind: redis, url: "${TFD_MISSING_REDIS}" }',
      'pipelines:',
      '  main:',
      '    tenant: ${TFD_TEST_TOKEN}',
    ].join('\n') })
    const { config, file, problems } = await loadConfig({ cwd: dir, env })
    expect(file).toBe(path.join(dir, '.tfdriftrc.yml'))
    expect(config.pipelines.main!.tenant).toBe('s3cret')
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['TFD_ERR_CONFIG_ENV', '/server/auth/tokens/0/token'],
      ['TFD_ERR_CONFIG_ENV', '/bus/url'],
    ])
    expect(problems[0]!.message).toContain('TFD_MISSING_TOKEN')
    expect(problems[0]!.hint).toContain('${TFD_MISSING_TOKEN:-default}')
    expect(problems[0]!.file).toBe(file)
  })

  it('reports invalid YAML as TFD_ERR_CONFIG_LOAD naming the file', async () => {
    const dir = project({ 'tfdrift.config.yaml': 'pipelines:\n  main: [\n' })
    const error = await loadError(loadConfig({ cwd: dir }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.problems[0]!.file).toBe(path.join(dir, 'tfdrift.config.yaml'))
  })

  it('leaves TypeScript configs alone (they read process.env themselves)', async () => {
    const dir = project({ 'tfdrift.config.ts': "export default { pipelines: { main: { tenant: '${NOT_INTERPOLATED}' } } }\n" })
    const { config, problems } = await loadConfig({ cwd: dir, env: {} })
    expect(problems).toEqual([])
    expect(config.pipelines.main!.tenant).toBe('${NOT_INTERPOLATED}')
  })
})

describe('configs that are malformed, hostile or unusual (issue 11)', () => {
  const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`

  it('accepts a JSON config that starts with a UTF-8 byte order mark', async () => {
    const dir = project({ 'tfdrift.config.json': '\ufeff{ "pipelines": { "main": {} } }' })
    expect((await loadConfig({ cwd: dir })).config.pipelines).toEqual({ main: {} })
    expect((await loadConfig({ cwd: dir, configPath: 'tfdrift.config.json' })).config.pipelines).toEqual({ main: {} })
  })

  it.each([
    ['JSON, 100,000 levels', 'tfdrift.config.json', `{ "pipelines": {}, "x": ${nested(100_000)} }`],
    ['JSON, 600 levels', 'tfdrift.config.json', `{ "pipelines": {}, "x": ${nested(600)} }`],
    ['YAML flow, 100,000 levels', 'tfdrift.config.yaml', `pipelines: {}\nx: ${nested(100_000)}\n`],
    ['YAML block, 600 levels', '.tfdriftrc', `pipelines: {}\nx:\n${'- '.repeat(600)}1\n`],
  ])('bounds nesting depth (%s): TFD_ERR_CONFIG_LOAD naming the file and the limit', async (_name, file, text) => {
    const dir = project({ [file]: text })
    const error = await loadError(loadConfig({ cwd: dir }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.message).toContain(path.join(dir, file))
    expect(error.message).toMatch(/deeper than 512 levels/)
    expect(error.problems[0]).toMatchObject({ code: 'TFD_ERR_CONFIG_LOAD', file: path.join(dir, file) })
  })

  it('still reads a config nested 500 levels deep', async () => {
    const dir = project({ 'tfdrift.config.json': `{ "pipelines": { "main": { "discovery": [{ "use": "x", "with": { "deep": ${nested(500)} } }] } } }` })
    expect((await loadConfig({ cwd: dir })).config.pipelines.main).toBeDefined()
  })

  it('refuses a YAML alias bomb with TFD_ERR_CONFIG_LOAD naming the file, instead of expanding it', async () => {
    // Each level aliases the one before ten times: 10^6 copies once expanded.
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    const dir = project({ 'tfdrift.config.yaml': `${levels.join('\n')}\npipelines: {}\n` })
    const error = await loadError(loadConfig({ cwd: dir }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.message).toContain(path.join(dir, 'tfdrift.config.yaml'))
    expect(error.message).toMatch(/alias/i)
  })

  it('bounds the size of the resolved config: few aliases of a large anchor, or a huge JSON list', async () => {
    const big = `[${Array(20_000).fill('1').join(', ')}]`
    const aliased = project({ 'tfdrift.config.yaml': `base: &base ${big}\ncopies: [${Array(10).fill('*base').join(', ')}]\npipelines: {}\n` })
    const listed = project({ 'tfdrift.config.json': `{ "pipelines": {}, "x": [${Array(250_000).fill('0').join(',')}] }` })
    for (const dir of [aliased, listed]) {
      const error = await loadError(loadConfig({ cwd: dir }))
      expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
      expect(error.message).toMatch(/more than 100000 values/)
      expect(error.problems[0]!.file).toMatch(/tfdrift\.config\.(yaml|json)$/)
    }
  })

  it('keeps YAML merge keys and plain date-like strings working', async () => {
    const dir = project({ 'tfdrift.config.yaml': [
      'defaults: &defaults { tenant: acme }',
      'pipelines:',
      '  main:',
      '    <<: *defaults',
      '    discovery: [{ use: demo, with: { since: 2024-01-01 } }]',
    ].join('\n') })
    const { config } = await loadConfig({ cwd: dir })
    expect(config.pipelines.main!.tenant).toBe('acme')
    expect(config.pipelines.main!.discovery![0]!.with).toEqual({ since: '2024-01-01' })
  })

  it('names a directory given as --config for what it is', async () => {
    const dir = project({ 'conf.d/x': '' })
    const error = await loadError(loadConfig({ cwd: dir, configPath: 'conf.d' }))
    expect(error.code).toBe('TFD_ERR_CONFIG_LOAD')
    expect(error.message).toMatch(/conf\.d: is a directory, not a regular file/)
  })
})
