/**
 * A byte-level JSON splitter for large documents: it finds the members of the top-level object and
 * the elements of one array without building the whole tree, so each piece can be `JSON.parse`d on
 * its own. A 100 MB state then never exists as one 100 MB JS string next to its parsed tree.
 * It only delimits values; `JSON.parse` of each slice does the real validation — and bounds nesting
 * depth, which its bracket counter gives for free (a separate pass would cost ~100 ms per 100 MB).
 */
import { MAX_FILE_JSON_DEPTH } from '../json-depth.ts'

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
  /** Where in the document the failing value is (`['resources', 12]`), as far as the scan knew. */
  path: Array<string | number> = []
  /** Set when the document nests deeper than this many levels (not a syntax error as such). */
  depthLimit?: number
  constructor(readonly offset: number, message: string, readonly truncated = false) {
    super(message)
  }
}

function tooDeep(offset: number, limit: number): JsonScanError {
  const err = new JsonScanError(offset, `nests deeper than ${limit} levels`)
  err.depthLimit = limit
  return err
}

function at<T>(path: Array<string | number>, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof JsonScanError) err.path.unshift(...path)
    throw err
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

/** Byte classes for the container scan: 0 = plain, 1 = quote, 2 = open, 3 = close. */
const CLASS = new Uint8Array(256)
CLASS[QUOTE] = 1
CLASS[OPEN_OBJ] = 2
CLASS[OPEN_ARR] = 2
CLASS[CLOSE_OBJ] = 3
CLASS[CLOSE_ARR] = 3

/**
 * `i` is at the first byte of a value; returns the index just after it. `levels` is how many more
 * levels of nesting the value may open before the document's limit (`limit`) is passed.
 */
export function skipValue(b: Buffer, i: number, levels = MAX_FILE_JSON_DEPTH, limit = MAX_FILE_JSON_DEPTH): number {
  const c = b[i]
  if (c === undefined) throw new JsonScanError(i, 'unexpected end of input', true)
  if (c === QUOTE) return skipString(b, i)
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    // Hot loop of the whole reader: one table load per byte; strings are skipped with indexOf.
    let depth = 0
    let j = i
    const n = b.length
    while (j < n) {
      const k = CLASS[b[j]!]!
      if (k === 0) {
        j++
        continue
      }
      if (k === 1) {
        j = skipString(b, j)
        continue
      }
      if (k === 2) {
        if (++depth > levels) throw tooDeep(j, limit)
      } else if (--depth === 0) return j + 1
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

/** The top-level members, plus the element spans of the one array member asked for. */
export interface TopLevel {
  members: Map<string, Span>
  /** Element spans of the `collect` member when it is an array (found in the same pass). */
  elements?: Span[]
}

/** Splits the top-level object into `key → value span`. Throws JsonScanError on malformed structure or nesting deeper than `maxDepth`. */
export function splitTopLevel(b: Buffer, collect?: string, maxDepth = MAX_FILE_JSON_DEPTH): TopLevel {
  const members = new Map<string, Span>()
  const top: TopLevel = { members }
  let i = skipWs(b, 0)
  // A UTF-8 byte order mark is tolerated (Windows editors add one).
  if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i = skipWs(b, i + 3)
  if (i >= b.length) throw new JsonScanError(i, 'empty input', true)
  if (b[i] !== OPEN_OBJ) throw new JsonScanError(i, 'expected a JSON object')
  i = skipWs(b, i + 1)
  if (b[i] === CLOSE_OBJ) return checkTrailing(b, i + 1, top)
  for (;;) {
    if (i >= b.length) throw new JsonScanError(i, 'unexpected end of input', true)
    if (b[i] !== QUOTE) throw new JsonScanError(i, 'expected a member name')
    const keyEnd = skipString(b, i)
    const key = JSON.parse(b.toString('utf8', i, keyEnd)) as string
    i = skipWs(b, keyEnd)
    if (b[i] !== COLON) throw new JsonScanError(i, i >= b.length ? 'unexpected end of input' : 'expected ":"', i >= b.length)
    i = skipWs(b, i + 1)
    const start = i
    const end = at([key], () => {
      // The top-level object is level 1; the collected array level 2.
      if (key !== collect || b[start] !== OPEN_ARR) return skipValue(b, start, maxDepth - 1, maxDepth)
      // One pass: delimit the elements while finding the array's end.
      top.elements = []
      return collectElements(b, start, top.elements, maxDepth)
    })
    members.set(key, { start: i, end })
    i = skipWs(b, end)
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1)
      continue
    }
    if (b[i] === CLOSE_OBJ) return checkTrailing(b, i + 1, top)
    throw new JsonScanError(i, i >= b.length ? 'unexpected end of input' : 'expected "," or "}"', i >= b.length)
  }
}

function checkTrailing(b: Buffer, i: number, top: TopLevel): TopLevel {
  const j = skipWs(b, i)
  if (j < b.length) throw new JsonScanError(j, 'unexpected data after the top-level object')
  return top
}

/** `i` is at `[`; pushes each element's span and returns the index after `]`. */
function collectElements(b: Buffer, i: number, out: Span[], maxDepth: number): number {
  i = skipWs(b, i + 1)
  if (b[i] === CLOSE_ARR) return i + 1
  for (;;) {
    const start = i
    const end = at([out.length], () => skipValue(b, start, maxDepth - 2, maxDepth))
    out.push({ start: i, end })
    i = skipWs(b, end)
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1)
      continue
    }
    if (b[i] === CLOSE_ARR) return i + 1
    if (i >= b.length) throw new JsonScanError(i, 'unexpected end of input', true)
    throw new JsonScanError(i, 'expected "," or "]"')
  }
}

/** `JSON.parse` of a span. */
export function parseSpan(b: Buffer, span: Span): unknown {
  return JSON.parse(b.toString('utf8', span.start, span.end))
}
