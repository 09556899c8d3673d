/**
 * The realtime server: one uWebSockets.js listener serving `GET /ws` (WebSocket), `GET /api/v1/stream`
 * (SSE), `POST /api/v1/publish`, plugin ingress routes, `GET /health`, `GET /metrics`, the REST API
 * (fastify, bridged in-process — see rest-bridge.ts for why) and the dashboard at `/`.
 * The runtime (`tfdrift run`) and `tfdrift relay` call `startServer`.
 */
import { fileURLToPath } from 'node:url'
import { dirname, resolve } from 'node:path'
import uWS from 'uWebSockets.js'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { ServerConfig } from '../config/types.ts'
import { IngressTable, SERVER_PATHS } from '../host/ingress.ts'
import { TfdriftError } from '../errors.ts'
import type { Authenticate, Principal } from './principal.ts'
import { corsHeaders, createAuthenticator, credentialOf, originAllowed, requireScope } from './auth.ts'
import { parseJsonBody } from './body.ts'
import { Connections } from './connections.ts'
import { BodyTooLarge, captureRequest, headersTooLarge, parseQuery, readBody, send, sendError, sendJson, trackAbort, type AbortState, type RequestInfo } from './http.ts'
import { Hub } from './hub.ts'
import { serveIngress } from './ingress.ts'
import { resolveLimits, type ResolvedLimits } from './limits.ts'
import { createServerMetrics } from './metrics.ts'
import { publishBody } from './publish.ts'
import { bridgeToFastify } from './rest-bridge.ts'
import { ingressPathItems, REALTIME_OPENAPI_PATHS } from './rest/realtime-paths.ts'
import { mountSse } from './sse.ts'
import { loadStatic, resolveUiDir, UNBUILT_PAGE } from './static.ts'
import { listen } from './listen.ts'
import type { Clock } from '../plugin-api.ts'
import type { GraphCache } from '../graph/view-cache.ts'
import { mountWebSocket } from './ws.ts'

/** Builds the fastify REST app (`createRestApp` of ./rest has this shape). */
export type RestAppFactory = (deps: { store: Store; bus: Bus; authenticate: Authenticate; authConfigured?: boolean; logger: Logger; clock?: Clock; graphs?: GraphCache; bodyLimit?: number; stats?: (principal: Principal) => unknown; openapiPaths?: (principal: Principal) => Record<string, unknown> }) => Promise<FastifyInstance>

export interface StartServerOptions {
  config: ServerConfig
  bus: Bus
  store: Store
  logger: Logger
  /** Registry rendered at `/metrics`; the server adds its own metrics to it. */
  metricsRegistry?: Registry
  /** REST app factory; default: `createRestApp` from `./rest/index.ts`. Pass `false` to serve no REST. */
  rest?: RestAppFactory | false
  /** Dashboard directory; default `ui/dist` (without it `/` explains how to build it). */
  uiDir?: string
  /** How long a bind is retried while only TIME_WAIT leftovers of a previous run hold the port (listen.ts). */
  listenWaitMs?: number
  /** The runtime's clock, for REST status changes and snooze expiry (default the system clock). */
  clock?: Clock
  /** The runtime's state-view cache, shared with its live stats publisher so snapshots are loaded once. */
  graphs?: GraphCache
}

