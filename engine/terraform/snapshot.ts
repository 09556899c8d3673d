/**
 * The provider-neutral snapshot JSON (`schemas/snapshot.schema.json`) that cloud discovery plugins
 * emit, and `readObserved`, which takes whatever the user has for the live side — a refreshed
 * tfstate, a plan JSON or a snapshot JSON — and sniffs which it is.
 */
import { readFileSync } from 'node:fs'
import type { ErrorObject } from 'ajv'
import { createAjv } from '../schema/ajv.ts'
import { TfdriftError, type Problem } from '../errors.ts'
import type { ResourceInstance, Snapshot } from '../model.ts'
import { MAX_FILE_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.ts'
import { depthError, readerError, syntaxError } from './errors.ts'
import { JsonScanError, parseSpan, splitTopLevel } from './json-scan.ts'
import { looksLikePlan, parsePlan } from './plan.ts'
import { parseState } from './state.ts'
import { looksLikeShowState } from './show-json.ts'

/** The `format` marker of snapshot JSON documents. */
export const SNAPSHOT_FORMAT = 'tfdrift-snapshot'
/** The snapshot JSON version this reader writes and understands. */
export const SNAPSHOT_VERSION = 1

/** The document shape of a snapshot file (what `schemas/snapshot.schema.json` describes). */
export interface SnapshotFile {
  format: typeof SNAPSHOT_FORMAT
  version: typeof SNAPSHOT_VERSION
  kind: 'observed' | 'expected'
  taken_at: string
  source?: string
  serial?: number
  lineage?: string
  covered_types?: string[]
  resources: Array<Partial<ResourceInstance> & { type: string; attributes: Record<string, unknown> }>
}

const schema = JSON.parse(readFileSync(new URL('../../schemas/snapshot.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>
const validate = createAjv({ allErrors: true, strict: false }).compile(schema)

/** Turns ajv errors into pointer-precise problems; `anyOf` noise is folded into one readable line. */
function problemsOf(errors: ErrorObject[], source: string): Problem[] {
  const byPointer = new Map<string, Problem>()
  for (const e of errors) {
    if (e.keyword === 'anyOf') continue
    let at = e.instancePath || '/'
    let message: string
    if (e.keyword === 'required' && /\/resources\/\d+$/.test(e.instancePath) && ['resource_id', 'arn', 'address'].includes(String(e.params.missingProperty))) {
      message = 'a resource needs at least one of resource_id, arn or address'
    } else if (e.keyword === 'required') {
      at = `${e.instancePath}/${String(e.params.missingProperty)}`
      message = 'is required'
    } else if (e.keyword === 'additionalProperties') {
      at = `${e.instancePath}/${String(e.params.additionalProperty)}`
      message = 'is not a known field'
    } else if (e.keyword === 'const' || e.keyword === 'enum') {
      message = `must be ${JSON.stringify(e.params.allowedValue ?? e.params.allowedValues)}`
    } else message = e.message ?? e.keyword
    const key = `${at}\u0000${message}`
    if (!byPointer.has(key)) byPointer.set(key, { code: 'TFD_ERR_SNAPSHOT_INVALID', file: source, pointer: at, message })
  }
  return [...byPointer.values()]
}

/** Validates a snapshot JSON (text, bytes or parsed) against the schema and returns a Snapshot; all problems at once in TFD_ERR_SNAPSHOT_INVALID. */
export function parseSnapshotFile(input: string | Buffer | unknown, opts: { source: string }): Snapshot {
  const { source } = opts
  let doc = input
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    // ajv and the drift comparer recurse: bound the depth before anything walks the document.
    const deep = jsonDepthExceeds(input, MAX_FILE_JSON_DEPTH)
    if (deep !== undefined) {
      throw depthError('TFD_ERR_SNAPSHOT_INVALID', source, '', typeof input === 'string' ? Buffer.byteLength(input.slice(0, deep)) : deep, MAX_FILE_JSON_DEPTH)
    }
    try {
      doc = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'))
    } catch (err) {
      throw syntaxError('TFD_ERR_SNAPSHOT_INVALID', source, '', err)
    }
  }
  if (!validate(doc)) {
    const problems = problemsOf(validate.errors ?? [], source)
    const list = problems.slice(0, 5).map((p) => `${p.pointer} ${p.message}`).join('; ')
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''
    throw new TfdriftError('TFD_ERR_SNAPSHOT_INVALID', `${source}: invalid snapshot JSON: ${list}${more}.`, { problems })
  }
  const file = doc as SnapshotFile
  const snapshot: Snapshot = {
    kind: file.kind,
    source: file.source ?? source,
    taken_at: file.taken_at,
    resources: file.resources.map(toInstance),
  }
  if (file.serial !== undefined) snapshot.serial = file.serial
  if (file.lineage !== undefined) snapshot.lineage = file.lineage
  if (file.covered_types) snapshot.covered_types = file.covered_types
  return snapshot
}

/** Alias kept for callers that look the reader up by this name (engine/drift/scan). */
export const parseSnapshot = parseSnapshotFile

function toInstance(r: SnapshotFile['resources'][number]): ResourceInstance {
  const out: ResourceInstance = {
    ...r,
    address: r.address ?? '',
    mode: r.mode ?? 'managed',
    type: r.type,
    name: r.name ?? '',
    provider: r.provider ?? r.type.split('_')[0]!,
    attributes: r.attributes,
  }
  if (out.resource_id === undefined) {
    const id = r.attributes.id
    if (typeof id === 'string' && id) out.resource_id = id
  }
  if (out.arn === undefined && typeof r.attributes.arn === 'string' && r.attributes.arn) out.arn = r.attributes.arn
  return out
}

/** A Snapshot as a snapshot file document (what discovery plugins write to disk or send). */
export function toSnapshotFile(snapshot: Snapshot): SnapshotFile {
  const file: SnapshotFile = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    kind: snapshot.kind,
    taken_at: snapshot.taken_at,
    source: snapshot.source,
    resources: snapshot.resources.map((r) => {
      const { address, ...rest } = r
      return address ? { address, ...rest } : rest
    }),
  }
  if (snapshot.serial !== undefined) file.serial = snapshot.serial
  if (snapshot.lineage !== undefined) file.lineage = snapshot.lineage
  if (snapshot.covered_types) file.covered_types = snapshot.covered_types
  return file
}

/** `invalid`: not even a JSON object; `unknown`: an object of no kind tfdrift reads. */
export type DocumentKind = 'state' | 'plan' | 'snapshot' | 'unknown' | 'invalid'

/** Which kind of document the bytes hold, from its top-level members only (one scan, no full parse). */
export function sniffDocument(input: string | Buffer): DocumentKind {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  let members: Map<string, { start: number; end: number }>
  try {
    // Unbounded here: the reader of the kind found reports a too-deep document with its own code.
    members = splitTopLevel(buf, undefined, Infinity).members
  } catch (err) {
    if (err instanceof JsonScanError) return 'invalid'
    throw err
  }
  const format = members.get('format')
  if (format) {
    try {
      if (parseSpan(buf, format) === SNAPSHOT_FORMAT) return 'snapshot'
    } catch {
      return 'unknown'
    }
  }
  const has = (k: string) => members.has(k)
  if (has('version') && (has('resources') || has('modules') || has('lineage'))) return 'state'
  if (looksLikeShowState({ has })) return 'state'
  const probe: Record<string, true> = {}
  for (const k of members.keys()) probe[k] = true
  if (looksLikePlan(probe)) return 'plan'
  return 'unknown'
}

/**
 * Reads the observed side from a refreshed tfstate (`terraform apply -refresh-only` / a second
 * state), a plan JSON (its refreshed side) or a snapshot JSON. Errors name the source.
 */
export function readObserved(input: string | Buffer, source: string, opts: { takenAt?: string; onWarning?: (message: string) => void } = {}): Snapshot {
  const kind = sniffDocument(input)
  switch (kind) {
    case 'snapshot':
      return { ...parseSnapshotFile(input, { source }), kind: 'observed' }
    case 'plan':
      return parsePlan(input, { source, ...opts }).observed
    case 'state':
      return parseState(input, { source, kind: 'observed', takenAt: opts.takenAt })
    case 'unknown':
      throw readerError('TFD_ERR_STATE_INVALID', source, '', 'is neither a Terraform state, a plan JSON (terraform show -json) nor a tfdrift snapshot JSON.')
    default:
      // Let the state reader report the precise syntax problem (truncated, not JSON, …).
      return parseState(input, { source, kind: 'observed', takenAt: opts.takenAt })
  }
}

/** The expected side from a state (the usual), a plan JSON (its pre-refresh side) or a snapshot JSON; sniffed like readObserved. */
export function readExpected(input: string | Buffer, source: string, opts: { takenAt?: string; onWarning?: (message: string) => void } = {}): Snapshot {
  switch (sniffDocument(input)) {
    case 'snapshot':
      return { ...parseSnapshotFile(input, { source }), kind: 'expected' }
    case 'plan':
      return parsePlan(input, { source, ...opts }).expected
    default:
      return parseState(input, { source, kind: 'expected', takenAt: opts.takenAt })
  }
}
