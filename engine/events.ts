/**
 * Validates event envelopes against `schemas/envelope.schema.json` and, when the type has one,
 * `schemas/events/<type>.schema.json` (which also pins the topic and describes `data`). Schemas are
 * compiled once, on first use.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
type AddFormats = (ajv: Ajv2020) => Ajv2020
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats

const ROOT = new URL('../', import.meta.url)
/** Schemas that event schemas `$ref` from outside `schemas/`, by repository path (their `$id` is `https://tfdrift.dev/<path>`). */
const EXTERNAL = ['plugins/discovery/terraform-state/events.schema.json']

export interface EnvelopeProblem { pointer: string; message: string }
export type EnvelopeCheck = { ok: true } | { ok: false; errors: EnvelopeProblem[] }

interface Compiled { envelope: ValidateFunction; byType: Map<string, ValidateFunction> }
let compiled: Compiled | undefined

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, ROOT), 'utf8')) as Record<string, unknown>

/** The event types that have a schema (`schemas/events/<type>.schema.json`). */
export function eventTypes(): string[] {
  return readdirSync(new URL('schemas/events/', ROOT)).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort()
}

function compile(): Compiled {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false })
  addFormats(ajv)
  ajv.addSchema(read('schemas/envelope.schema.json'))
  ajv.addSchema(read('schemas/model.schema.json'))
  for (const rel of EXTERNAL) ajv.addSchema(read(rel), `https://tfdrift.dev/${rel}`)
  const byType = new Map(eventTypes().map((type) => [type, ajv.compile(read(`schemas/events/${type}.schema.json`))]))
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
