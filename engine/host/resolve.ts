/**
 * Resolves a node's `use` into a PluginDefinition: a built-in by name, a local module path (relative to
 * the config file's folder), an npm package (`tfdrift-plugin-x`, `@scope/tfdrift-plugin-x`; a bare `x`
 * also tries `tfdrift-plugin-x`), or an inline definition object. Never throws: failures are Problems.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import semver from 'semver'
import { API_VERSION, PLUGIN_KINDS, type PluginDefinition } from '../plugin-api.ts'
import type { Problem } from '../errors.ts'

export type Resolution = { definition: PluginDefinition; from: string } | { problem: Problem }

/** Where to look: the built-in list and the folder that relative paths and packages resolve from. */
export interface ResolveContext {
  builtins: readonly PluginDefinition[]
  configDir: string
  /** JSON pointer of the node's `use`, for problems. */
  pointer?: string
}

/** True when a value has the shape of a plugin definition. */
export function isDefinition(value: unknown): value is PluginDefinition {
  if (!value || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return typeof v.name === 'string' && typeof v.create === 'function' && typeof v.kind === 'string'
}

/** Picks the definition out of an imported module: `default`, `plugin`, or a factory returning one. */
export async function definitionFromModule(mod: unknown): Promise<PluginDefinition | undefined> {
  const m = mod as Record<string, unknown> | undefined
  const candidates = [m?.default, m?.plugin, m, (m?.default as Record<string, unknown> | undefined)?.default]
  for (const c of candidates) if (isDefinition(c)) return c
  for (const c of candidates) {
    if (typeof c === 'function') {
      try {
        const made = await (c as () => unknown)()
        if (isDefinition(made)) return made
      } catch { /* not a zero-argument factory; try the next export */ }
    }
  }
  return undefined
}

/** Checks kind, schema and the apiVersion range against the host's API_VERSION. */
export function checkDefinition(def: PluginDefinition, from: string, pointer?: string): Problem | undefined {
  if (!(PLUGIN_KINDS as readonly string[]).includes(def.kind)) {
    return { code: 'TFD_ERR_PLUGIN_INVALID', pointer, message: `Plugin "${def.name}" (${from}) has unknown kind "${def.kind}".`, hint: `Use one of: ${PLUGIN_KINDS.join(', ')}.` }
  }
  if (typeof def.apiVersion !== 'string' || !semver.validRange(def.apiVersion)) {
    return { code: 'TFD_ERR_PLUGIN_API_VERSION', pointer, message: `Plugin "${def.name}" (${from}) declares no valid apiVersion range (got ${JSON.stringify(def.apiVersion)}); this host implements plugin API ${API_VERSION}.`, hint: `Declare apiVersion: '^${semver.major(API_VERSION)}.0.0' in the plugin.` }
  }
  if (!semver.satisfies(API_VERSION, def.apiVersion)) {
    return { code: 'TFD_ERR_PLUGIN_API_VERSION', pointer, message: `Plugin "${def.name}" (${from}) supports plugin API ${def.apiVersion}, but this tfdrift implements ${API_VERSION}.`, hint: 'Install a plugin version built for this tfdrift, or a tfdrift version the plugin supports.' }
  }
  if (def.optionsSchema !== undefined && (typeof def.optionsSchema !== 'object' || def.optionsSchema === null)) {
    return { code: 'TFD_ERR_PLUGIN_INVALID', pointer, message: `Plugin "${def.name}" (${from}) has an optionsSchema that is not a JSON Schema object.` }
  }
  return undefined
}

function isPath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || path.isAbsolute(use) || use.startsWith('file:')
}

/** Package names tried for a `use` that is not a built-in or a path, most specific first. */
export function packageCandidates(use: string): string[] {
  if (use.startsWith('@')) {
    const [scope, name] = use.split('/')
    if (!name) return [use]
    return name.startsWith('tfdrift-plugin-') ? [use] : [use, `${scope}/tfdrift-plugin-${name}`]
  }
  return use.startsWith('tfdrift-plugin-') ? [use] : [`tfdrift-plugin-${use}`, use]
}

async function importFrom(specifier: string, configDir: string): Promise<{ mod: unknown } | { notFound: true } | { error: unknown }> {
  let target = specifier
  try {
    target = pathToFileURL(createRequire(path.join(configDir, 'noop.js')).resolve(specifier)).href
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') return { error }
    // ESM-only packages may lack a `require` export condition; let import() try plain resolution.
  }
  try {
    return { mod: await import(target) }
  } catch (error) {
    const code = (error as { code?: string }).code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(specifier)) return { notFound: true }
    return { error }
  }
}

/** Resolves one node's `use`. */
export async function resolvePlugin(use: unknown, ctx: ResolveContext): Promise<Resolution> {
  const pointer = ctx.pointer
  if (isDefinition(use)) {
    const problem = checkDefinition(use, 'inline definition', pointer)
    return problem ? { problem } : { definition: use, from: 'inline' }
  }
  if (typeof use !== 'string' || use.length === 0) {
    return { problem: { code: 'TFD_ERR_PLUGIN_NOT_FOUND', pointer, message: '`use` must be a plugin name, a path, a package name, or a plugin definition object.' } }
  }
  const builtin = ctx.builtins.find((d) => d.name === use)
  if (builtin) {
    const problem = checkDefinition(builtin, 'built-in', pointer)
    return problem ? { problem } : { definition: builtin, from: 'built-in' }
  }
  const specifiers = isPath(use) ? [use.startsWith('file:') ? use : pathToFileURL(path.resolve(ctx.configDir, use)).href] : packageCandidates(use)
  for (const specifier of specifiers) {
    const loaded = isPath(use) ? await importPath(specifier) : await importFrom(specifier, ctx.configDir)
    if ('notFound' in loaded) continue
    if ('error' in loaded) {
      const message = loaded.error instanceof Error ? loaded.error.message : String(loaded.error)
      return { problem: { code: 'TFD_ERR_PLUGIN_INVALID', pointer, message: `Plugin module "${use}" failed to load: ${message}`, hint: 'Fix the module (syntax or import error) or its dependencies.' } }
    }
    const definition = await definitionFromModule(loaded.mod)
    if (!definition) {
      return { problem: { code: 'TFD_ERR_PLUGIN_INVALID', pointer, message: `Module "${use}" does not export a plugin definition (default export, \`plugin\`, or a factory returning definePlugin({...})).` } }
    }
    const problem = checkDefinition(definition, specifier, pointer)
    return problem ? { problem } : { definition, from: specifier }
  }
  const names = ctx.builtins.map((d) => d.name).sort()
  return {
    problem: {
      code: 'TFD_ERR_PLUGIN_NOT_FOUND', pointer,
      message: isPath(use) ? `Plugin file "${use}" was not found (resolved from ${ctx.configDir}).` : `No plugin named "${use}": not a built-in and no package ${specifiers.map((s) => `"${s}"`).join(' or ')} is installed.`,
      hint: isPath(use) ? 'Paths are relative to the config file.' : `Built-ins: ${names.join(', ') || '(none)'}. Install a package with npm install tfdrift-plugin-<name>, or run \`tfdrift plugins list\`.`,
    },
  }
}

async function importPath(url: string): Promise<{ mod: unknown } | { notFound: true } | { error: unknown }> {
  try {
    return { mod: await import(url) }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(new URL(url).pathname.split('/').pop() ?? '')) return { notFound: true }
    return { error }
  }
}
