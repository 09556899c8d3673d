/** Helpers that turn reader failures into TfdriftErrors naming the source and a JSON pointer. */
import { TfdriftError, type ErrorCode } from '../errors.ts'
import { JsonScanError } from './json-scan.ts'

/** Escapes one JSON pointer token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** `/a/0/b` from tokens. */
export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => `/${pointerToken(t)}`).join('')
}

/** A coded error with one problem pointing into `source`. */
export function readerError(code: ErrorCode, source: string, at: string, message: string, cause?: unknown): TfdriftError {
  const where = at ? ` at ${at}` : ''
  return new TfdriftError(code, `${source}${where}: ${message}`, {
    problems: [{ code, file: source, pointer: at || '/', message }],
    cause,
  })
}

/** The JSON nests deeper than `limit` levels (found at `offset` by jsonDepthExceeds or the splitter). */
export function depthError(code: ErrorCode, source: string, at: string, offset: number, limit: number): TfdriftError {
  return readerError(code, source, at, `the JSON nests deeper than ${limit} levels (near byte ${offset}); tfdrift reads Terraform files up to ${limit} levels deep.`)
}

/** Converts a JSON syntax failure (scanner or JSON.parse) inside `at` into TFD_ERR_STATE_INVALID-style errors. */
export function syntaxError(code: ErrorCode, source: string, at: string, err: unknown, byteBase = 0): TfdriftError {
  if (err instanceof JsonScanError) {
    if (err.depthLimit !== undefined) return depthError(code, source, at, err.offset, err.depthLimit)
    const what = err.truncated ? `the JSON ends early (truncated?) near byte ${err.offset}` : `invalid JSON near byte ${err.offset}: ${err.message}`
    return readerError(code, source, at, what, err)
  }
  const raw = err instanceof Error ? err.message : String(err)
  const truncated = /end of (JSON )?input|Unterminated/i.test(raw)
  const pos = /position (\d+)/.exec(raw)
  const near = pos ? ` near byte ${byteBase + Number(pos[1])}` : ''
  // V8 quotes a slice of the input in some messages; state text can hold secrets, so it never travels on.
  const msg = /is not valid JSON$/.test(raw) ? 'unexpected token' : raw.replace(/ in JSON at position \d+$/, '')
  return readerError(code, source, at, truncated ? `the JSON ends early (truncated?)${near}` : `invalid JSON${near}: ${msg}`)
}
