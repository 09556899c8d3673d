/** Validates a node's `with` options against its plugin's `optionsSchema` (ajv, defaults applied). */
import type { ErrorObject, ValidateFunction } from 'ajv'
import { createAjv, isDraft07 } from '../schema/ajv.ts'
import type { PluginDefinition } from '../plugin-api.ts'
import type { Problem } from '../errors.ts'
import { pointerToken } from './stages.ts'

const ajvOptions = { useDefaults: true, allErrors: true, strict: false, coerceTypes: false } as const
// Draft 2020-12 and draft-07 cannot share one ajv instance; third-party plugins use either.
const ajv2020 = createAjv(ajvOptions)
const ajv07 = createAjv({ ...ajvOptions, draft: '07' })
const ajvFor = (schema: object) => (isDraft07(schema) ? ajv07 : ajv2020)
const compiled = new WeakMap<object, ValidateFunction>()

/** Deep copy of plain objects and arrays (functions and class instances are kept as they are). */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T
  }
  return value
}

function errorPointer(base: string, error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  const extra = typeof params.missingProperty === 'string' ? params.missingProperty
    : typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined
  return `${base}${error.instancePath}${extra === undefined ? '' : `/${pointerToken(extra)}`}`
}

function errorMessage(def: PluginDefinition, error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'additionalProperties') return `Plugin "${def.name}" has no option "${String(params.additionalProperty)}".`
  if (error.keyword === 'required') return `Plugin "${def.name}" needs option "${String(params.missingProperty)}".`
  if (error.keyword === 'enum') return `Option ${error.instancePath || '(options)'} of "${def.name}" must be one of ${JSON.stringify(params.allowedValues)}.`
  return `Option ${error.instancePath || '(options)'} of "${def.name}" ${error.message ?? 'is invalid'}.`
}

export type OptionsResult = { ok: true; options: Record<string, unknown> } | { ok: false; problems: Problem[] }

/**
 * Returns the options with schema defaults filled in (the caller's object is not modified), or every
 * problem found, each with a JSON pointer `<base>/<option>` (base is the node's `/with` pointer).
 */
export function validateOptions(def: PluginDefinition, options: unknown, base: string): OptionsResult {
  const value = copy(options ?? {}) as Record<string, unknown>
  const schema = def.optionsSchema
  if (!schema || Object.keys(schema).length === 0) return { ok: true, options: value }
  let validate = compiled.get(schema)
  if (!validate) {
    try {
      validate = ajvFor(schema).compile(schema)
    } catch (error) {
      return { ok: false, problems: [{ code: 'TFD_ERR_PLUGIN_INVALID', pointer: base, message: `Plugin "${def.name}" has an invalid optionsSchema: ${(error as Error).message}` }] }
    }
    compiled.set(schema, validate)
  }
  if (validate(value)) return { ok: true, options: value }
  const problems = (validate.errors ?? []).map((error): Problem => ({
    code: 'TFD_ERR_PLUGIN_OPTIONS',
    pointer: errorPointer(base, error),
    message: errorMessage(def, error),
    hint: `See the options of "${def.name}" with \`tfdrift plugins list\`.`,
  }))
  return { ok: false, problems }
}
