/**
 * Finds and loads `tfdrift.config.*` with cosmiconfig. JS/TS configs go through jiti so a config
 * can import its own local `.ts` modules (cosmiconfig's built-in TS loader cannot), and the
 * `tfdrift` / `tfdrift/plugins` imports resolve to this very engine even when the config lives
 * outside the package. JSON/YAML configs get `${VAR}` / `${VAR:-default}` interpolation.
 *
 * JSON and YAML are data anyone may hand to `validate`, so their loaders are bounded: a UTF-8 byte
 * order mark is dropped, nesting stops at MAX_FILE_JSON_DEPTH (checked on the text, before any
 * recursive parser or walk), YAML aliases resolve at most MAX_CONFIG_ALIASES times, and the resolved
 * value holds at most MAX_CONFIG_VALUES values. Only regular files are opened: a FIFO would block.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig'
import { createJiti } from 'jiti'
import { Composer, Lexer, LineCounter, Parser, type CST } from 'yaml'
import { TfdriftError, type Problem } from '../errors.ts'
import { irregularFileKind } from '../file-kind.ts'
import { MAX_FILE_JSON_DEPTH, jsonDepthExceeds, valueExceeds } from '../json-depth.ts'
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

/**
 * Most values (objects, arrays and scalars; an aliased node once per use) a JSON/YAML config may
 * resolve to. Real configs hold hundreds; this leaves room for long ignore lists while keeping what
 * interpolation, validation and freezing copy and walk small.
 */
export const MAX_CONFIG_VALUES = 100_000
/** YAML alias resolutions a config may make (the `yaml` library's maxAliasCount, which weighs each alias by the size of what it names). */
export const MAX_CONFIG_ALIASES = 100

/** A config that breaks one of the bounds above: TFD_ERR_CONFIG_LOAD naming the file (and where, when known). */
function limitError(file: string, message: string, hint: string, pointer?: string): TfdriftError {
  return new TfdriftError('TFD_ERR_CONFIG_LOAD', `Could not load ${file}: ${message}`, {
    problems: [{ code: 'TFD_ERR_CONFIG_LOAD', file, ...(pointer ? { pointer } : {}), message, hint }],
  })
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/** "line 3, column 7" of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`
}

const TOO_DEEP_HINT = `flatten the nesting; tfdrift reads configs up to ${MAX_FILE_JSON_DEPTH} levels deep`

/** JSON: the depth is checked on the text, then cosmiconfig's loader parses it (and words its syntax errors). */
const loadJson: Loader = (filepath, content) => {
  const text = stripBom(content)
  const deep = jsonDepthExceeds(text, MAX_FILE_JSON_DEPTH)
  if (deep !== undefined) throw limitError(filepath, `the JSON nests deeper than ${MAX_FILE_JSON_DEPTH} levels (${lineColumn(text, deep)}).`, TOO_DEEP_HINT)
  return defaultLoaders['.json'](filepath, text)
}

const isCollection = (t: CST.Token): boolean => t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection'

/**
 * YAML through the `yaml` library (cosmiconfig's js-yaml has no alias limit), driven token by token:
 * the parser's stack grows with the nesting, and its cost with the stack, so a deep document is
 * refused as soon as the stack passes the limit instead of after minutes of parsing.
 */
const loadYaml: Loader = (filepath, content) => {
  const text = stripBom(content)
  const lines = new LineCounter()
  const parser = new Parser(lines.addNewLine)
  const tokens: CST.Token[] = []
  lines.addNewLine(0)
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token)
    // The stack holds the document and a scalar in progress besides the collections.
    if (parser.stack.filter(isCollection).length > MAX_FILE_JSON_DEPTH) {
      const at = lines.linePos(parser.offset)
      throw limitError(filepath, `the YAML nests deeper than ${MAX_FILE_JSON_DEPTH} levels (line ${at.line}, column ${at.col}).`, TOO_DEEP_HINT)
    }
  }
  for (const token of parser.end()) tokens.push(token)
  const docs = [...new Composer({ merge: true, logLevel: 'error' }).compose(tokens, true, text.length)]
  if (docs.length > 1) throw new Error(`YAML Error in ${filepath}: the file holds ${docs.length} YAML documents; a config is one document (remove the extra \`---\`).`)
  const doc = docs[0]
  if (!doc) return null
  const [error] = doc.errors
  if (error) {
    const at = lines.linePos(error.pos[0])
    throw new Error(`YAML Error in ${filepath}: ${error.message.split('\n')[0]} at line ${at.line}, column ${at.col}`)
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_CONFIG_ALIASES })
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error
    throw limitError(filepath, `the YAML resolves aliases more than ${MAX_CONFIG_ALIASES} times (an alias bomb?); tfdrift does not expand it.`, 'use fewer aliases, or aliases of smaller nodes')
  }
}

