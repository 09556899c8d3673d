/**
 * `POST /api/v1/publish`: relay ingest. One publication (JSON object), a JSON array, or an NDJSON batch;
 * needs the `publish` scope; every item is validated against `schemas/publication.schema.json` — and,
 * when its type is engine-owned (`drift.detected`, `system.plugin_failed`…), against that type's schema
 * in `schemas/events/` — before any is published (all or nothing); the tenant is always the caller's.
 */
import { readFileSync } from 'node:fs'
import { createAjv } from '../schema/ajv.ts'
import type { Bus } from '../bus/bus.ts'
import type { Envelope, Publication } from '../envelope.ts'
import { validateEventPublication } from '../events.ts'

const schema = JSON.parse(readFileSync(new URL('../../schemas/publication.schema.json', import.meta.url), 'utf8'))
const ajv = createAjv({ allErrors: false, strict: false })
const validate = ajv.compile(schema)

/** Max publications in one batch. */
export const MAX_BATCH = 10_000

export type PublishResult =
  | { ok: true; envelopes: Array<{ id: string; topic: string; offset: number; type: string }> }
  | { ok: false; status: 400 | 403 | 503; code: string; message: string }

/** Validates and publishes `value` (an object or array) for `tenant`. */
export async function publishBody(bus: Bus, tenant: string, value: unknown): Promise<PublishResult> {
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 0) return { ok: false, status: 400, code: 'invalid_publication', message: 'The batch is empty.' }
  if (items.length > MAX_BATCH) return { ok: false, status: 400, code: 'invalid_publication', message: `At most ${MAX_BATCH} publications per batch.` }
  const pubs: Publication[] = []
  for (let i = 0; i < items.length; i++) {
    const where = Array.isArray(value) ? `item ${i + 1}` : 'publication'
    if (!validate(items[i])) {
      const e = validate.errors?.[0]
      const detail = e ? `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}${e.params && 'allowedValues' in e.params ? `: ${(e.params.allowedValues as string[]).join(', ')}` : ''}` : 'is invalid'
      return { ok: false, status: 400, code: 'invalid_publication', message: `${where}: ${detail}.` }
    }
    const item = items[i] as Publication
    if (item.tenant !== undefined && item.tenant !== tenant) {
      return { ok: false, status: 403, code: 'forbidden', message: `${where}: tenant "${item.tenant}" is not yours; omit tenant (it is set from your token).` }
    }
    const pub: Publication = { topic: item.topic, type: item.type, data: item.data, tenant, ...(item.id ? { id: item.id } : {}), ...(item.time ? { time: item.time } : {}) }
    const owned = validateEventPublication(pub)
    if (!owned.ok) {
      const found = [...new Set(owned.errors.map((e) => `${e.pointer} ${e.message}`))]
      const listed = found.slice(0, 3).join('; ') + (found.length > 3 ? `; and ${found.length - 3} more` : '')
      return { ok: false, status: 400, code: 'TFD_ERR_PUBLICATION_SCHEMA', message: `${where}: ${item.type} is an engine-owned type and must match schemas/events/${item.type}.schema.json: ${listed}. Use a type name of your own for free-form data.` }
    }
    pubs.push(pub)
  }
  // One atomic, durable batch: a 200 means every envelope is durable, and a failure leaves none that a retry would duplicate.
  let published: Envelope[]
  try {
    published = await bus.publishBatch(pubs)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'TFD_ERR_BUS_PUBLICATION') return { ok: false, status: 400, code, message: (error as Error).message }
    if (code !== 'TFD_ERR_BUS_CONNECT' && code !== 'TFD_ERR_BUS_JOURNAL' && code !== 'TFD_ERR_BUS_CLOSED') throw error
    return { ok: false, status: 503, code, message: `Nothing was published: ${(error as Error).message} Retry the whole batch.` }
  }
  return { ok: true, envelopes: published.map((env) => ({ id: env.id, topic: env.topic, offset: env.offset, type: env.type })) }
}
