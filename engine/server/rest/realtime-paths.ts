/**
 * OpenAPI path items for the routes the uWebSockets.js server serves itself (not fastify) — its own
 * and the ingress routes plugins register — so the one document at `/api/v1/openapi.json` describes
 * the whole port. Kept beside the REST app because the REST app is what serves the document; the
 * protocol details live in ARCHITECTURE.md and schemas/ws-*.json.
 */
const errorRef = { description: 'Error', content: { 'application/json': { schema: { type: 'object', properties: { success: { const: false }, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } } } }
const topicParam = { name: 'topic', in: 'query', required: false, description: 'Comma-separated topics (drifts, events, state, remediations, stats, metrics, system, graph, all); default all', schema: { type: 'string' } }
const filterParams = ['severity_min', 'resource_type', 'provider'].map((name) => ({ name, in: 'query', required: false, description: 'Filter: only envelopes whose data has this field and matches (graph deltas are never filtered)', schema: { type: 'string' } }))

/** `/ws`, `/api/v1/stream`, `/api/v1/publish`, `/health`, `/metrics`. */
export const REALTIME_OPENAPI_PATHS: Record<string, unknown> = {
  '/ws': {
    get: {
      operationId: 'get_ws', tags: ['realtime'], 'x-tfdrift-scope': 'read',
      summary: 'WebSocket upgrade: welcome, subscribe/unsubscribe (topic, filter, since, epoch), ping, query; events as { type: "event", event: envelope }. Close 4008 = slow consumer (reconnect with your last offset), 4009 = stream reset (reconnect with your last offset and epoch).',
      parameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { 101: { description: 'Switching protocols' }, 401: errorRef, 403: errorRef, 503: errorRef },
    },
  },
  '/api/v1/stream': {
    get: {
      operationId: 'get_stream', tags: ['realtime'], 'x-tfdrift-scope': 'read',
      summary: 'Server-Sent Events: id = offset@epoch (or cursor drifts:12@E,events:40@E for several topics), event = type, data = envelope; Last-Event-ID or ?since= resumes, and a resume across an epoch change replays the new epoch with recovered: false.',
      parameters: [topicParam, ...filterParams, { name: 'since', in: 'query', required: false, schema: { type: 'string' } }, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
      responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: errorRef, 401: errorRef, 403: errorRef },
    },
  },
  '/api/v1/publish': {
    post: {
      operationId: 'post_publish', tags: ['realtime'], 'x-tfdrift-scope': 'publish',
      summary: 'Publish one envelope ({ topic, type, data, id? }) or an NDJSON batch into your tenant (relay ingest). Content-Type must be application/json or application/x-ndjson (else 415); JSON nesting is limited to 64 levels; engine-owned types (those with a schema in schemas/events) must match it.',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'application/x-ndjson': { schema: { type: 'string' } } } },
      responses: { 200: { description: 'Published: offsets assigned, every envelope durable (the batch is all or nothing)' }, 400: errorRef, 401: errorRef, 403: errorRef, 413: errorRef, 415: errorRef, 503: errorRef },
    },
  },
  '/health': { get: { operationId: 'get_health', tags: ['meta'], security: [], summary: "Liveness (no token needed); with a token, the open connections and streams of the caller's tenant (`scope: tenant`), or of the whole server for a token with the `metrics` scope (`scope: server`)", responses: { 200: { description: 'OK' }, 401: errorRef } } },
  '/metrics': { get: { operationId: 'get_metrics', tags: ['meta'], 'x-tfdrift-scope': 'metrics', summary: "Prometheus metrics of the whole server, every tenant's counters included: needs a token with the `metrics` scope (not implied by admin) once the server has any auth; open only on a server without an auth section", responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, 401: errorRef, 403: errorRef } } },
}

/** What the document says of one ingress route: the registering plugin, when a pipeline's node registered it. */
export interface IngressRouteDoc {
  route: { method: string; path: string; scope: string }
  owner?: { plugin: string }
}

/** Path items for the ingress routes source plugins registered (method, path, scope and plugin). */
export function ingressPathItems(routes: readonly IngressRouteDoc[]): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const { route, owner } of routes) {
    const method = route.method.toLowerCase()
    paths[route.path] ??= {}
    paths[route.path]![method] = {
      operationId: `${method}_ingress_${route.path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
      tags: ['ingress'], 'x-tfdrift-scope': route.scope,
      ...(owner ? { 'x-tfdrift-plugin': owner.plugin } : {}),
      summary: `Ingress${owner ? ` of the "${owner.plugin}" source plugin` : ''}: pushes one JSON document or an NDJSON batch into your tenant's pipeline (Content-Type application/json or application/x-ndjson, else 415; nesting limited to 64 levels).`,
      requestBody: { required: true, content: { 'application/json': { schema: {} }, 'application/x-ndjson': { schema: { type: 'string' } } } },
      responses: { '2XX': { description: 'Accepted by the plugin; its answer is wrapped in { success: true, data }' }, 400: errorRef, 401: errorRef, 403: errorRef, 413: errorRef, 415: errorRef, 503: errorRef },
    }
  }
  return paths
}
