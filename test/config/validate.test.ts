import { afterEach, describe, expect, it } from 'vitest'
import path from 'node:path'
import { validateSchema, validateConfig, resolveConfig, deepFreeze } from '../../engine/config/validate.ts'
import { definePlugin } from '../../engine/plugin-api.ts'
import { tempProject } from './helpers.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function project(files: Record<string, string>) {
  const p = tempProject(files)
  cleanups.push(p.cleanup)
  return p.dir
}

const inline = definePlugin({
  name: 'inline-source', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: { type: 'object' },
  create: () => ({ output: [] as never }),
})

describe('validateSchema', () => {
  it('accepts a complete config, including plugin definition objects as `use`', () => {
    expect(validateSchema({
      server: { port: 8080, host: '127.0.0.1', auth: { tokens: [{ token: 't', tenant: 'acme', scopes: ['read', 'publish'] }] } },
      store: { kind: 'sqlite', path: '.tfdrift/x.db' },
      bus: { kind: 'redis', url: 'redis://localhost:6379', history: { max_events: 10 } },
      log: { level: 'debug' },
      shutdown_timeout_ms: 5000,
      pipelines: { prod: { tenant: 'acme', sources: [{ use: inline, id: 'src', queue: { size: 10, policy: 'drop_oldest' } }], analysis: [{ use: 'drift', inputs: ['src'] }] } },
    })).toEqual([])
  })

  it('reports every problem at once, each with a JSON pointer, message and hint', () => {
    const problems = validateSchema({
      sever: {},
      server: { port: 'eighty', auth: { tokens: [{ tenant: 'a', scopes: ['write'] }] } },
      store: { kind: 'memory', path: 'x.db' },
      bus: { kind: 'redis' },
      pipelines: {
        'Bad Name': {},
        prod: { discovery: [{ use: 'terraform-state', wth: {} }, { use: '' }], transports: [{ use: 'realtime', queue: { policy: 'lifo' } }] },
      },
    }, '/cfg/tfdrift.config.json')
    expect(problems.map((p) => p.pointer)).toEqual([
      '/sever',
      '/server/port',
      '/server/auth/tokens/0/token',
      '/server/auth/tokens/0/scopes/0',
      '/store',
      '/bus/url',
      '/pipelines/Bad Name',
      '/pipelines/prod/discovery/0/wth',
      '/pipelines/prod/discovery/1/use',
      '/pipelines/prod/transports/0/queue/policy',
    ])
    for (const p of problems) {
      expect(p.code).toBe('TFD_ERR_CONFIG_INVALID')
      expect(p.file).toBe('/cfg/tfdrift.config.json')
      expect(p.message.length).toBeGreaterThan(5)
      expect(p.hint, p.pointer).toBeTruthy()
    }
    expect(problems[0]!.hint).toBe('did you mean "server"?')
    expect(problems[7]!.hint).toBe('did you mean "with"?')
    expect(problems[1]!.message).toBe('must be integer, got string')
    expect(problems[9]!.message).toContain('"drop_oldest"')
  })

  it('accepts a config without pipelines (relay-only), checks them when present, and rejects non-objects', () => {
    expect(validateSchema({})).toEqual([])
    expect(validateSchema({ server: { port: 8080 } })).toEqual([])
    expect(validateSchema({ pipelines: [] }).map((p) => p.pointer)).toEqual(['/pipelines'])
    expect(validateSchema([]).map((p) => p.message)).toEqual(['must be object, got array'])
  })
})

