/**
 * Nesting-depth (and size) bounds for JSON-like input, checked before anything recursive touches it.
 * `JSON.parse` itself copes with deep input, but every recursive walk after it (normalisers, ajv,
 * the drift comparer, serialisers) would end in `Maximum call stack size exceeded` — an uncoded crash,
 * or one poisoned value that breaks every reader of its stream. Both checks here are iterative.
 */

/** Nesting limit for network input (publish bodies, ingest, WS messages): events are shallow. */
export const MAX_JSON_DEPTH = 64

/**
 * Nesting limit for files (configs, Terraform states, plans, snapshots). Real documents nest 10–20
 * levels (the corpus peaks at 18), but provider schemas can go far deeper: nested blocks cost two
 * levels each (list + object), WAFv2 statements nest inside statements, `kubernetes_manifest` holds
 * whole CRD schemas, and a plan mirrors each value again in `after_unknown` / `*_sensitive`. 512
 * leaves that headroom while staying far below what the recursive readers handle on Node's default stack.
 */
export const MAX_FILE_JSON_DEPTH = 512

const QUOTE = 0x22
const BACKSLASH = 0x5c
/** Character classes: 0 = plain, 1 = quote, 2 = opens a level, 3 = closes one. */
const CLASS = new Uint8Array(256)
CLASS[QUOTE] = 1
CLASS[0x7b] = 2 // {
CLASS[0x5b] = 2 // [
CLASS[0x7d] = 3 // }
CLASS[0x5d] = 3 // ]

/**
 * Scans raw JSON text (a string, or UTF-8 bytes) and returns the offset — character index for a
 * string, byte index for bytes — of the first `[` or `{` that opens level `max + 1`, or undefined
 * when the text never nests deeper than `max`. Brackets inside strings do not count. It does not
 * validate the JSON; `JSON.parse` does that afterwards.
 */
export function jsonDepthExceeds(text: string | Uint8Array, max: number): number | undefined {
  if (typeof text === 'string') return scanString(text, max)
  return scanBytes(Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength), max)
}

// One loop per input type: each stays monomorphic, and strings are skipped with the native
// indexOf. That keeps a pass over 100 MB near 100 ms, a fraction of JSON.parse's cost.
function scanBytes(b: Buffer, max: number): number | undefined {
  let depth = 0
  for (let i = 0, n = b.length; i < n; i++) {
    const k = CLASS[b[i]!]!
    if (k === 0) continue
    if (k === 1) i = closingQuoteByte(b, i)
    else if (k === 2) {
      if (++depth > max) return i
    } else depth--
  }
  return undefined
}

function scanString(s: string, max: number): number | undefined {
  let depth = 0
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i)
    const k = c < 256 ? CLASS[c]! : 0
    if (k === 0) continue
    if (k === 1) i = closingQuoteChar(s, i)
    else if (k === 2) {
      if (++depth > max) return i
    } else depth--
  }
  return undefined
}

/** Index of the quote closing the string opened at `i` (a quote after an odd run of backslashes is escaped); the end when unterminated. */
function closingQuoteByte(b: Buffer, i: number): number {
  for (let from = i + 1; ;) {
    const q = b.indexOf(QUOTE, from)
    if (q < 0) return b.length
    let k = q - 1
    while (k > i && b[k] === BACKSLASH) k--
    if ((q - 1 - k) % 2 === 0) return q
    from = q + 1
  }
}

function closingQuoteChar(s: string, i: number): number {
  for (let from = i + 1; ;) {
    const q = s.indexOf('"', from)
    if (q < 0) return s.length
    let k = q - 1
    while (k > i && s.charCodeAt(k) === BACKSLASH) k--
    if ((q - 1 - k) % 2 === 0) return q
    from = q + 1
  }
}

/** Which bound a parsed value broke first, and where (a JSON pointer, cut to its first 16 tokens). */
export interface ValueExcess {
  limit: 'depth' | 'values'
  pointer: string
}

interface Visit { value: unknown; depth: number; key: string; parent?: Visit }

/**
 * Walks a parsed value (JSON, YAML, a JS object) iteratively and reports the first bound it breaks:
 * objects/arrays nested deeper than `maxDepth` (the root object is level 1, as for
 * jsonDepthExceeds), or more than `maxValues` values in all. A value reached twice through shared
 * references (YAML aliases) counts twice, as every copy or walk of it will; a cycle breaks the depth.
 */
export function valueExceeds(value: unknown, limits: { maxDepth: number; maxValues?: number }): ValueExcess | undefined {
  const maxValues = limits.maxValues ?? Infinity
  const stack: Visit[] = [{ value, depth: 0, key: '' }]
  let count = 1
  while (stack.length) {
    const visit = stack.pop()!
    const node = visit.value
    if (node === null || typeof node !== 'object') continue
    const depth = visit.depth + 1
    if (depth > limits.maxDepth) return { limit: 'depth', pointer: pointerOf(visit) }
    for (const [key, child] of Object.entries(node)) {
      const next: Visit = { value: child, depth, key, parent: visit }
      if (++count > maxValues) return { limit: 'values', pointer: pointerOf(next) }
      stack.push(next)
    }
  }
  return undefined
}

function pointerOf(visit: Visit): string {
  const tokens: string[] = []
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) tokens.push(v.key.replace(/~/g, '~0').replace(/\//g, '~1'))
  tokens.reverse()
  return tokens.slice(0, 16).map((t) => `/${t}`).join('')
}

const BIGINT = 'holds a BigInt, which JSON cannot represent (convert it to a string or number)'

/**
 * Why in-memory `value` cannot become JSON that every reader handles, or undefined when it can:
 * nesting past `max` levels (a cycle nests without end and is reported the same way) or a BigInt.
 * Iterative, so no input can overflow it; each container is visited once — about a tenth of what
 * `JSON.stringify` of the same value costs. Unlike `valueExceeds` it keeps no pointers or counts: it
 * runs on every bus publish.
 */
export function jsonValueProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? BIGINT : undefined
  const stack: object[] = [value]
  const depths: number[] = [1]
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>
    const depth = depths.pop()!
    if (depth > max) return `nests deeper than ${max} levels (or refers to itself)`
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i]
        if (typeof child === 'object' && child !== null) { stack.push(child); depths.push(depth + 1) } else if (typeof child === 'bigint') return BIGINT
      }
    } else {
      for (const key in node) {
        const child = node[key]
        if (typeof child === 'object' && child !== null) { stack.push(child); depths.push(depth + 1) } else if (typeof child === 'bigint') return BIGINT
      }
    }
  }
  return undefined
}
