/**
 * Config validation: the JSON Schema (`schemas/config.schema.json`, ajv, all errors at once) plus the
 * host's pipeline checks (plugin resolution, options, apiVersion, wiring). Every problem is returned
 * together, each with its file and JSON pointer; only a config without problems is resolved and frozen.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { createAjv } from '../schema/ajv.ts'
import type { Problem } from '../errors.ts'
import type { TfdriftConfig } from './types.ts'
import { escapePointer } from './env.ts'
import { loadConfig, type LoadOptions } from './load.ts'
import { jwtKey } from '../server/auth.ts'

/** Directory of the JSON Schemas shipped with tfdrift. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url))

/** Reads one schema from `schemas/`. */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')) as Record<string, unknown>
}

let compiled: ValidateFunction | undefined
function configValidator(): ValidateFunction {
  if (compiled) return compiled
  const ajv = createAjv({ allErrors: true, strict: false, verbose: true })
  ajv.addSchema(readSchema('server-config.schema.json'))
  const validate = ajv.compile(readSchema('config.schema.json'))
  compiled = validate
  return validate
}

/** Checks `config` against the config schema; returns every problem (empty when it conforms). */
export function validateSchema(config: unknown, file?: string): Problem[] {
  const validate = configValidator()
  if (validate(config)) return []
  return dedupe((validate.errors ?? []).flatMap((error) => toProblem(error, config, file)))
    .map((p) => (p.hint ? p : { ...p, hint: `see ${docPath(p.pointer ?? '')} in docs/config.md` }))
}

