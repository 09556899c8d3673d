/**
 * The plugins resolvable by name when a caller names none. No engine module imports a plugin folder:
 * the composition root (the CLI's `main`, or an embedding program) installs the bundle with
 * `installBuiltins`; without that, the bundle is the package's public `tfdrift/plugins` entry, loaded by
 * that name exactly as a config file loads it. Installing a plugin also registers the event schemas it
 * declares (`eventSchemas`).
 */
import type { PluginDefinition } from '../plugin-api.ts'
import { registerEventSchemas } from '../events.ts'

let installed: readonly PluginDefinition[] | undefined

/** Makes `list` the plugins resolvable by name, and registers the event schemas they declare. */
export function installBuiltins(list: readonly PluginDefinition[]): void {
  for (const definition of list) registerPluginSchemas(definition)
  installed = list
}

/** Registers the event schemas one plugin declares (the host does it for every plugin it resolves). */
export function registerPluginSchemas(definition: PluginDefinition): void {
  if (definition.eventSchemas?.length) registerEventSchemas(definition.eventSchemas)
}

/** The installed bundle, else `tfdrift/plugins`' BUILTIN_PLUGINS (loaded once). */
export async function builtins(): Promise<readonly PluginDefinition[]> {
  if (!installed) installBuiltins((await import('tfdrift/plugins')).BUILTIN_PLUGINS)
  return installed!
}
