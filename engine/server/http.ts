/** Small helpers over uWS HttpRequest/HttpResponse: header capture, query parsing, bounded bodies, JSON replies. */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js'

export type Headers = Record<string, string | undefined>

/** What a handler keeps after the synchronous part of a uWS request callback (the request is stack-only). */
export interface RequestInfo {
  method: string
  url: string
  query: string
  headers: Headers
  /** Size of the header block as received (names, values, `: ` and CRLF), for the 431 limit. */
  headerBytes: number
}

/** Copies what outlives the uWS callback: uWS `HttpRequest` is invalid after the first `await`. */
export function captureRequest(req: HttpRequest): RequestInfo {
  const headers: Headers = {}
  let headerBytes = 0
  req.forEach((k, v) => {
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`
    headerBytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 4
  })
  return { method: req.getCaseSensitiveMethod().toUpperCase(), url: req.getUrl(), query: req.getQuery() ?? '', headers, headerBytes }
}

/**
 * The 431 answer when a request's header block is over `limit` (checked before authentication, so an
 * oversized token is never hashed or parsed). uWS itself closes, without an answer, a header block
 * over 4 KiB that arrives in more than one read; this limit covers every request it does hand over.
 */
export function headersTooLarge(info: RequestInfo, limit: number): { status: 431; code: 'headers_too_large'; message: string } | undefined {
  if (info.headerBytes <= limit) return undefined
  return { status: 431, code: 'headers_too_large', message: `The request headers are ${info.headerBytes} bytes, over the ${limit} allowed (server.limits.max_header_bytes); send a shorter token or fewer cookies.` }
}

/** Parses a query string into last-value-wins pairs plus every value per key (for repeatable params). */
export function parseQuery(query: string): { one: Record<string, string | undefined>; all: Record<string, string[]> } {
  const params = new URLSearchParams(query)
  const one: Record<string, string | undefined> = {}
  const all: Record<string, string[]> = {}
  for (const [k, v] of params) {
    one[k] = v
    ;(all[k] ??= []).push(v)
  }
  return { one, all }
}

/** Tracks whether uWS aborted the response; every async reply must check it. */
export function trackAbort(res: HttpResponse): AbortState {
  const state: AbortState = { aborted: false }
  res.onAborted(() => {
    state.aborted = true
    state.onAbort?.()
  })
  return state
}

/** `aborted` is set when the client went away or the response was finished; `onAbort` runs on a client abort. */
export interface AbortState {
  aborted: boolean
  onAbort?: () => void
}

export const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 202: '202 Accepted', 204: '204 No Content', 304: '304 Not Modified',
  400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found',
  405: '405 Method Not Allowed', 409: '409 Conflict', 413: '413 Payload Too Large', 415: '415 Unsupported Media Type',
  422: '422 Unprocessable Entity', 429: '429 Too Many Requests', 431: '431 Request Header Fields Too Large', 500: '500 Internal Server Error', 503: '503 Service Unavailable',
}

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Status`
}

/** Writes a whole response in one corked batch unless the client went away. */
export function send(res: HttpResponse, state: AbortState, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (state.aborted) return
  res.cork(() => {
    res.writeStatus(statusLine(status))
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v)
    res.end(body)
  })
  state.aborted = true // the response is finished; later writes would throw
}

/** Replies `{ success: true, data }` or `{ success: false, error }` (the REST envelope of ARCHITECTURE.md). */
export function sendJson(res: HttpResponse, state: AbortState, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  send(res, state, status, JSON.stringify(payload), { 'content-type': 'application/json; charset=utf-8', ...headers })
}

export function sendError(res: HttpResponse, state: AbortState, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, state, status, { success: false, error: { code, message } }, headers)
}

export class BodyTooLarge extends Error {}

/**
 * Reads the request body up to `limit` bytes. A declared content-length over the limit is refused before
 * reading; a chunked body that grows past it is refused as soon as it does (rejects with BodyTooLarge).
 * Resolves `undefined` when the client aborted.
 */
export function readBody(res: HttpResponse, state: AbortState, headers: Headers, limit: number): Promise<Buffer | undefined> {
  const declared = Number(headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    // With a Content-Length (uWS frames the body by it) the chunks land in one buffer: one copy, and
    // no second large allocation to join them. Without one, copies are joined at the end.
    let whole = Number.isFinite(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    res.onData((chunk, isLast) => {
      if (done) return
      const at = size
      size += chunk.byteLength
      if (size > limit) {
        done = true
        reject(new BodyTooLarge())
        return
      }
      // uWS neuters the ArrayBuffer after this callback returns: copy it.
      if (whole && size <= whole.length) whole.set(new Uint8Array(chunk), at)
      else {
        if (whole) { chunks.push(whole.subarray(0, at)); whole = undefined }
        chunks.push(Buffer.from(chunk.slice(0)))
      }
      if (isLast) {
        done = true
        resolve(whole ? whole.subarray(0, size) : Buffer.concat(chunks, size))
      }
    })
    // An abort mid-body never calls onData again.
    state.onAbort = () => {
      if (!done) { done = true; resolve(undefined) }
    }
  })
}
