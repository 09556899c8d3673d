/**
 * Finds and loads `tfdrift.config.*` with cosmiconfig. JS/TS configs go through jiti so a config
 * can import its own local `.ts` modules (cosmiconfig's built-in TS loader cannot), and the
 * `tfdrift` / `tfdrift/plugins` imports resolve to this very engine even when the config lives
 * outside the package. JSON/YAML configs get `${VAR}` / `${VAR:-default}` interpolation.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { cosmiconfig, type Loader } from 'cosmiconfig'
import { createJiti } from 'jiti'
import { TfdriftError, type Problem } from '../errors.ts'
import type { TfdriftConfig } from './types.ts'
import { interpolateEnv } from './env.ts'

/** Where a config is looked for, in order, in each directory from cwd up to the project root. */
export const SEARCH_PLACES = [
  'tfdrift.config.ts', 'tfdrift.config.mts', 'tfdrift.config.js', 'tfdrift.config.mjs',
  'tfdrift.config.json', 'tfdrift.config.yaml', 'tfdrift.config.yml',
  '.tfdriftrc', '.tfdriftrc.json', '.tfdriftrc.yaml', '.tfdriftrc.yml',
]

export interface LoadOptions {
  /** Directory the search starts from. */
  cwd: string
  /** Explicit config file (relative to cwd); no search then. */
  configPath?: string
  /** Environment used for interpolation (default `process.env`). */
  env?: Record<string, string | undefined>
}

export interface LoadedConfig {
  config: TfdriftConfig
  /** Absolute path of the config file. */
  file: string
  /** Interpolation problems (unset variables); reported by `validate` with the schema problems. */
  problems: Problem[]
}

const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])

/** Imports a JS/TS config through jiti, with `tfdrift` and `tfdrift/plugins` bound to this engine. */
const loadCode: Loader = async (filepath) => {
  const api = await import('../api.ts')
  // A broken built-in must only fail the configs that import `tfdrift/plugins`, and say why.
  const plugins = await import('../../plugins/index.ts').catch((error: unknown) => new Proxy({}, {
    get(_target, key) {
      if (key === 'then') return undefined
      throw new Error(`tfdrift/plugins failed to load: ${(error as Error)?.message ?? error}`, { cause: error })
    },
  }))
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    fsCache: false,
    interopDefault: true,
    virtualModules: { tfdrift: api, 'tfdrift/plugins': plugins },
  })
  return jiti.import(filepath, { default: true })
}

function explorer() {
  return cosmiconfig('tfdrift', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: Object.fromEntries([...CODE_EXTENSIONS].map((ext) => [ext, loadCode])),
  })
}

/** The nearest directory at or above `dir` holding package.json or .git (the search stops there). */
export function projectRoot(dir: string): string {
  let current = path.resolve(dir)
  for (;;) {
    if (existsSync(path.join(current, 'package.json')) || existsSync(path.join(current, '.git'))) return current
    const parent = path.dirname(current)
    if (parent === current) return path.resolve(dir)
    current = parent
  }
}

/** Loads the config from `configPath`, or searches for it from `cwd` up to the project root. */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd)
  const found = options.configPath ? await loadExplicit(path.resolve(cwd, options.configPath)) : await search(cwd)
  const { file } = found
  if (found.config === null || found.config === undefined || typeof found.config !== 'object' || Array.isArray(found.config)) {
    throw new TfdriftError('TFD_ERR_CONFIG_LOAD', `${file}: the config must export an object (export default defineConfig({ … }))`, {
      problems: [{ code: 'TFD_ERR_CONFIG_LOAD', file, pointer: '', message: 'the config is empty or not an object', hint: 'export default defineConfig({ pipelines: { … } })' }],
    })
  }
  if (CODE_EXTENSIONS.has(path.extname(file))) return { config: found.config as TfdriftConfig, file, problems: [] }
  const { value, problems } = interpolateEnv(found.config, options.env ?? process.env, file)
  return { config: value as TfdriftConfig, file, problems }
}

async function loadExplicit(file: string): Promise<{ config: unknown; file: string }> {
  if (!existsSync(file)) {
    throw new TfdriftError('TFD_ERR_CONFIG_NOT_FOUND', `Config file ${file} does not exist.`, {
      problems: [{ code: 'TFD_ERR_CONFIG_NOT_FOUND', file, message: 'the file does not exist', hint: 'check the --config path, or run `tfdrift init`' }],
    })
  }
  try {
    const result = await explorer().load(file)
    return { config: result?.config, file }
  } catch (error) {
    throw loadError(file, error)
  }
}

async function search(cwd: string): Promise<{ config: unknown; file: string }> {
  const stop = projectRoot(cwd)
  const ex = explorer()
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    let result
    try {
      result = await ex.search(dir)
    } catch (error) {
      throw loadError((error as { filepath?: string }).filepath ?? dir, error)
    }
    if (result) return { config: result.config, file: result.filepath }
    if (dir === stop || path.dirname(dir) === dir) break
  }
  throw new TfdriftError('TFD_ERR_CONFIG_NOT_FOUND', `No tfdrift config found in ${cwd} or above it (up to ${stop}).`, {
    problems: [{ code: 'TFD_ERR_CONFIG_NOT_FOUND', file: cwd, message: `none of ${SEARCH_PLACES.join(', ')} exists between ${cwd} and ${stop}`, hint: 'run `tfdrift init` to write one, or pass --config <file>' }],
  })
}

function loadError(file: string, error: unknown): TfdriftError {
  const raw = error instanceof Error ? error.message : String(error)
  // Parsers repeat the file name and add code frames; keep the first meaningful lines on one line.
  const detail = raw.replaceAll(file, '').split('\n').map((l) => l.trim()).filter((l) => l && !/^\s*[|>^-]|^\d+\s*\|/.test(l)).slice(0, 3)
    .join(' ').replace(/\s+/g, ' ').replace(/ ?Require stack:.*$/, '').replace(/^(JSON|YAML) Error in\s*:?\s*/i, '$1 error: ').slice(0, 300)
  return new TfdriftError('TFD_ERR_CONFIG_LOAD', `Could not load ${file}: ${detail}`, {
    cause: error,
    problems: [{ code: 'TFD_ERR_CONFIG_LOAD', file, message: `could not load the config: ${detail}`, hint: 'fix the syntax or the failing import, then run `tfdrift validate`' }],
  })
}
