/**
 * A byte-level JSON splitter for large documents: it finds the members of the top-level object and
 * the elements of one array without building the whole tree, so each piece can be `JSON.parse`d on
 * its own. A 100 MB state then never exists as one 100 MB JS string next to its parsed tree.
 * It only delimits values; `JSON.parse` of each slice does the real validation.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJ = 0x7b
const CLOSE_OBJ = 0x7d
const OPEN_ARR = 0x5b
const CLOSE_ARR = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

/** A syntax problem found while splitting: where (byte offset) and what. */
export class JsonScanError extends Error {
  constructor(readonly offset: number, message: string, readonly truncated = false) {
    super(message)
  }
}

/** A value's byte span `[start, end)` inside the buffer. */
export interface Span {
  start: number
  end: number
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** Index of the first non-whitespace byte at or after `i`. */
export function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length && isWs(b[i]!)) i++
  return i
}

/** `i` is at an opening quote; returns the index just after the closing quote. */
function skipString(b: Buffer, i: number): number {
  let j = i + 1
  for (;;) {
    const q = b.indexOf(QUOTE, j)
    if (q < 0) throw new JsonScanError(i, 'unterminated string', true)
    let k = q - 1
    let slashes = 0
    while (k > i && b[k] === BACKSLASH) {
      slashes++
      k--
    }
    if (slashes % 2 === 0) return q + 1
    j = q + 1
  }
}

/** `i` is at the first byte of a value; returns the index just after it. */
export function skipValue(b: Buffer, i: number): number {
  const c = b[i]
  if (c === undefined) throw new JsonScanError(i, 'unexpected end of input', true)
  if (c === QUOTE) return skipString(b, i)
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0
    let j = i
    const n = b.length
    while (j < n) {
      const d = b[j]!
      if (d === QUOTE) {
        j = skipString(b, j)
        continue
      }
      if (d === OPEN_OBJ || d === OPEN_ARR) depth++
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
        depth--
        if (depth === 0) return j + 1
      }
      j++
    }
    throw new JsonScanError(i, 'unterminated object or array', true)
  }
  // number, true, false, null: runs until a delimiter
  let j = i
  while (j < b.length) {
    const d = b[j]!
    if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || isWs(d)) break
    j++
  }
  if (j === i) throw new JsonScanError(i, `unexpected character ${JSON.stringify(String.fromCharCode(c))}`)
  return j
}

/** Splits the top-level object into `key → value span`. Throws JsonScanError on malformed structure. */
export function splitTopLevel(b: Buffer): Map<string, Span> {
  const members = new Map<string, Span>()
  let i = skipWs(b, 0)
  // A UTF-8 byte order mark is tolerated (Windows editors add one).
  if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i = skipWs(b, i + 3)
  if (i >= b.length) throw new JsonScanError(i, 'empty input', true)
  if (b[i] !== OPEN_OBJ) throw new JsonScanError(i, 'expected a JSON object')
  i = skipWs(b, i + 1)
  if (b[i] === CLOSE_OBJ) return checkTrailing(b, i + 1, members)
  for (;;) {
    if (i >= b.length) throw new JsonScanError(i, 'unexpected end of input', true)
    if (b[i] !== QUOTE) throw new JsonScanError(i, 'expected a member name')
    const keyEnd = skipString(b, i)
    const key = JSON.parse(b.toString('utf8', i, keyEnd)) as string
    i = skipWs(b, keyEnd)
    if (b[i] !== COLON) throw new JsonScanError(i, i >= b.length ? 'unexpected end of input' : 'expected ":"', i >= b.length)
    i = skipWs(b, i + 1)
    const end = skipValue(b, i)
    members.set(key, { start: i, end })
    i = skipWs(b, end)
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1)
      continue
    }
    if (b[i] === CLOSE_OBJ) return checkTrailing(b, i + 1, members)
    throw new JsonScanError(i, i >= b.length ? 'unexpected end of input' : 'expected "," or "}"', i >= b.length)
  }
}

function checkTrailing(b: Buffer, i: number, members: Map<string, Span>): Map<string, Span> {
  const j = skipWs(b, i)
  if (j < b.length) throw new JsonScanError(j, 'unexpected data after the top-level object')
  return members
}

/** Yields the spans of the elements of the array at `span`. */
export function* arrayElements(b: Buffer, span: Span): Generator<Span> {
  let i = span.start
  if (b[i] !== OPEN_ARR) throw new JsonScanError(i, 'expected an array')
  i = skipWs(b, i + 1)
  if (b[i] === CLOSE_ARR) return
  for (;;) {
    const end = skipValue(b, i)
    yield { start: i, end }
    i = skipWs(b, end)
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1)
      continue
    }
    if (b[i] === CLOSE_ARR) return
    throw new JsonScanError(i, 'expected "," or "]"')
  }
}

/** `JSON.parse` of a span. */
export function parseSpan(b: Buffer, span: Span): unknown {
  return JSON.parse(b.toString('utf8', span.start, span.end))
}
