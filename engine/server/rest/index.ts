/**
 * The REST API (ARCHITECTURE.md "HTTP API") as a fastify instance over the engine's Store and Bus.
 * It does not listen by itself: the uWebSockets.js server bridges REST requests to it (`inject`),
 * and tests may `listen({ port: 0 })` it directly. Every route authenticates first and is scoped to
 * the caller's tenant; every route has request and response schemas, from which the OpenAPI
 * document at `/api/v1/openapi.json` is built.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Bus } from '../../bus/bus.ts'
import type { Store } from '../../store/store.ts'
import type { Principal } from '../principal.ts'
import type { Authenticate } from '../principal.ts'
import { silentLogger } from '../../logger.ts'
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../json-depth.ts'
import { TOO_DEEP, tooDeepMessage, unsupportedMediaType } from '../body.ts'
import { HttpError, describeValidation, flatHeaders, principalOf, sendError, setPrincipal } from './http.ts'
import { buildOpenApi, type RouteDoc } from './openapi.ts'
import { REALTIME_OPENAPI_PATHS } from './realtime-paths.ts'
import { GraphCache } from '../../graph/view-cache.ts'
import type { Clock } from '../../plugin-api.ts'
import { systemClock } from '../../clock.ts'
import { registerGraphRoutes } from './routes/graph.ts'
import { registerStateRoutes } from './routes/state.ts'
import { registerEventRoutes } from './routes/events.ts'
import { registerDriftRoutes } from './routes/drifts.ts'
import { registerDriftWorkflowRoutes } from './routes/drift-workflow.ts'
import { registerStatsRoutes } from './routes/stats.ts'
import { registerRemediationRoutes } from './routes/remediations.ts'
import { registerChangeSetRoutes } from './routes/change-sets.ts'
import { registerSessionRoutes } from './routes/session.ts'

export interface RestAppOptions {
  store: Store
  bus: Bus
  authenticate: Authenticate
  logger?: Logger
  /** Runtime counters (pipelines, connections…) included as `runtime` in `GET /api/v1/stats`, as the caller may see them. */
  stats?: (principal: Principal) => unknown
  /**
   * OpenAPI path items for routes served outside fastify, or a function of the caller giving them
   * (ingress routes differ by tenant); default: the realtime server's (`/ws`, `/api/v1/stream`,
   * `/api/v1/publish`, `/health`, `/metrics`). Pass `{}` for none.
   */
  openapiPaths?: Record<string, unknown> | ((principal: Principal) => Record<string, unknown>)
  /** Max request body in bytes (default 1 MiB). */
  bodyLimit?: number
  /** How long graph/state views are served without re-reading snapshots, ms (default 2000; 0 = always re-read). */
  cacheTtlMs?: number
  /** The process's state-view cache, when the runtime shares one (the live stats publisher reads it too). */
  graphs?: GraphCache
  /** Time of status changes and of snooze expiry (default the system clock; tests pass a manual one). */
  clock?: Clock
  /** Whether `authenticate` checks credentials (false for a server without `server.auth`); `GET /api/v1/session` tells clients. Default true. */
  authConfigured?: boolean
}

/** What each route handler reaches through its registration function. */
export interface RestContext {
  store: Store
  bus: Bus
  logger: Logger
  stats?: (principal: Principal) => unknown
  graphs: GraphCache
  clock: Clock
}

/** Scope a route needs; `admin` also satisfies `read`. Routes set it as `config: { scope }`. */
export type RouteScope = 'read' | 'admin'

/** Creates the REST fastify instance (not listening; call `listen` or `inject`). */
export async function createRestApp(opts: RestAppOptions): Promise<FastifyInstance> {
  const logger = opts.logger ?? silentLogger
  const app = Fastify({
    loggerInstance: logger.child({ component: 'rest' }),
    // Per-request info lines would dominate the log of a polled dashboard; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
  }) as unknown as FastifyInstance

  const routes: RouteDoc[] = []
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (method === 'HEAD' || route.url === '*') continue
      routes.push({ method, url: route.url, schema: route.schema as RouteDoc['schema'], scope: (route.config as { scope?: RouteScope } | undefined)?.scope ?? 'read' })
    }
  })

  // An empty body with a JSON content type is "no body" (approve/reject take none), not an error.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH) !== undefined) return done(new HttpError(400, TOO_DEEP, tooDeepMessage('The request body')) as unknown as Error, undefined)
    try {
      done(null, JSON.parse(text))
    } catch {
      done(new HttpError(400, 'TFD_ERR_REQUEST_INVALID', 'The request body is not valid JSON; send a JSON object or no body.') as unknown as Error, undefined)
    }
  })

  app.addHook('onRequest', async (request, reply) => {
    const result = opts.authenticate({ headers: flatHeaders(request.headers), query: request.query as Record<string, string | undefined> })
    if (!result.ok) return sendError(reply, result.status, result.code, result.message)
    const needed = (request.routeOptions.config as { scope?: RouteScope } | undefined)?.scope ?? 'read'
    if (!hasScope(result.principal, needed)) {
      return sendError(reply, 403, 'TFD_ERR_SCOPE_MISSING', `This endpoint needs the '${needed}' scope; your token has ${result.principal.scopes.map((s) => `'${s}'`).join(', ') || 'none'}. Use a token with '${needed}'.`)
    }
    setPrincipal(request, result.principal)
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error.status, error.code, error.message)
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'TFD_ERR_MEDIA_TYPE', unsupportedMediaType(request.headers['content-type']))
    if (error.validation) {
      const { message, details } = describeValidation(error, request)
      return sendError(reply, 400, 'TFD_ERR_REQUEST_INVALID', message, details)
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) return sendError(reply, status, 'TFD_ERR_REQUEST_INVALID', error.message)
    request.log.error({ err: error, url: request.url.split('?')[0] }, 'A REST request failed unexpectedly.')
    return sendError(reply, 500, 'TFD_ERR_REST_INTERNAL', 'The server failed to answer this request; retry, and check the server log if it persists.')
  })

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, 404, 'TFD_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}; GET /api/v1/openapi.json lists every route.`)
  })

  const ctx: RestContext = { store: opts.store, bus: opts.bus, logger, stats: opts.stats, graphs: opts.graphs ?? new GraphCache(opts.store, opts.cacheTtlMs ?? 2000), clock: opts.clock ?? systemClock }
  registerGraphRoutes(app, ctx)
  registerStateRoutes(app, ctx)
  registerEventRoutes(app, ctx)
  registerDriftRoutes(app, ctx)
  registerDriftWorkflowRoutes(app, ctx)
  registerStatsRoutes(app, ctx)
  registerRemediationRoutes(app, ctx)
  registerChangeSetRoutes(app, ctx)
  registerSessionRoutes(app, opts.authConfigured ?? true)

  app.get('/api/v1/openapi.json', {
    schema: { summary: 'This OpenAPI 3.1 document (not wrapped in success/data)', tags: ['meta'], response: { 200: { type: 'object', additionalProperties: true } } },
  }, async (request) => {
    const extra = opts.openapiPaths ?? REALTIME_OPENAPI_PATHS
    return buildOpenApi(routes, typeof extra === 'function' ? extra(principalOf(request)) : extra)
  })

  return app
}

function hasScope(principal: Principal, needed: RouteScope): boolean {
  return principal.scopes.includes(needed) || principal.scopes.includes('admin')
}
