/**
 * Masking of sensitive values. A value is sensitive when state or plan marks its path sensitive
 * (`sensitive_paths`, plan `*_sensitive` maps) or when any key on its path is named like a secret —
 * including keys inside strings that hold JSON documents (`connection_info = jsonencode({...})`).
 * Masked values never reach a drift, a log line or an output format.
 */
import type { AttributeChange, Drift, ResourceInstance } from '../model.ts'
import { deepEqual } from './equal.ts'

/** What replaces a sensitive value in every output. */
export const MASK = '(sensitive)'

/** Attribute names that hold secrets whatever the schema says. */
const SECRET_NAME = /(password|passwd|secret|token|private_key|privatekey|api_key|apikey|access_key|client_key|passphrase|credential|kube_config|kubeconfig|kube_admin_config|connection_string|sas_url|auth_key|primary_key|secondary_key|bcrypt_hash|sensitive_|key_?material)/i

/**
 * How deep masking looks (objects, lists, and each JSON document inside a string count one level).
 * Anything deeper is masked whole: hostile input costs its own readability, never the stack.
 */
const MAX_DEPTH = 64

type AttrPath = ReadonlyArray<string | number>

/** True when a key name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/**
 * A list index in a path. Marks are matched on keys only: the two snapshots of a change may number
 * list elements differently (a set reorders; a block is an object on one side and a list of one on
 * the other), so an index from either side cannot be trusted to line up with the diff's path.
 */
function isIndex(seg: string | number): boolean {
  return typeof seg === 'number' || /^\d+$/.test(seg)
}

/** True when one path is a prefix of the other, list indexes skipped. */
function overlaps(a: AttrPath, b: AttrPath): boolean {
  let i = 0
  let j = 0
  for (;;) {
    while (i < a.length && isIndex(a[i]!)) i++
    while (j < b.length && isIndex(b[j]!)) j++
    if (i === a.length || j === b.length) return true
    if (String(a[i]) !== String(b[j])) return false
    i++
    j++
  }
}

/** True when `path` is at, below, or above (a block holding) any sensitive path, or crosses a secret-named key. */
export function isSensitivePath(path: AttrPath, sensitivePaths: ReadonlyArray<AttrPath> = []): boolean {
  for (const seg of path) if (typeof seg === 'string' && isSecretName(seg)) return true
  for (const sp of sensitivePaths) if (overlaps(sp, path)) return true
  return false
}

/**
 * The change with its values masked: whole when it is sensitive or its path crosses a secret-named
 * key, else with secret-named keys masked inside its values (JSON strings included). Idempotent.
 */
export function maskChange(change: AttributeChange): AttributeChange {
  if (!change.sensitive && !isSensitivePath(change.path.split('.'))) {
    const expected = maskSecrets(change.expected)
    const actual = maskSecrets(change.actual)
    if (expected === change.expected && actual === change.actual) return change
    // Two equal masked values would hide that anything changed: the difference lies in a secret.
    if (!sameMasked(expected, actual)) return { ...change, expected, actual }
  }
  return { ...change, sensitive: true, expected: change.expected == null ? change.expected : MASK, actual: change.actual == null ? change.actual : MASK }
}

/** Equal as values: JSON strings compare as the documents they hold (key order and spacing aside). */
function sameMasked(a: unknown, b: unknown): boolean {
  if (deepEqual(a, b)) return true
  if (typeof a !== 'string' || typeof b !== 'string') return false
  const x = parseJson(a)
  const y = parseJson(b)
  return x !== NOT_JSON && y !== NOT_JSON && deepEqual(sortKeys(x, 0), sortKeys(y, 0))
}

function sortKeys(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) define(out, key, sortKeys((value as Record<string, unknown>)[key], depth + 1))
  return out
}

/** Masks every sensitive change of a drift, and any secret-named path or secret inside a value. */
export function maskDrift(drift: Drift): Drift {
  if (!drift.changes) return drift
  return { ...drift, changes: drift.changes.map(maskChange) }
}