describe('validateConfig', () => {
  it('does not repeat a schema problem where an unset variable already explains it', async () => {
    const env = [{ code: 'TFD_ERR_CONFIG_ENV' as const, pointer: '/server/auth/tokens/0/token', message: 'environment variable X is not set' }]
    const problems = await validateConfig({ server: { auth: { tokens: [{ token: '', tenant: 'a', scopes: ['read'] }] } }, pipelines: {} }, { problems: env })
    expect(problems).toEqual(env)
  })

  it('adds the host checks: unknown plugin and invalid plugin options, with codes and pointers', async () => {
    const dir = project({
      'plugins/needs-url.mjs': [
        'export default {',
        "  name: 'needs-url', kind: 'transport', version: '1.0.0', apiVersion: '^1.0.0',",
        "  optionsSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string' } }, additionalProperties: false },",
        '  create: () => ({}),',
        '}',
      ].join('\n'),
    })
    const problems = await validateConfig({
      pipelines: { main: {
        discovery: [{ use: 'no-such-plugin-anywhere' }],
        transports: [{ use: './plugins/needs-url.mjs', with: { uri: 'x' } }],
      } },
    }, { file: path.join(dir, 'tfdrift.config.json') })
    const codes = problems.map((p) => `${p.code} ${p.pointer}`)
    expect(codes).toContain('TFD_ERR_PLUGIN_NOT_FOUND /pipelines/main/discovery/0/use')
    expect(codes.some((c) => c.startsWith('TFD_ERR_PLUGIN_OPTIONS /pipelines/main/transports/0/with'))).toBe(true)
    for (const p of problems) expect(p.file).toBe(path.join(dir, 'tfdrift.config.json'))
  })

  it('reports schema and host problems together', async () => {
    const problems = await validateConfig({ sever: 1, pipelines: { main: { analysis: [{ use: 'no-such-plugin-anywhere' }] } } })
    expect(problems.map((p) => p.code)).toEqual(['TFD_ERR_CONFIG_INVALID', 'TFD_ERR_PLUGIN_NOT_FOUND'])
  })
})

describe('environment checks', () => {
  it('reports a SQLite store path that cannot be created, with its pointer', async () => {
    const dir = project({ 'notes.txt': 'a file, not a folder\n', 'data/.keep': '' })
    const file = path.join(dir, 'tfdrift.config.json')
    const underFile = await validateConfig({ store: { kind: 'sqlite', path: 'notes.txt/tfdrift.db' }, pipelines: {} }, { file })
    expect(underFile.map((p) => [p.code, p.pointer])).toEqual([['TFD_ERR_STORE_OPEN', '/store/path']])
    const isDir = await validateConfig({ store: { kind: 'sqlite', path: 'data' }, pipelines: {} }, { file })
    expect(isDir.map((p) => p.message)).toEqual([`${path.join(dir, 'data')} is a directory, not a database file`])
    expect(await validateConfig({ store: { kind: 'sqlite', path: 'new/nested/tfdrift.db' }, pipelines: {} }, { file })).toEqual([])
  })
})

describe('resolveConfig', () => {
  it('returns a deep-frozen config when valid', async () => {
    const dir = project({ 'tfdrift.config.json': JSON.stringify({ store: { kind: 'memory' }, pipelines: {} }) })
    const resolved = await resolveConfig({ cwd: dir })
    expect(resolved.problems).toEqual([])
    expect(Object.isFrozen(resolved.config)).toBe(true)
    expect(Object.isFrozen(resolved.config!.store)).toBe(true)
    expect(() => { (resolved.config!.store as { kind: string }).kind = 'sqlite' }).toThrow(TypeError)
  })

  it('returns problems and no config when invalid', async () => {
    const dir = project({ 'tfdrift.config.yaml': 'store: { kind: redis }\npipelines: {}\n' })
    const resolved = await resolveConfig({ cwd: dir })
    expect(resolved.config).toBeUndefined()
    expect(resolved.problems.map((p) => p.pointer)).toEqual(['/store/kind'])
  })
})

describe('deepFreeze', () => {
  it('freezes plain data but leaves plugin definitions and class instances alone', () => {
    const def = { ...inline }
    const when = new Date()
    const config = deepFreeze({ pipelines: { p: { sources: [{ use: def, with: { list: [1, { a: 1 }], when } }] } } })
    const node = config.pipelines.p.sources[0]!
    expect(Object.isFrozen(node.with.list[1])).toBe(true)
    expect(Object.isFrozen(def)).toBe(false)
    expect(Object.isFrozen(when)).toBe(false)
  })
})
