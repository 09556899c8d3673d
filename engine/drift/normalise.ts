/**
 * Canonical forms for attribute values, so that representation differences are never reported as
 * drift: numbers vs numeric strings, booleans vs "true"/"false", null vs empty list/map/string vs
 * absent, set-like lists in any order, JSON documents (IAM policies) compared semantically, and
 * case-insensitive identifiers where the cloud is case-insensitive (Azure resource ids, locations).
 *
 * `canonKey` returns a string that is equal for two values exactly when they mean the same thing,
 * or `undefined` for "empty" (null, "", [], {}, absent).
 */
import { isFlatmapSet } from './flatmap.ts'
import { isSetAttribute } from './sets.ts'

/** Where a value sits: resource type/provider and the attribute name owning it (for set and case rules). */
export interface ValueContext {
  type: string
  provider: string
  /** The nearest attribute name above the value (list indexes skipped). */
  name: string
  /** Compare every list unordered (one side came from a v3 state, whose set order is lost). */
  anyOrder?: boolean
}

/** Terraform 0.11's placeholder for a computed value not known yet; never compared. */
export const UNKNOWN_SENTINEL = '74D93920-ED26-11E3-AC10-0800200C9A66'

const INT = /^-?(0|[1-9]\d*)$/
const DECIMAL = /^-?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/

/** Canonical text of a number, or undefined when `s` is not a plain numeric literal. */
export function numericKey(s: string): string | undefined {
  if (INT.test(s)) return s === '-0' ? '0' : s
  if (s.length === 0 || s === '-' || !DECIMAL.test(s) || !/\d/.test(s)) return undefined
  // "007" is an identifier (account ids keep leading zeros), not the number 7.
  if (/^-?0\d/.test(s)) return undefined
  const n = Number(s)
  return Number.isFinite(n) ? numberKey(n) : undefined
}

function numberKey(n: number): string {
  return Object.is(n, -0) ? '0' : String(n)
}

/** Keys of a parsed JSON document that IAM-style policies treat as "one value or a list of them". */
const POLICY_LIST_KEYS = new Set([
  'Statement', 'Action', 'NotAction', 'Resource', 'NotResource', 'AWS', 'Service', 'Federated',
  'CanonicalUser', 'Principal', 'NotPrincipal',
])

/** True for lists whose order has no meaning at this position. */
export function isSetValue(value: unknown[], ctx: ValueContext): boolean {
  return ctx.anyOrder === true || isFlatmapSet(value) || isSetAttribute(ctx.type, ctx.name)
}

/** Canonical key of a scalar string (numbers, booleans, JSON documents, case rules). */
function stringKey(s: string, ctx: ValueContext): string | undefined {
  if (s === '') return undefined
  if (s.length === 4 || s.length === 5) {
    // "True"/"FALSE" too: serialisers disagree on case (Python's str(True)), the value does not.
    const lower = s.toLowerCase()
    if (lower === 'true' || lower === 'false') return lower === 'true' ? '?t' : '?f'
  }
  const num = numericKey(s)
  if (num !== undefined) return '#' + num
  const first = s.charCodeAt(0)
  if (first === 123 /* { */ || first === 91 /* [ */ || /^\s+[[{]/.test(s)) {
    const cached = jsonKeys.get(s)
    if (cached !== undefined) return cached
    const doc = tryParseJson(s)
    if (doc !== NOT_JSON) {
      const key = 'j' + (jsonKey(doc, '', isPolicy(doc)) ?? '∅')
      // Bounded: the same policy text recurs across many resources; drop everything when full.
      if (jsonKeys.size >= JSON_CACHE_SIZE) jsonKeys.clear()
      jsonKeys.set(s, key)
      return key
    }
  }
  if (ctx.provider === 'azurerm' || ctx.provider === 'azuread') {
    // ARM ids and locations are case-insensitive ("resourceGroups" vs "resourcegroups", "West Europe" vs "westeurope").
    if (s.startsWith('/subscriptions/')) return "'" + s.toLowerCase()
    if (ctx.name === 'location') return "'" + s.toLowerCase().replace(/\s+/g, '')
  }
  return "'" + s
}

const NOT_JSON = Symbol('not-json')
const JSON_CACHE_SIZE = 2048
const jsonKeys = new Map<string, string>()
function tryParseJson(s: string): unknown {
  try { return JSON.parse(s) } catch { return NOT_JSON }
}

/** IAM-style documents: every list is a set and a lone value equals a one-element list. */
function isPolicy(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'Statement' in doc
}

/** Canonical key of a value inside a parsed JSON document. */
function jsonKey(value: unknown, key: string, policy: boolean): string | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return value === '' ? undefined : stringKey(value, { type: '', provider: '', name: key })
  if (typeof value === 'number') return '#' + numberKey(value)
  if (typeof value === 'boolean') return value ? '?t' : '?f'
  if (Array.isArray(value)) {
    const items = value.map((v) => jsonKey(v, key, policy) ?? '∅')
    if (policy || POLICY_LIST_KEYS.has(key)) {
      const unique = [...new Set(items)].sort()
      return unique.length === 0 ? undefined : unique.length === 1 ? unique[0] : '<' + unique.join(',') + '>'
    }
    return items.length === 0 ? undefined : '[' + items.join(',') + ']'
  }
  if (typeof value === 'object') return objectKey(value as Record<string, unknown>, (v, k) => jsonKey(v, k, policy))
  return String(value)
}

function objectKey(obj: Record<string, unknown>, keyOf: (v: unknown, k: string) => string | undefined): string | undefined {
  const parts: string[] = []
  for (const k of Object.keys(obj).sort()) {
    const key = keyOf(obj[k], k)
    if (key !== undefined) parts.push(JSON.stringify(k) + ':' + key)
  }
  return parts.length === 0 ? undefined : '{' + parts.join(',') + '}'
}

/**
 * Canonical key of an attribute value; `undefined` means empty. Two values mean the same exactly
 * when their keys are equal. The unknown sentinel canonicalises to a key that matches anything via `isUnknown`.
 */
export function canonKey(value: unknown, ctx: ValueContext): string | undefined {
  if (value === null || value === undefined) return undefined
  switch (typeof value) {
    case 'string': return stringKey(value, ctx)
    case 'number': return '#' + numberKey(value)
    case 'boolean': return value ? '?t' : '?f'
    case 'object': break
    default: return String(value)
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined
    // A one-block list and the block itself mean the same (SDKv2 MaxItems=1 lists vs framework single nested attributes).
    if (value.length === 1 && isPlainObject(value[0])) return canonKey(value[0], ctx)
    const items = value.map((v) => canonKey(v, ctx) ?? '∅')
    if (isSetValue(value, ctx)) return '<' + items.sort().join(',') + '>'
    return '[' + items.join(',') + ']'
  }
  const obj = value as Record<string, unknown>
  if (ctx.provider === 'azurerm' && (ctx.name === 'tags' || ctx.name === 'tags_all')) {
    // Azure tag names are case-insensitive (AWS tag keys are not).
    const folded: Record<string, unknown> = {}
    for (const k of Object.keys(obj)) folded[k.toLowerCase()] = obj[k]
    return objectKey(folded, (v, k) => canonKey(v, { ...ctx, name: k }))
  }
  return objectKey(obj, (v, k) => canonKey(v, { ...ctx, name: k }))
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** True when a value is Terraform's "not known yet" placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_SENTINEL
}

/** True when two values are the same after normalisation. */
export function sameValue(a: unknown, b: unknown, ctx: ValueContext): boolean {
  return canonKey(a, ctx) === canonKey(b, ctx)
}