/** Options of maskResource. */
export interface MaskResourceOptions {
  /** Marks from the other snapshot of the same address: a mark on either side masks the value on both. */
  alsoSensitive?: ReadonlyArray<AttrPath>
}

/**
 * A copy of the resource with every value at a sensitive path (its own `sensitive_paths` and
 * `alsoSensitive`), under every secret-named key, and at secret-named keys inside JSON strings
 * replaced by the mask. The resource itself when nothing is masked. Used by outputs that show whole
 * resources (REST state).
 */
export function maskResource(resource: ResourceInstance, options: MaskResourceOptions = {}): ResourceInstance {
  const marks = [...(resource.sensitive_paths ?? []), ...(Array.isArray(options.alsoSensitive) ? options.alsoSensitive : [])]
  const tree = marks.length > 0 ? markTree(marks) : undefined
  // An empty mark (plan `*_sensitive: true`) is the whole object; `attributes` itself stays an object.
  if (tree?.end) return { ...resource, attributes: Object.fromEntries(Object.entries(resource.attributes ?? {}).map(([k, v]) => [k, v == null ? v : MASK])) }
  const attributes = walk(resource.attributes, 0, tree)
  return attributes === resource.attributes ? resource : { ...resource, attributes: attributes as Record<string, unknown> }
}

/**
 * The value with every secret-named key masked, at any depth, including inside strings that hold
 * JSON (re-serialised compactly only when something was masked). The value itself when nothing is.
 */
export function maskSecrets(value: unknown): unknown {
  return walk(value, 0, undefined)
}

/** Marks as a tree of keys (list indexes dropped); `end` where a marked path stops. */
interface MarkNode { end: boolean; next: Map<string, MarkNode> }

function markTree(marks: ReadonlyArray<AttrPath>): MarkNode {
  const root: MarkNode = { end: false, next: new Map() }
  for (const mark of marks) {
    let node = root
    for (const seg of mark) {
      if (isIndex(seg)) continue
      let child = node.next.get(String(seg))
      if (!child) node.next.set(String(seg), (child = { end: false, next: new Map() }))
      node = child
    }
    node.end = true
  }
  return root
}

/** A value worth hiding: empty values and empty blocks tell nothing. */
function filled(value: unknown): boolean {
  if (value == null || value === '') return false
  return typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length > 0
}

/** Copy-on-write walk; `marks` is the mark-tree node at this value's key path. */
function walk(value: unknown, depth: number, marks: MarkNode | undefined): unknown {
  if (marks?.end) return value == null ? value : MASK
  if (typeof value === 'string') return maskJsonString(value, depth)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return MASK
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const masked = walk(value[i], depth + 1, marks)
      if (masked !== value[i]) (out ??= value.slice())[i] = masked
    }
    return out ?? value
  }
  const node = value as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  for (const key of Object.keys(node)) {
    const child = node[key]
    const next = marks === undefined ? undefined : /^\d+$/.test(key) ? marks : marks.next.get(key)
    const masked = isSecretName(key) && filled(child) ? MASK : walk(child, depth + 1, next)
    if (masked !== child) define((out ??= { ...node }), key, masked)
  }
  return out ?? value
}

/** Sets an own property even for `__proto__`, which JSON documents may hold as a plain key. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
}

const NOT_JSON = Symbol('not-json')

function parseJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return NOT_JSON }
}

/**
 * A string with the secrets inside the JSON it holds masked. Most strings are not JSON: the first
 * non-space character and one regex scan rule them out before any parse (a secret-named key must
 * be spelled in the text, or hidden behind a `\u` escape).
 */
function maskJsonString(text: string, depth: number): string {
  let i = 0
  while (i < text.length && (text.charCodeAt(i) <= 32)) i++
  const first = text[i]
  if (first !== '{' && first !== '[' && first !== '"') return text
  if (!SECRET_NAME.test(text) && !text.includes('\\u')) return text
  const doc = parseJson(text)
  if (doc === NOT_JSON) return text
  if (depth >= MAX_DEPTH) return MASK
  const masked = walk(doc, depth + 1, undefined)
  if (masked === doc) return text
  try {
    return JSON.stringify(masked)
  } catch {
    return MASK
  }
}