/** Imports a JS/TS config through jiti, with `tfdrift` and `tfdrift/plugins` bound to this engine. */
const loadCode: Loader = async (filepath) => {
  const api = await import('../api.ts')
  // A broken built-in must only fail the configs that import `tfdrift/plugins`, and say why.
  const plugins = await import('tfdrift/plugins').catch((error: unknown) => new Proxy({}, {
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
    loaders: { ...Object.fromEntries([...CODE_EXTENSIONS].map((ext) => [ext, loadCode])), '.json': loadJson, '.yaml': loadYaml, '.yml': loadYaml, noExt: loadYaml },
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
  if (CODE_EXTENSIONS.has(path.extname(file))) return { config: withPipelines(found.config as TfdriftConfig), file, problems: [] }
  // Interpolation copies every value (an alias as often as it is used) and validation walks them: bound both first.
  const excess = valueExceeds(found.config, { maxDepth: MAX_FILE_JSON_DEPTH, maxValues: MAX_CONFIG_VALUES })
  if (excess?.limit === 'depth') throw limitError(file, `the config nests deeper than ${MAX_FILE_JSON_DEPTH} levels once its aliases are resolved.`, TOO_DEEP_HINT, excess.pointer)
  if (excess) throw limitError(file, `the config holds more than ${MAX_CONFIG_VALUES} values once its aliases are resolved.`, 'split large lists out of the config, or use fewer aliases of large nodes', excess.pointer)
  const { value, problems } = interpolateEnv(found.config, options.env ?? process.env, file)
  return { config: withPipelines(value as TfdriftConfig), file, problems }
}

/** A relay-only config may omit `pipelines`; everything after loading sees `{}` then. A present but malformed value is left for the schema to report. */
function withPipelines(config: TfdriftConfig): TfdriftConfig {
  return config.pipelines === undefined ? { ...config, pipelines: {} } : config
}

/** A path that exists but is no regular file; never opened (reading a FIFO blocks until a writer comes). */
function notRegularFile(file: string, kind: string): TfdriftError {
  return new TfdriftError('TFD_ERR_CONFIG_LOAD', `Could not load ${file}: is ${kind}, not a regular file.`, {
    problems: [{ code: 'TFD_ERR_CONFIG_LOAD', file, message: `is ${kind}, not a regular file`, hint: 'point --config at a tfdrift.config.* file' }],
  })
}

async function loadExplicit(file: string): Promise<{ config: unknown; file: string }> {
  const stats = statSync(file, { throwIfNoEntry: false })
  if (!stats) {
    throw new TfdriftError('TFD_ERR_CONFIG_NOT_FOUND', `Config file ${file} does not exist.`, {
      problems: [{ code: 'TFD_ERR_CONFIG_NOT_FOUND', file, message: 'the file does not exist', hint: 'check the --config path, or run `tfdrift init`' }],
    })
  }
  const kind = irregularFileKind(stats)
  if (kind) throw notRegularFile(file, kind)
  try {
    const result = await explorer().load(file)
    return { config: result?.config, file }
  } catch (error) {
    throw loadError(file, error)
  }
}

/**
 * cosmiconfig's search skips missing files and directories but opens anything else, and would
 * hang on a FIFO. Refuse one that comes before the first non-empty regular file (which wins).
 */
function refuseIrregularSearchPlace(dir: string): void {
  for (const place of SEARCH_PLACES) {
    const candidate = path.join(dir, place)
    let stats
    try {
      stats = statSync(candidate, { throwIfNoEntry: false })
    } catch {
      continue // unreadable: cosmiconfig reports or skips it as before
    }
    if (!stats || stats.isDirectory()) continue
    if (stats.isFile()) {
      if (stats.size > 0) return
      continue
    }
    throw notRegularFile(candidate, irregularFileKind(stats)!)
  }
}

async function search(cwd: string): Promise<{ config: unknown; file: string }> {
  const stop = projectRoot(cwd)
  const ex = explorer()
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    refuseIrregularSearchPlace(dir)
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
  if (error instanceof TfdriftError) return error
  const raw = error instanceof Error ? error.message : String(error)
  // Parsers repeat the file name and add code frames; keep the first meaningful lines on one line.
  const detail = raw.replaceAll(file, '').split('\n').map((l) => l.trim()).filter((l) => l && !/^\s*[|>^-]|^\d+\s*\|/.test(l)).slice(0, 3)
    .join(' ').replace(/\s+/g, ' ').replace(/ ?Require stack:.*$/, '').replace(/^(JSON|YAML) Error in\s*:?\s*/i, '$1 error: ').slice(0, 300)
  return new TfdriftError('TFD_ERR_CONFIG_LOAD', `Could not load ${file}: ${detail}`, {
    cause: error,
    problems: [{ code: 'TFD_ERR_CONFIG_LOAD', file, message: `could not load the config: ${detail}`, hint: 'fix the syntax or the failing import, then run `tfdrift validate`' }],
  })
}
