/** HTTP ingress routes registered by source plugins (Falco http_output, webhooks), served on the main port. */
import type { HttpResponse } from 'uWebSockets.js'
import type { Logger } from 'pino'
import type { Ingress, IngressRoute } from '../plugin-api.ts'
import type { Authenticate } from './principal.ts'
import { requireScope } from './auth.ts'
import { parseJsonBody } from './body.ts'
import { BodyTooLarge, parseQuery, readBody, sendError, sendJson, type AbortState, type RequestInfo } from './http.ts'

export const DEFAULT_INGRESS_BODY_LIMIT = 1024 * 1024

/** The registry plugins see as `ctx.ingress`; routes may be added while the server runs. */
export class IngressRegistry implements Ingress {
  private readonly routes = new Map<string, IngressRoute>()
  constructor(private readonly reserved: (path: string) => boolean) {}

  register(route: IngressRoute): void {
    if (!route.path.startsWith('/')) throw new Error(`Ingress path "${route.path}" must be absolute.`)
    if (this.reserved(route.path)) throw new Error(`Ingress path "${route.path}" is reserved by the server.`)
    const key = `${route.method} ${route.path}`
    if (this.routes.has(key)) throw new Error(`Ingress route ${key} is already registered.`)
    this.routes.set(key, route)
  }

  /** Removes a route (plugin restart). */
  unregister(route: Pick<IngressRoute, 'method' | 'path'>): void {
    this.routes.delete(`${route.method} ${route.path}`)
  }

  find(method: string, path: string): IngressRoute | undefined {
    return this.routes.get(`${method} ${path}`)
  }
}

/**
 * Authenticates, checks scope, reads a bounded body (413), parses JSON/NDJSON (415 for another
 * Content-Type, 400 when malformed or nested past MAX_JSON_DEPTH), then calls the route: a plugin
 * handler only ever sees a bounded, parsed value.
 */
export async function serveIngress(route: IngressRoute, res: HttpResponse, state: AbortState, info: RequestInfo, authenticate: Authenticate, cors: Record<string, string>, logger: Logger): Promise<void> {
  const auth = authenticate({ headers: info.headers, query: parseQuery(info.query).one })
  if (!auth.ok) return sendError(res, state, auth.status, auth.code, auth.message, cors)
  const denied = requireScope(auth.principal, route.scope)
  if (denied) return sendError(res, state, 403, denied.code, denied.message, cors)
  let body: Buffer | undefined
  try {
    body = await readBody(res, state, info.headers, route.body_limit ?? DEFAULT_INGRESS_BODY_LIMIT)
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendError(res, state, 413, 'body_too_large', `The body is over ${route.body_limit ?? DEFAULT_INGRESS_BODY_LIMIT} bytes; send smaller batches.`, { ...cors, connection: 'close' })
    throw err
  }
  if (!body) return
  const parsed = parseJsonBody(body, info.headers['content-type'])
  if (!parsed.ok) return sendError(res, state, parsed.status, parsed.code, parsed.message, cors)
  try {
    const out = await route.handle(parsed.value, { tenant: auth.principal.tenant, headers: info.headers })
    const ok = out.status < 400
    sendJson(res, state, out.status, ok ? { success: true, data: out.data ?? null } : { success: false, error: out.data ?? { code: 'rejected', message: 'The source rejected the request.' } }, cors)
  } catch (err) {
    logger.error({ err, path: route.path }, 'An ingress route handler failed.')
    sendError(res, state, 500, 'internal', 'The source failed to handle the request; see the server log.', cors)
  }
}
