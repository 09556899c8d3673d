/**
 * JSON Schemas of the REST API: request parameters (validated by ajv) and responses (serialised by
 * fast-json-stringify, which also drops any key a schema does not name — so nothing leaks by accident).
 * Schemas are inlined, not `$ref`ed, so the OpenAPI document built from the routes is self-contained;
 * the domain objects (drift, actor, change event) come from schemas/model.schema.json.
 */
import { createRequire } from 'node:module'
import { SEVERITIES } from '../../model.ts'

type Schema = Record<string, unknown>

const modelSchema = createRequire(import.meta.url)('../../../schemas/model.schema.json') as { $defs: Record<string, Schema> }

/**
 * Responses are serialised, not validated: checks such as `format`, `pattern` and conditional `required`
 * (allOf/if/then) would only make the serialiser refuse values the store already holds.
 */
const SERIALISER_IGNORED = new Set(['allOf', 'if', 'then', 'else', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'])

/**
 * A definition of schemas/model.schema.json with its `#/$defs/…` references inlined: the model schema
 * is the one source of truth for drifts, actors and change events, so a field added there reaches REST
 * responses too (the serialiser would otherwise drop it silently).
 */
export function modelDefinition(name: string): Schema {
  const inline = (value: unknown, depth: number): unknown => {
    if (depth > 32) throw new Error(`model.schema.json: $ref nesting too deep at ${name}`)
    if (Array.isArray(value)) return value.map((v) => inline(v, depth + 1))
    if (!value || typeof value !== 'object') return value
    const { $ref: ref, ...rest } = value as Schema
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
      return { ...(inline(modelSchema.$defs[ref.slice('#/$defs/'.length)], depth + 1) as Schema), ...(inline(rest, depth + 1) as Schema) }
    }
    const out: Schema = {}
    for (const [key, v] of Object.entries(rest)) {
      if (SERIALISER_IGNORED.has(key)) continue
      // Under `properties` the keys are field names, not keywords: keep every one.
      out[key] = key === 'properties' && v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([field, sub]) => [field, inline(sub, depth + 1)]))
        : inline(v, depth + 1)
    }
    return out
  }
  const def = modelSchema.$defs[name]
  if (!def) throw new Error(`model.schema.json has no $defs/${name}`)
  return inline(def, 0) as Schema
}

const str = { type: 'string' } as const
const int = { type: 'integer' } as const
const num = { type: 'number' } as const
/** Any JSON value (attribute values, expected/actual). */
const anyValue = {} as const
const openObject = { type: 'object', additionalProperties: true } as const

export const severityEnum = { type: 'string', enum: [...SEVERITIES] } as const
export const driftKindEnum = { type: 'string', enum: ['missing', 'unmanaged', 'modified'] } as const
export const driftStatusEnum = { type: 'string', enum: ['open', 'acknowledged', 'snoozed', 'remediated', 'resolved'] } as const
export const remediationStatusEnum = { type: 'string', enum: ['proposed', 'approved', 'rejected', 'applied', 'failed', 'obsolete'] } as const

export const actorSchema: Schema = modelDefinition('actor')

export const resourceSchema: Schema = {
  type: 'object',
  required: ['address', 'mode', 'type', 'name', 'provider', 'attributes'],
  properties: {
    address: str, mode: { type: 'string', enum: ['managed', 'data'] }, type: str, name: str, module: str,
    index_key: { type: ['string', 'integer'] }, provider: str, provider_address: str, resource_id: str, arn: str,
    attributes: openObject,
    sensitive_paths: { type: 'array', items: { type: 'array', items: { type: ['string', 'integer'] } } },
    dependencies: { type: 'array', items: str }, status: str, deposed: str, schema_version: int,
  },
}

export const changeEventSchema: Schema = modelDefinition('change_event')

export const driftSchema: Schema = modelDefinition('drift')

export const statusChangeSchema: Schema = {
  type: 'object',
  required: ['drift_id', 'status', 'changed_at'],
  properties: {
    drift_id: str, action: { type: 'string', enum: ['detected', 'updated', 'status'] }, status: driftStatusEnum, changed_at: str,
    by: str, note: str, until: str, actor: actorSchema,
  },
}

export const remediationSchema: Schema = {
  type: 'object',
  required: ['id', 'drift_id', 'strategy', 'content', 'summary', 'status', 'created_at'],
  properties: {
    id: str, drift_id: str, strategy: { type: 'string', enum: ['import', 'removed', 'revert', 'accept', 'command'] },
    content: str, summary: str, status: remediationStatusEnum, created_at: str, decided_by: str, decided_at: str, reason: str,
  },
}

