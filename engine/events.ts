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

const problems = (errors: ErrorObject[] | null | undefined): EnvelopeProblem[] =>
  (errors ?? []).map((e) => ({ pointer: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${hint(e.params)}` }))

/** Checks an envelope, and its data when its type has a schema. Never throws on bad input. */
export function validateEnvelope(envelope: unknown): EnvelopeCheck {
  compiled ??= compile()
  const type = (envelope as { type?: unknown } | null)?.type
  const validate = (typeof type === 'string' && compiled.byType.get(type)) || compiled.envelope
  if (validate(envelope)) return { ok: true }
  return { ok: false, errors: problems(validate.errors) }
}