function toProblem(error: ErrorObject, root: unknown, file?: string): Problem[] {
  const at = error.instancePath
  const base = { code: 'TFD_ERR_CONFIG_INVALID' as const, file }
  const params = error.params as Record<string, any>
  switch (error.keyword) {
    case 'if':
      return [] // the failing `then` branch reports the real problem
    case 'additionalProperties': {
      const name = String(params.additionalProperty)
      const allowed = Object.keys(schemaPropertiesAt(error.parentSchema))
      const guess = closest(name, allowed)
      return [{ ...base, pointer: `${at}/${escapePointer(name)}`, message: `unknown property "${name}"`,
        hint: guess ? `did you mean "${guess}"?` : allowed.length ? `allowed: ${allowed.join(', ')}` : 'remove it' }]
    }
    case 'required':
      return [{ ...base, pointer: `${at}/${escapePointer(params.missingProperty)}`, message: `missing required property "${params.missingProperty}"`, hint: describeAt(error, params.missingProperty) ?? `add "${params.missingProperty}"` }]
    case 'enum':
      return [{ ...base, pointer: at, message: `must be one of ${params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(root, at))}`, hint: description(error.parentSchema) }]
    case 'const':
      return [{ ...base, pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}`, hint: description(error.parentSchema) }]
    case 'type':
      return [{ ...base, pointer: at, message: `must be ${[params.type].flat().join(' or ')}, got ${typeName(valueAt(root, at))}`, hint: description(error.parentSchema) }]
    case 'not':
      return [{ ...base, pointer: at, message: 'has a property that does not apply to this kind', hint: 'a memory store has no `path`; remove it or use kind "sqlite"' }]
    case 'propertyNames':
      return [{ ...base, pointer: `${at}/${escapePointer(params.propertyName)}`, message: `invalid name "${params.propertyName}"`, hint: 'pipeline names use lowercase letters, digits, "-" and "_"' }]
    case 'pattern':
      if (params.propertyName !== undefined || error.propertyName !== undefined) return [] // reported by propertyNames
      return [{ ...base, pointer: at, message: `${JSON.stringify(valueAt(root, at))} must match ${params.pattern}`, hint: description(error.parentSchema) }]
    case 'minProperties':
      return [{ ...base, pointer: at, message: `must have at least ${params.limit} entr${params.limit === 1 ? 'y' : 'ies'}`, hint: description(error.parentSchema) }]
    default:
      return [{ ...base, pointer: at, message: error.message ?? error.keyword, hint: description(error.parentSchema) }]
  }
}

/** `/pipelines/prod/discovery/0/with` → `pipelines.<name>.discovery[].with`, the row name in docs/config.md. */
function docPath(pointer: string): string {
  const parts = pointer.split('/').slice(1)
  return parts.map((part, i) => (/^\d+$/.test(part) ? '[]' : i === 1 && parts[0] === 'pipelines' ? '.<name>' : `${i ? '.' : ''}${part}`)).join('') || '(root)'
}

function schemaPropertiesAt(schema: unknown): Record<string, unknown> {
  return ((schema as { properties?: Record<string, unknown> } | undefined)?.properties) ?? {}
}

function description(schema: unknown): string | undefined {
  return (schema as { description?: string } | undefined)?.description
}

function describeAt(error: ErrorObject, property: string): string | undefined {
  return description(schemaPropertiesAt(error.parentSchema)[property]) ?? description(error.parentSchema)
}

/** Resolves a JSON pointer against a value. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root
  let node: any = root
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (node === null || typeof node !== 'object') return undefined
    node = node[key]
  }
  return node
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** The allowed name nearest to `name` (edit distance ≤ 2), for "did you mean" hints. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.code}|${p.pointer}|${p.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

type PipelineCheck = (config: TfdriftConfig, opts: { configDir: string }) => Promise<Problem[]>

/**
 * The host's checks: plugin resolution, options, apiVersion, wiring. Imported lazily so that a built-in
 * plugin module that fails to import becomes one reported problem instead of a crash of `validate`.
 */
async function pipelineCheck(): Promise<PipelineCheck> {
  try {
    return ((await import('../host/check.ts')) as { checkPipelines: PipelineCheck }).checkPipelines
  } catch (error) {
    const message = (error as Error)?.message ?? String(error)
    return async () => [{ code: 'TFD_ERR_PLUGIN_INVALID', pointer: '/pipelines', message: `the plugin host could not load: ${message}`, hint: 'a built-in or installed plugin module fails to import; fix or remove it' }]
  }
}

export interface ValidateOptions {
  /** Config file path, for problem locations and resolving relative plugin paths. */
  file?: string
  /** Base directory of relative plugin paths (default: the file's directory, else cwd). */
  configDir?: string
  /** Problems found earlier (environment interpolation) to report together. */
  problems?: Problem[]
}

/** Environment checks that need no network: the SQLite store's folder must be creatable and writable. */
export function checkEnvironment(config: unknown, baseDir: string, file?: string): Problem[] {
  const store = (config as TfdriftConfig | undefined)?.store
  if (!store || store.kind !== 'sqlite') return []
  const target = path.resolve(baseDir, (store as { path?: string }).path ?? '.tfdrift/tfdrift.db')
  if (existsSync(target) && statSync(target).isDirectory()) {
    return [{ code: 'TFD_ERR_STORE_OPEN', file, pointer: '/store/path', message: `${target} is a directory, not a database file`, hint: 'point store.path at a file, e.g. .tfdrift/tfdrift.db' }]
  }
  // The nearest existing ancestor decides whether the folders can be created.
  let dir = path.dirname(target)
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir)
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory')
    accessSync(dir, constants.W_OK)
    return []
  } catch {
    return [{ code: 'TFD_ERR_STORE_OPEN', file, pointer: '/store/path', message: `cannot create the store at ${target}: ${dir} is not a writable directory`, hint: 'choose a store.path under a writable folder, or use store: { kind: "memory" }' }]
  }
}

/** What the schema cannot see: whether a JWT key parses and is strong enough (the server's own check). */
export function checkAuth(config: unknown, file?: string): Problem[] {
  const jwt = (config as TfdriftConfig | undefined)?.server?.auth?.jwt
  const key = jwt ? jwtKey(jwt) : undefined
  if (!key || key.ok) return []
  return [{ code: 'TFD_ERR_AUTH_CONFIG', file, pointer: `/server/auth/jwt/${key.field}`, message: key.message, hint: `see server.auth.jwt.${key.field} in docs/config.md` }]
}

/** Full validation: earlier problems + schema + environment + pipeline checks, all at once. Empty means valid. */
export async function validateConfig(config: unknown, options: ValidateOptions = {}): Promise<Problem[]> {
  const { file } = options
  const earlier = options.problems ?? []
  // An unset variable already explains the empty string at its pointer; skip the schema's echo of it.
  const covered = new Set(earlier.map((p) => p.pointer))
  const schema = validateSchema(config, file).filter((p) => !covered.has(p.pointer))
  const baseDir = options.configDir ?? (file ? path.dirname(file) : process.cwd())
  const problems = [...earlier, ...schema, ...(schema.length ? [] : [...checkEnvironment(config, baseDir, file), ...checkAuth(config, file)])]
  const check = await pipelineCheck()
  if (config && typeof config === 'object' && (config as TfdriftConfig).pipelines && typeof (config as TfdriftConfig).pipelines === 'object') {
    try {
      const found = await check(config as TfdriftConfig, { configDir: baseDir })
      // "could not be checked" only echoes a malformed config the schema problems already describe.
      const useful = schema.length ? found.filter((p) => !(p.code === 'TFD_ERR_CONFIG_INVALID' && p.pointer === '/pipelines')) : found
      problems.push(...useful.map((p) => ({ ...p, file: p.file ?? file })))
    } catch (error) {
      // A malformed config can trip the host's checks; the schema problems already explain it.
      if (schema.length === 0) {
        problems.push({ code: 'TFD_ERR_CONFIG_INVALID', file, pointer: '/pipelines', message: `pipeline checks failed: ${(error as Error).message}`, hint: 'fix the problems above and run `tfdrift validate` again' })
      }
    }
  }
  return dedupe(problems)
}

/**
 * Freezes plain objects and arrays recursively. Plugin definition objects under `use` belong to
 * their modules and are left alone, as are functions and class instances.
 */
export function deepFreeze<T>(value: T): Readonly<T> {
  const visit = (node: unknown, key?: string): void => {
    if (node === null || typeof node !== 'object' || Object.isFrozen(node)) return
    if (key === 'use') return
    const proto = Object.getPrototypeOf(node)
    if (!Array.isArray(node) && proto !== Object.prototype && proto !== null) return
    Object.freeze(node)
    for (const [k, child] of Object.entries(node)) visit(child, Array.isArray(node) ? undefined : k)
  }
  visit(value)
  return value
}

export interface ResolvedConfig {
  /** Deep-frozen; only set when there are no problems. */
  config?: Readonly<TfdriftConfig>
  file: string
  problems: Problem[]
}

/** Loads (or searches) and validates a config; throws TfdriftError only when no file can be loaded. */
export async function resolveConfig(options: LoadOptions): Promise<ResolvedConfig> {
  const loaded = await loadConfig(options)
  const problems = await validateConfig(loaded.config, { file: loaded.file, problems: loaded.problems })
  return problems.length ? { file: loaded.file, problems } : { file: loaded.file, problems, config: deepFreeze(loaded.config) }
}
