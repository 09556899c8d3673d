/**
 * Builds the OpenAPI 3.1 document from the routes fastify registered (collected by an `onRoute`
 * hook), so the document can never list a route that does not exist or miss one that does.
 */
type Schema = Record<string, unknown>

/** One registered route as the OpenAPI builder sees it. */
export interface RouteDoc {
  method: string
  url: string
  scope: string
  schema?: { summary?: string; description?: string; tags?: string[]; querystring?: Schema; params?: Schema; body?: Schema; response?: Record<string, Schema> }
}

/** The OpenAPI document for the given routes plus extra path items served elsewhere. */
export function buildOpenApi(routes: RouteDoc[], extraPaths: Record<string, unknown> = {}): Schema {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    const s = route.schema ?? {}
    const parameters = [
      ...paramsOf(s.params, 'path'),
      ...paramsOf(s.querystring, 'query'),
    ]
    const responses: Record<string, unknown> = {}
    for (const [status, schema] of Object.entries(s.response ?? {})) {
      // A schema with `content` (fastify's per-media-type form) names its media types itself (a zip download).
      const content = (schema as { content?: unknown }).content ?? { 'application/json': { schema } }
      responses[status.toUpperCase()] = { description: describeStatus(status), content }
    }
    if (!responses['401']) responses['401'] = { description: 'Missing or invalid token' }
    if (!responses['403']) responses['403'] = { description: `Token lacks the '${route.scope}' scope or tenant access` }
    paths[path] ??= {}
    paths[path][route.method.toLowerCase()] = {
      operationId: operationId(route.method, route.url),
      summary: s.summary,
      ...(s.description ? { description: s.description } : {}),
      tags: s.tags,
      'x-tfdrift-scope': route.scope,
      parameters,
      ...(s.body ? { requestBody: { required: false, content: { 'application/json': { schema: s.body } } } } : {}),
      responses,
    }
  }
  for (const [path, item] of Object.entries(extraPaths)) paths[path] = { ...(paths[path] ?? {}), ...(item as object) }
  return {
    openapi: '3.1.0',
    info: { title: 'tfdrift API', version: '1', description: 'Terraform drift detection: state, drifts, change events, remediations. Responses are wrapped as { success, data } or { success: false, error: { code, message } }.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { token: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        token: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
    paths,
  }
}

function paramsOf(schema: Schema | undefined, where: 'path' | 'query'): unknown[] {
  const props = (schema?.properties ?? {}) as Record<string, Schema>
  const required = new Set((schema?.required as string[] | undefined) ?? [])
  return Object.entries(props)
    .filter(([name]) => name !== 'token')
    .map(([name, prop]) => ({
      name, in: where, required: where === 'path' || required.has(name),
      ...(prop.description ? { description: prop.description } : {}),
      schema: Object.fromEntries(Object.entries(prop).filter(([k]) => k !== 'description')),
    }))
}

function describeStatus(status: string): string {
  if (status === '200') return 'Success'
  if (status === '4xx') return 'Client error (400 validation, 401, 403, 404, 409, 413, 422)'
  if (status === '5xx') return 'Server error'
  return status
}

function operationId(method: string, url: string): string {
  const words = url.replace(/^\/api\/v1\//, '').split(/[/.]/).filter(Boolean).map((w) => (w.startsWith(':') ? `by_${w.slice(1)}` : w))
  return [method.toLowerCase(), ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_')
}

declare module 'fastify' {
  /** OpenAPI annotations on route schemas (what @fastify/swagger adds); fastify itself ignores them. */
  interface FastifySchema {
    summary?: string
    description?: string
    tags?: string[]
  }
}