export const graphNodeSchema: Schema = {
  type: 'object',
  required: ['id', 'label', 'type', 'provider'],
  properties: {
    id: str, label: str, address: str, type: str, name: str, provider: str, mode: str, module: str,
    index_key: { type: ['string', 'integer'] }, resource_id: str, arn: str, source: str, status: str,
    /** Most severe open drift on this node, when any. */
    drift_severity: severityEnum, drift_count: int,
  },
  additionalProperties: true,
}

export const graphEdgeSchema: Schema = {
  type: 'object',
  required: ['id', 'source', 'target'],
  properties: { id: str, source: str, target: str, kind: { type: 'string', enum: ['depends_on', 'reference'] }, via: { type: 'array', items: str } },
  additionalProperties: true,
}

export const coverageSchema: Schema = {
  type: 'object',
  required: ['managed', 'unmanaged', 'missing', 'modified', 'percent'],
  properties: { managed: int, unmanaged: int, missing: int, modified: int, percent: num },
}

export const errorSchema: Schema = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { type: 'boolean', const: false },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: str, message: str,
        details: { type: 'array', items: { type: 'object', properties: { field: str, expected: str } } },
      },
    },
  },
}

/** `{ success: true, data }` around a data schema. */
export function ok(data: Schema): Schema {
  return { type: 'object', required: ['success', 'data'], properties: { success: { type: 'boolean', const: true }, data } }
}

/** A page `{ items, total, page, limit }` of an item schema, plus any extra properties. */
export function pageOf(item: Schema, extra: Record<string, Schema> = {}, required: string[] = []): Schema {
  return {
    type: 'object',
    required: ['items', 'total', 'page', 'limit', ...required],
    properties: { items: { type: 'array', items: item }, total: int, page: int, limit: int, next_cursor: { type: 'string', description: 'Pass as `cursor` to get the next page (keyset pagination; absent on the last page)' }, ...extra },
  }
}

/** Success schema plus the error schema for every 4xx/5xx, as fastify's `response` option. */
export function responses(data: Schema): Schema {
  return { 200: ok(data), '4xx': errorSchema, '5xx': errorSchema }
}

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 1000

/** `page`/`limit` query parameters; `token` is accepted everywhere (EventSource-style auth). */
export const pageQuery: Record<string, Schema> = pageQueryUpTo(MAX_LIMIT)

/** Max page of graph nodes/edges: a canvas loads 100k nodes in ten requests, and the items are small. */
export const GRAPH_MAX_LIMIT = 10_000

/** `page`/`limit` with `limit` up to `max` (default still DEFAULT_LIMIT). */
export function pageQueryUpTo(max: number): Record<string, Schema> {
  return {
    page: { type: 'integer', minimum: 1, default: 1, description: '1-based page number' },
    limit: { type: 'integer', minimum: 1, maximum: max, default: DEFAULT_LIMIT, description: `Items per page (max ${max})` },
  }
}

/** Where a stream stood: resume after `offset` (exclusive) if your stream's epoch is still `epoch`. */
const streamPosition: Schema = {
  type: 'object', required: ['offset', 'epoch'],
  properties: { offset: { type: 'integer', description: 'Last offset of the stream when the read began; resume after it (WS `since`, SSE `since`/Last-Event-ID)' }, epoch: { type: 'string', description: 'The stream epoch the offset belongs to' } },
}

/** Positions of the `graph` and `drifts` streams taken before a graph read. */
export const graphCursorSchema: Schema = {
  type: 'object', required: ['graph', 'drifts'],
  description: 'Where to resume the `graph` and `drifts` streams after this read: taken before reading, so nothing after it is missed (an event replayed over what the read already showed is harmless: deltas are idempotent)',
  properties: { graph: streamPosition, drifts: streamPosition },
}

/** A querystring schema that rejects unknown parameters (typos like `severty=` must not silently match everything). */
export function query(properties: Record<string, Schema>): Schema {
  return { type: 'object', additionalProperties: false, properties: { token: { type: 'string', description: 'Bearer token (alternative to the Authorization header)' }, ...properties } }
}

/** A path-parameter schema. */
export function params(properties: Record<string, Schema>): Schema {
  return { type: 'object', required: Object.keys(properties), properties }
}
