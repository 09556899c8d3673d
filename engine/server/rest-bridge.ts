/**
 * REST over uWS: the bridge from the uWS listener to the fastify REST app.
 *
 * Why `inject`: uWS owns the only listening socket, and `@geut/fastify-uws` does not run with the uWS
 * build that loads here. `app.inject()` (light-my-request) runs fastify's whole request pipeline —
 * routing, hooks, ajv request validation, response serialisation — in-process with no second port,
 * no proxy hop and no loopback socket. uWS collects method/url/headers and a body bounded by
 * `body_limit_bytes` (413 before fastify sees it), and writes back status/headers/body. The cost
 * (tens of µs per request) is fine for REST, which is not the hot path; streaming responses are not
 * needed because WS and SSE are served by uWS itself. Aborted requests are dropped without writing.
 */
import type { FastifyInstance } from 'fastify'
import type { HttpResponse } from 'uWebSockets.js'
import { BodyTooLarge, readBody, send, sendError, type AbortState, type RequestInfo } from './http.ts'

const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date'])

/** Serves one request through fastify. */
export async function bridgeToFastify(app: FastifyInstance, res: HttpResponse, state: AbortState, info: RequestInfo, bodyLimit: number, cors: Record<string, string>): Promise<void> {
  let payload: Buffer | undefined
  if (info.method !== 'GET' && info.method !== 'HEAD') {
    try {
      payload = await readBody(res, state, info.headers, bodyLimit)
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendError(res, state, 413, 'body_too_large', `The body is over ${bodyLimit} bytes.`, { ...cors, connection: 'close' })
      throw err
    }
    if (state.aborted) return
  }
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(info.headers)) if (v !== undefined) headers[k] = v
  const out = await app.inject({
    method: info.method as 'GET',
    url: info.query ? `${info.url}?${info.query}` : info.url,
    headers,
    ...(payload && payload.length ? { payload } : {}),
  })
  const replyHeaders: Record<string, string> = { ...cors }
  for (const [k, v] of Object.entries(out.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k.toLowerCase())) continue
    replyHeaders[k] = Array.isArray(v) ? v.join(', ') : String(v)
  }
  send(res, state, out.statusCode, out.rawPayload, replyHeaders)
}
