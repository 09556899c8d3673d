/**
 * `tfdrift/testing/vitest`: the conformance suite of a plugin's kind as one vitest `describe`, so a
 * plugin author checks their plugin in one line:
 *
 * @example
 * import { conformanceSuite } from 'tfdrift/testing/vitest'
 * import plugin from './index.ts'
 * conformanceSuite(plugin)
 */
import { describe, it } from 'vitest'
import type { PluginDefinition } from '../plugin-api.ts'
import { conformanceChecks, type ConformanceOptions } from './conformance.ts'

/** Declares `<name> (<kind>) conforms` with one test per check of the plugin's kind. */
export function conformanceSuite(definition: PluginDefinition, opts: ConformanceOptions = {}): void {
  describe(`${definition.name} (${definition.kind}) conforms`, () => {
    for (const check of conformanceChecks(definition, opts)) it(check.name, () => check.run())
  })
}
