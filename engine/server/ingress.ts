/**
 * Serves the HTTP ingress routes source plugins register (http_output of alerting tools, webhooks) on
 * the main port; which routes exist, and for which tenant, is engine/host/ingress.ts.
 */
import type { HttpResponse } from 'uWebSockets.js'
import type { Logger } from 'pino'
import { routeFor, type IngressBinding } from '../host/ingress.ts'
import type { Authenticate } from './principal.ts'
import { requireScope } from './auth.ts'
import { parseJsonBody } from './body.ts'
import { BodyTooLarge, parseQuery, readBody, sendError, sendJson, type AbortState, type RequestInfo } from './http.ts'

export const DEFAULT_INGRESS_BODY_LIMIT = 1024 * 1024

/**
 * Authenticates, picks the route of the caller's tenant among those on the path (403 when only other
 * tenants receive there), checks scope, reads a bounded body (413), parses JSON/NDJSON (415 for another
 * Content-Type, 400 when malformed or nested past MAX_JSON_DEPTH), then calls the route: a plugin
 * handler only ever sees a bounded, parsed value from a caller of its own tenant.
 */
export async function serveIngress(bindings: readonly IngressBinding[], res: HttpResponse, state: AbortState, info: RequestInfo, authenticate: Authenticate, cors: Record<string, string>, logger: Logger): Promise<void> {
  const auth = authenticate({ headers: info.headers, query: parseQuery(info.query).one })
  if (!auth.ok) return sendError(res, state, auth.status, auth.code, auth.message, cors)
  const route = routeFor(bindings, auth.principal.tenant)?.route
  // Handing the push to another tenant's pipeline would let a token forge that tenant's records.
  if (!route) return sendError(res, state, 403, 'TFD_ERR_INGRESS_TENANT', `${info.method} ${info.url} receives for pipelines of another tenant; a token of tenant "${auth.principal.tenant}" may not post here.`, cors)
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
