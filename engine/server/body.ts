/** Request body decoding shared by the publish API and ingress routes: JSON, or NDJSON as an array. */
import { isUtf8 } from 'node:buffer'
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.ts'

/** The code of every "JSON nests too deep" answer: HTTP 400 bodies and WS `error` messages alike. */
export const TOO_DEEP = 'TFD_ERR_JSON_TOO_DEEP'

/** The message of every "JSON nests too deep" answer; `what` is "The body", "The message"… */
export function tooDeepMessage(what: string): string {
  return `${what} nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels, the limit for JSON from clients; flatten it.`
}

export type Parsed = { ok: true; value: unknown; batch: boolean } | { ok: false; status: 400 | 415; code: string; message: string }

export type JsonFraming = 'json' | 'ndjson'

/**
 * The framing a request's Content-Type asks for: `application/json` (one document) or
 * `application/x-ndjson` (one per line), each with an optional `charset=utf-8`; undefined for anything
 * else, a missing header included — as fastify answers the REST routes (415).
 */
export function jsonFraming(contentType: string | undefined): JsonFraming | undefined {
  if (!contentType) return undefined
  const [type, ...params] = contentType.split(';')
  const framing = MEDIA_TYPES.get(type!.trim().toLowerCase())
  if (!framing) return undefined
  for (const param of params) {
    const [name, value = ''] = param.split('=')
    if (name!.trim().toLowerCase() === 'charset' && !/^"?utf-?8"?$/i.test(value.trim())) return undefined
  }
  return framing
}

const MEDIA_TYPES = new Map<string, JsonFraming>([['application/json', 'json'], ['application/x-ndjson', 'ndjson']])

/** The 415 message for a Content-Type `jsonFraming` refuses. */
export function unsupportedMediaType(contentType: string | undefined): string {
  return `Content-Type ${contentType ? `"${contentType}"` : 'is missing; it'} must be application/json (one JSON document) or application/x-ndjson (one per line), optionally with charset=utf-8.`
}

/**
 * Decodes `body`: NDJSON (`application/x-ndjson`, or several JSON lines) becomes an array with
 * `batch: true`; anything else must be one JSON document. Refuses (415) a Content-Type other than
 * those, and (400) a document that nests deeper than MAX_JSON_DEPTH, before parsing. Errors name the
 * line and cause.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): Parsed {
  const framing = jsonFraming(contentType)
  if (!framing) return { ok: false, status: 415, code: 'TFD_ERR_MEDIA_TYPE', message: unsupportedMediaType(contentType) }
  if (!isUtf8(body)) return invalid('The body is not valid UTF-8.')
  // A UTF-8 byte order mark is not part of the JSON (TextDecoder dropped it; toString keeps it).
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3)
  if (isBlank(body, 0, body.length)) return invalid('The body is empty; send a JSON object or NDJSON lines.')
  // A batch counts as one document: NDJSON lines are all at depth 0, so the whole body bounds each line.
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH) !== undefined) return { ok: false, status: 400, code: TOO_DEEP, message: tooDeepMessage('The body') }
  if (framing === 'json') {
    const text = body.toString('utf8')
    try {
      return { ok: true, value: JSON.parse(text), batch: false }
    } catch (err) {
      const lines = text.split('\n').filter((l) => l.trim() !== '')
      if (lines.length < 2) return invalid(`The body is not valid JSON: ${(err as Error).message}.`)
    }
  }
  // Line by line from the bytes: one large string of the whole batch costs more to make (and to collect)
  // than the parsing itself, where each line's string is small and short-lived.
  const out: unknown[] = []
  for (let start = 0, line = 1; start < body.length; line++) {
    let end = body.indexOf(NEWLINE, start)
    if (end < 0) end = body.length
    if (!isBlank(body, start, end)) {
      try {
        out.push(JSON.parse(body.toString('utf8', start, end)))
      } catch (err) {
        return invalid(`NDJSON line ${line} is not valid JSON: ${(err as Error).message}.`)
      }
    }
    start = end + 1
  }
  return { ok: true, value: out, batch: true }
}

const NEWLINE = 0x0a

/** True when bytes [from, to) are only JSON whitespace (space, tab, CR, LF). */
function isBlank(body: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = body[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false
  }
  return true
}

const invalid = (message: string): Parsed => ({ ok: false, status: 400, code: 'invalid_body', message })
