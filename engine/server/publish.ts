/**
 * `POST /api/v1/publish`: relay ingest. One publication (JSON object), a JSON array, or an NDJSON batch;
 * needs the `publish` scope; every item is validated against `schemas/publication.schema.json` before any
 * is published (all or nothing); the tenant is always the caller's.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { Bus } from '../bus/bus.ts'
import type { Publication } from '../envelope.ts'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const schema = JSON.parse(readFileSync(new URL('../../schemas/publication.schema.json', import.meta.url), 'utf8'))
const ajv = addFormats(new Ajv2020({ allErrors: false, strict: false }))
const validate = ajv.compile(schema)

/** Max publications in one batch. */
export const MAX_BATCH = 10_000

export type PublishResult =
  | { ok: true; envelopes: Array<{ id: string; topic: string; offset: number; type: string }> }
  | { ok: false; status: 400 | 403; code: string; message: string }

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
    pubs.push({ topic: item.topic, type: item.type, data: item.data, tenant, ...(item.id ? { id: item.id } : {}), ...(item.time ? { time: item.time } : {}) })
  }
  const envelopes = []
  for (const p of pubs) {
    const env = await bus.publish(p)
    envelopes.push({ id: env.id, topic: env.topic, offset: env.offset, type: env.type })
  }
  return { ok: true, envelopes }
}
