/**
 * Validates event envelopes against `schemas/envelope.schema.json` and, when the type has one,
 * `schemas/events/<type>.schema.json` (which also pins the topic and describes `data`). Schemas are
 * compiled on first use, and again after plugins register the schemas they publish.
 *
 * The engine knows no plugin: an event schema may `$ref` a schema a plugin declares
 * (`PluginDefinition.eventSchemas`, each with an `$id`), registered by the host when it resolves the
 * plugin. A type whose schema refers to a schema no loaded plugin declared is refused, saying so.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { createAjv } from './schema/ajv.ts'
import type { JsonSchema } from './plugin-api.ts'

const ROOT = new URL('../', import.meta.url)
/** Schemas plugins declared (`eventSchemas`), by `$id`. */
const registered = new Map<string, JsonSchema>()

/**
 * Adds schemas a plugin publishes events against (each needs a string `$id`), so event schemas can
 * `$ref` them. Registering an `$id` again with the same schema is a no-op.
 */
export function registerEventSchemas(schemas: readonly JsonSchema[]): void {
  for (const schema of schemas) {
    const id = schema.$id
    if (typeof id !== 'string' || id.length === 0) throw new Error('An event schema a plugin declares needs a string $id.')
    if (registered.get(id) === schema) continue
    registered.set(id, schema)
    compiled = undefined
  }
}

export interface EnvelopeProblem { pointer: string; message: string }
export type EnvelopeCheck = { ok: true } | { ok: false; errors: EnvelopeProblem[] }

interface Compiled { envelope: ValidateFunction; byType: Map<string, ValidateFunction> }
let compiled: Compiled | undefined

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, ROOT), 'utf8')) as Record<string, unknown>

/** The event types that have a schema (`schemas/events/<type>.schema.json`). */
export function eventTypes(): string[] {
  return readdirSync(new URL('schemas/events/', ROOT)).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort()
}

/** Stands in for a type whose schema refers to a schema no loaded plugin declared: refuses, naming the reference. */
function unresolved(type: string, ref: string): ValidateFunction {
  const validate = (() => {
    validate.errors = [{ keyword: '$ref', instancePath: '', schemaPath: '#', params: { $ref: ref }, message: `has type "${type}", whose schema refers to ${ref}, which no loaded plugin declares in eventSchemas` }]
    return false
  }) as unknown as ValidateFunction
  return validate
}

function compile(): Compiled {
  const ajv = createAjv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false })
  ajv.addSchema(read('schemas/envelope.schema.json'))
  ajv.addSchema(read('schemas/model.schema.json'))
  for (const schema of registered.values()) ajv.addSchema(schema)
  const byType = new Map<string, ValidateFunction>()
  for (const type of eventTypes()) {
    try {
      byType.set(type, ajv.compile(read(`schemas/events/${type}.schema.json`)))
    } catch (error) {
      const ref = (error as { missingRef?: string }).missingRef
      if (ref === undefined) throw error
      ajv.removeSchema(`https://tfdrift.dev/schemas/events/${type}.schema.json`)
      byType.set(type, unresolved(type, ref))
    }
  }
  return { envelope: ajv.getSchema('https://tfdrift.dev/schemas/envelope.schema.json')!, byType }
}

/** A short hint from ajv's params (the allowed value(s), the unexpected property). */
function hint(params: Record<string, unknown>): string {
  const detail = params.allowedValues ?? params.allowedValue ?? params.additionalProperty
  return detail === undefined ? '' : ` (${JSON.stringify(detail)})`
}

// An `if` failure only says "must match the then schema"; the `then` errors beside it say what is wrong.
const problems = (errors: ErrorObject[] | null | undefined): EnvelopeProblem[] =>
  (errors ?? []).filter((e) => e.keyword !== 'if').map((e) => ({ pointer: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${hint(e.params)}` }))

/** Checks an envelope, and its data when its type has a schema. Never throws on bad input. */
export function validateEnvelope(envelope: unknown): EnvelopeCheck {
  compiled ??= compile()
  const type = (envelope as { type?: unknown } | null)?.type
  const validate = (typeof type === 'string' && compiled.byType.get(type)) || compiled.envelope
  if (validate(envelope)) return { ok: true }
  return { ok: false, errors: problems(validate.errors) }
}

/** Stands in for the id a publication gets when it is published (a valid ULID). */
const PENDING_ID = '00000000000000000000000000'

/** What a publisher hands over, before the bus assigns id, offset and time. */
export interface EventPublication { topic: string; type: string; tenant: string; data: unknown; id?: string; time?: string }

/**
 * Checks a publication of an engine-owned type (one with `schemas/events/<type>.schema.json`) as the
 * envelope it will become — topic and data included — so clients cannot put malformed drifts or system
 * events in front of the engine's own consumers. Other (user-defined) types are free-form and pass.
 */
export function validateEventPublication(publication: EventPublication): EnvelopeCheck {
  compiled ??= compile()
  const validate = compiled.byType.get(publication.type)
  if (!validate) return { ok: true }
  const { topic, type, tenant, data } = publication
  // Offset and (unless given) id and time are assigned later; stand-ins that satisfy the envelope schema take their place.
  if (validate({ id: publication.id ?? PENDING_ID, offset: 1, topic, type, tenant, time: publication.time ?? new Date().toISOString(), data })) return { ok: true }
  return { ok: false, errors: problems(validate.errors) }
}
