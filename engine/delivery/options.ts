/**
 * The options every delivering transport shares — routing, batching, retries — as JSON Schema
 * properties a plugin merges into its own schema, so `webhook`, `slack` and `file` are configured
 * (and documented) the same way.
 */
import { SEVERITIES } from '../model.ts'
import { TOPICS } from '../envelope.ts'
import type { DeliveryRoute, DeliverySpec, JsonSchema } from '../plugin-api.ts'

/** The shared options as a plugin receives them (schema defaults applied). */
export interface DeliveryOptions {
  route?: DeliveryRoute
  batch_size?: number
  concurrency?: number
  max_attempts?: number
  retry?: { base_ms?: number; cap_ms?: number }
  start_from?: 'latest' | 'oldest'
}

const strings = (description: string, example: string[]) => ({ description, type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, examples: [example] })

export const DELIVERY_OPTIONS_SCHEMA: Record<string, JsonSchema> = {
  route: {
    description: 'Which events this transport delivers. Every rule that is set must match; a rule about a field an event does not carry (severity of a `system` event) does not filter it.',
    type: 'object',
    additionalProperties: false,
    properties: {
      topics: { description: 'Topics read from the bus.', type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...TOPICS] }, examples: [['drifts', 'remediations']] },
      tenants: strings('Tenants whose events are delivered (default: the pipeline\'s tenant).', ['acme']),
      min_severity: { description: 'Only drifts at least this severe.', enum: [...SEVERITIES], examples: ['high'] },
      kinds: { description: 'Drift kinds.', type: 'array', uniqueItems: true, items: { enum: ['missing', 'unmanaged', 'modified'] }, examples: [['modified', 'unmanaged']] },
      types: strings('Event types; a trailing * matches a prefix.', ['drift.detected', 'remediation.*']),
      providers: strings('Providers of the drift or change event.', ['aws']),
    },
    default: { topics: ['drifts'] },
    examples: [{ topics: ['drifts'], min_severity: 'high', providers: ['aws'] }],
  },
  batch_size: { description: 'Most events handed to the receiver in one request.', type: 'integer', minimum: 1, maximum: 1000, default: 1, examples: [1, 50] },
  concurrency: { description: 'Requests in flight at once per stream; the checkpoint still advances in offset order.', type: 'integer', minimum: 1, maximum: 64, default: 1, examples: [4] },
  max_attempts: { description: 'Failed attempts of one request before its events go to the dead letter (a `delivery.dead_lettered` event on the `system` topic).', type: 'integer', minimum: 1, default: 8, examples: [20] },
  retry: {
    description: 'Backoff between attempts: capped exponential with full jitter; a Retry-After from the receiver wins.',
    type: 'object',
    additionalProperties: false,
    properties: {
      base_ms: { description: 'Ceiling of the first delay, ms.', type: 'integer', minimum: 1, examples: [500] },
      cap_ms: { description: 'Largest delay, ms.', type: 'integer', minimum: 1, examples: [30000] },
    },
    default: { base_ms: 500, cap_ms: 30000 },
    examples: [{ base_ms: 200, cap_ms: 10000 }],
  },
  start_from: { description: 'Where a transport with no checkpoint yet starts: only events published from now on, or the oldest the bus still holds. Later runs always resume after the checkpoint.', enum: ['latest', 'oldest'], default: 'latest', examples: ['oldest'] },
}

/**
 * `schema` with the shared options added (its own properties win, so a plugin can change a default,
 * e.g. Slack's batch size).
 */
export function withDeliveryOptions(schema: JsonSchema, defaults: Partial<Record<keyof DeliveryOptions, unknown>> = {}): JsonSchema {
  const shared = Object.fromEntries(Object.entries(DELIVERY_OPTIONS_SCHEMA).map(([k, v]) => [k, k in defaults ? { ...v, default: defaults[k as keyof DeliveryOptions] } : v]))
  return { ...schema, properties: { ...shared, ...(schema.properties as Record<string, JsonSchema>) } }
}

/** The engine's delivery spec from the shared options. */
export function deliverySpec(options: DeliveryOptions, extra: Partial<DeliverySpec> = {}): DeliverySpec {
  return {
    route: options.route,
    batch_size: options.batch_size,
    concurrency: options.concurrency,
    max_attempts: options.max_attempts,
    backoff: options.retry,
    start_from: options.start_from,
    ...extra,
  }
}