export interface Server {
  /** The bound port (useful with `port: 0`). */
  port: number
  /** Where source plugins register HTTP push routes, each for its pipeline's tenant. */
  ingress: IngressTable
  /** Limits in force (defaults applied). */
  limits: ResolvedLimits
  /** Open realtime connections and live streams, server-wide (tests; /health shows them to admin tokens only). */
  stats(): { ws: number; sse: number; connections: number; streams: number }
  /** One tenant's open realtime connections (the live metrics report them to that tenant). */
  clients(tenant: string): { ws: number; sse: number }
  /** Stops listening, closes WS with 1001 and ends SSE streams, releases the bus subscriptions. */
  close(): Promise<void>
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Starts listening; resolves once the port is bound. */
export async function startServer(opts: StartServerOptions): Promise<Server> {
  const { config, bus, store, logger } = opts
  const log = logger.child({ component: 'server' })
  const limits = resolveLimits(config)
  const metrics = createServerMetrics(opts.metricsRegistry)
  const authenticate = createAuthenticator(config.auth)
  if (!config.auth) log.warn('No server.auth configured: anyone who can reach the port may read tenant "default"; publishing needs a token.')
  const connections = new Connections(limits, metrics, log)
  const app = uWS.App()
  let fannedOut = 0
  const hub = new Hub({
    bus,
    publish: (channel, frame) => {
      const n = app.numSubscribers(channel)
      if (n === 0) return 0
      app.publish(channel, frame, false, false)
      // Any one socket received at most these bytes since the last sweep: check buffers every limit/4.
      fannedOut += frame.length
      if (fannedOut > limits.max_buffer_bytes / 4) {
        fannedOut = 0
        wsServer.sweep()
      }
      return n
    },
    maxBufferBytes: limits.max_buffer_bytes,
    historyPageSize: limits.history_page_size,
    onDeliver: (count, bytes) => {
      metrics.deliveries.inc({ kind: 'ws' }, count)
      metrics.bytes.inc({ kind: 'ws' }, bytes)
    },
    onError: (err, where) => log.error({ err, where }, 'Realtime fan-out failed.'),
  })
  const common = { app, bus, hub, authenticate, config, limits, connections, metrics, logger: log }
  const wsServer = mountWebSocket(common)
  const sseServer = mountSse(common)
  const ingress = new IngressTable((p) => SERVER_PATHS.has(p))
  const started = Date.now()

  let rest: FastifyInstance | undefined
  const factory = opts.rest === false ? undefined : opts.rest ?? (await loadDefaultRest(log))
  if (factory) {
    rest = await factory({
      store, bus, authenticate, authConfigured: config.auth !== undefined, logger, clock: opts.clock, graphs: opts.graphs, bodyLimit: limits.body_limit_bytes, stats: (principal) => ({ server: countsFor(principal) }),
      // Routes come and go with plugin restarts, and another tenant's paths are none of the caller's business.
      openapiPaths: (principal) => ({ ...REALTIME_OPENAPI_PATHS, ...ingressPathItems(ingress.reachableBy(principal.tenant)) }),
    })
    await rest.ready()
  }
  const uiDir = resolveUiDir(opts.uiDir, ROOT)

  const stats = () => ({ ws: wsServer.conns.size, sse: sseServer.count(), connections: connections.count(), streams: hub.streamCount })
  // How busy the server is reveals other tenants' activity: a tenant (its admin included) sees its own
  // figures; the whole server's only a `metrics` token, the one that may read /metrics too.
  const countsFor = (p: Principal) => p.scopes.includes('metrics')
    ? { scope: 'server' as const, ...stats() }
    : { scope: 'tenant' as const, tenant: p.tenant, ws: connections.count(p.tenant, 'ws'), sse: connections.count(p.tenant, 'sse'), connections: connections.count(p.tenant), streams: hub.streamCountOf(p.tenant) }

  // Every uWS route starts here: 431 for an oversized header block before any other work.
  const accept = (res: uWS.HttpResponse, req: uWS.HttpRequest): { state: AbortState; info: RequestInfo } | undefined => {
    const state = trackAbort(res)
    const info = captureRequest(req)
    const big = headersTooLarge(info, limits.max_header_bytes)
    if (!big) return { state, info }
    sendError(res, state, big.status, big.code, big.message, { ...corsHeaders(info.headers.origin, config.cors, info.headers.host), connection: 'close' })
    return undefined
  }

  app.get('/health', (res, req) => {
    const accepted = accept(res, req)
    if (!accepted) return
    const { state, info } = accepted
    // Liveness needs no token; connection figures need one (a wrong token is 401, as everywhere).
    const request = { headers: info.headers, query: parseQuery(info.query).one }
    const auth = authenticate(request)
    if (!auth.ok && credentialOf(request) !== undefined) return sendError(res, state, auth.status, auth.code, auth.message)
    sendJson(res, state, 200, { success: true, data: { status: 'ok', uptime_s: Math.round((Date.now() - started) / 1000), ...(auth.ok ? countsFor(auth.principal) : {}) } })
  })
  app.get('/metrics', (res, req) => {
    const accepted = accept(res, req)
    if (!accepted) return
    const { state, info } = accepted
    // Open only while the server has no auth at all (the demo); otherwise the metrics scope is required.
    if (config.auth !== undefined) {
      const auth = authenticate({ headers: info.headers, query: parseQuery(info.query).one })
      if (!auth.ok) return sendError(res, state, auth.status, auth.code, auth.message)
      const denied = requireScope(auth.principal, 'metrics')
      if (denied) return sendError(res, state, denied.status, denied.code, `${denied.message} /metrics covers every tenant; give the scope to the monitoring system's token only.`)
    }
    metrics.registry.metrics().then(
      (text) => send(res, state, 200, text, { 'content-type': metrics.registry.contentType }),
      (err) => { log.error({ err }, 'Rendering metrics failed.'); sendError(res, state, 500, 'internal', 'Metrics could not be rendered.') },
    )
  })
  app.post('/api/v1/publish', (res, req) => {
    const accepted = accept(res, req)
    if (!accepted) return
    const { state, info } = accepted
    handlePublish(res, state, info).catch((err) => {
      log.error({ err }, 'Publishing failed.')
      sendError(res, state, 500, 'internal', 'Publishing failed; retry.')
    })
  })
  app.any('/*', (res, req) => {
    const accepted = accept(res, req)
    if (!accepted) return
    const { state, info } = accepted
    route(res, state, info).catch((err) => {
      log.error({ err, url: info.url }, 'Request failed.')
      sendError(res, state, 500, 'internal', 'The request failed; see the server log.')
    })
  })

  async function handlePublish(res: uWS.HttpResponse, state: AbortState, info: RequestInfo): Promise<void> {
    const cors = corsHeaders(info.headers.origin, config.cors, info.headers.host)
    if (!originAllowed(info.headers.origin, config.cors, info.headers.host)) return sendError(res, state, 403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
    const auth = authenticate({ headers: info.headers, query: parseQuery(info.query).one })
    if (!auth.ok) return sendError(res, state, auth.status, auth.code, auth.message, cors)
    const denied = requireScope(auth.principal, 'publish')
    if (denied) return sendError(res, state, 403, denied.code, denied.message, cors)
    let body: Buffer | undefined
    try {
      body = await readBody(res, state, info.headers, limits.body_limit_bytes)
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendError(res, state, 413, 'body_too_large', `The body is over ${limits.body_limit_bytes} bytes (server.limits.body_limit_bytes); send smaller NDJSON batches.`, { ...cors, connection: 'close' })
      throw err
    }
    if (!body) return
    const parsed = parseJsonBody(body, info.headers['content-type'])
    if (!parsed.ok) return sendError(res, state, parsed.status, parsed.code, parsed.message, cors)
    const out = await publishBody(bus, auth.principal.tenant, parsed.value)
    if (!out.ok) return sendError(res, state, out.status, out.code, out.message, cors)
    metrics.published.inc({ source: 'api' }, out.envelopes.length)
    sendJson(res, state, 200, { success: true, data: { published: out.envelopes.length, envelopes: out.envelopes } }, cors)
  }

  async function route(res: uWS.HttpResponse, state: AbortState, info: RequestInfo): Promise<void> {
    const origin = info.headers.origin
    const cors = corsHeaders(origin, config.cors, info.headers.host)
    if (info.method === 'OPTIONS') {
      if (!originAllowed(origin, config.cors, info.headers.host)) return sendError(res, state, 403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
      return send(res, state, 204, '', { ...cors, 'access-control-max-age': '600' })
    }
    const ingressRoutes = ingress.find(info.method, info.url)
    if (ingressRoutes) {
      if (!originAllowed(origin, config.cors, info.headers.host)) return sendError(res, state, 403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
      return serveIngress(ingressRoutes, res, state, info, authenticate, cors, log)
    }
    if (rest && info.url.startsWith('/api/')) {
      if (!originAllowed(origin, config.cors, info.headers.host)) return sendError(res, state, 403, 'origin_not_allowed', 'This Origin is not in server.cors.origins.')
      return bridgeToFastify(rest, res, state, info, limits.body_limit_bytes, cors)
    }
    if ((info.method === 'GET' || info.method === 'HEAD') && uiDir && !info.url.startsWith('/api/')) {
      const file = await loadStatic(uiDir, info.url)
      if (file) return send(res, state, 200, info.method === 'HEAD' ? '' : file.body, { 'content-type': file.type, 'cache-control': file.cache, 'x-content-type-options': 'nosniff' })
    }
    if (info.method === 'GET' && !uiDir && (info.url === '/' || info.url.startsWith('/?'))) {
      return send(res, state, 503, UNBUILT_PAGE, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
    }
    // uWS does not stop reading a body we never asked for; answering is enough.
    sendError(res, state, 404, 'not_found', `No route for ${info.method} ${info.url}.`, cors)
  }

  const host = config.host ?? '0.0.0.0'
  const listenSocket = await listen(app, host, config.port ?? 8080, log, opts.listenWaitMs)
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket)
  // A wildcard bind is reachable on localhost; print a URL a person can open.
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  log.info({ host, port, url: `http://${shown}:${port}` }, `tfdrift is serving the dashboard and API on http://${shown}:${port}`)
  let closed = false
  return {
    port,
    ingress,
    limits,
    stats,
    clients: (tenant) => ({ ws: connections.count(tenant, 'ws'), sse: connections.count(tenant, 'sse') }),
    async close() {
      if (closed) return
      closed = true
      uWS.us_listen_socket_close(listenSocket)
      wsServer.close()
      sseServer.close()
      hub.close()
      await rest?.close()
      // Let uWS flush the close frames, then drop every socket still open: an idle keep-alive
      // connection would otherwise go on serving requests (a browser reopening its stream on it).
      await new Promise((r) => setImmediate(r))
      ;(app as uWS.TemplatedApp & { close(): void }).close() // in this uWS build, missing from its typings
    },
  }
}

async function loadDefaultRest(log: Logger): Promise<RestAppFactory | undefined> {
  try {
    const mod = (await import('./rest/index.ts')) as { createRestApp?: RestAppFactory }
    return mod.createRestApp
  } catch (err) {
    log.warn({ err }, 'The REST API could not be loaded; only realtime routes are served.')
    return undefined
  }
}
