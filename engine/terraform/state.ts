/**
 * Terraform state reader: format v4 (Terraform 0.12+) in full and v3 (0.7 – 0.11) through
 * `legacy.ts`. Large v4 states are split per resource with a byte scanner (`json-scan.ts`) and each
 * resource is `JSON.parse`d on its own, so the whole document never exists as one JS string.
 */
import type { ResourceInstance, Snapshot } from '../model.ts'
import { MAX_FILE_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.ts'
import { formatAddress } from './address.ts'
import { pointer, readerError, syntaxError } from './errors.ts'
import { JsonScanError, parseSpan, splitTopLevel, type TopLevel } from './json-scan.ts'
import { readLegacyModules } from './legacy.ts'
import { SENSITIVE_MASK, sensitivePathsFromState } from './paths.ts'
import { readOutputs } from './outputs.ts'
import { looksLikeShowState, showStateFromValues } from './show-json.ts'
import { providerShortName } from './provider.ts'
import { unflatten } from './flatmap.ts'

export { SENSITIVE_MASK, readOutputs }

/** Options of parseState. */
export interface ParseStateOptions {
  /** Where the bytes came from (path, `s3://bucket/key`, URL without credentials); named in every error. */
  source: string
  /** `expected` (default) for the state Terraform manages; `observed` for a refreshed state. */
  kind?: 'expected' | 'observed'
  /** Snapshot time; defaults to now. */
  takenAt?: string
  /** Size in bytes above which the document is split per resource (default 4 MiB); tests set 0 to force the splitter. */
  splitAbove?: number
}

const SUPPORTED = [3, 4]
/** Below this size a state is parsed in one piece (faster); above it, resource by resource (less memory). */
const SMALL = 4 * 2 ** 20

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** How the reader sees a document: its top-level members, and the v4 `resources` one at a time. */
interface DocumentView {
  has(key: string): boolean
  member(key: string): unknown
  /** Calls `each(raw, pointer)` for every element of `resources` (absent → no calls). */
  resources(each: (raw: unknown, at: string) => void): void
}

/** Parses a tfstate document into a Snapshot; throws TfdriftError (TFD_ERR_STATE_*) naming the source and JSON pointer. */
export function parseState(input: string | Buffer, opts: ParseStateOptions): Snapshot {
  const { source } = opts
  if (input.length < (opts.splitAbove ?? SMALL)) {
    // Small documents: one JSON.parse is faster than splitting. On a syntax error, or nesting past
    // the limit, fall through to the splitter, whose job includes saying which resource is broken.
    let doc: unknown
    try {
      doc = jsonDepthExceeds(input, MAX_FILE_JSON_DEPTH) === undefined ? JSON.parse(typeof input === 'string' ? input : input.toString('utf8')) : undefined
    } catch {
      doc = undefined
    }
    if (isObj(doc)) return stateFromDocument(doc, opts)
  }
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  let top: TopLevel
  try {
    top = splitTopLevel(buf, 'resources')
  } catch (err) {
    // Name the resource the scan was in when it failed, when it got that far.
    throw syntaxError('TFD_ERR_STATE_INVALID', source, scanPointer(err), err)
  }
  const { members } = top
  return readDocument({
    has: (key) => members.has(key),
    member(key) {
      const span = members.get(key)
      if (!span) return undefined
      try {
        return parseSpan(buf, span)
      } catch (err) {
        throw syntaxError('TFD_ERR_STATE_INVALID', source, pointer(key), err, span.start)
      }
    },
    resources(each) {
      const span = members.get('resources')
      if (!span || buf.toString('latin1', span.start, span.end) === 'null') return
      if (!top.elements) throw readerError('TFD_ERR_STATE_INVALID', source, '/resources', 'resources must be an array.')
      top.elements.forEach((el, i) => {
        const at = pointer('resources', i)
        let raw: unknown
        try {
          raw = parseSpan(buf, el)
        } catch (err) {
          throw syntaxError('TFD_ERR_STATE_INVALID', source, at, err, el.start)
        }
        each(raw, at)
      })
    },
  }, opts)
}

/** Reads an already-parsed state document (e.g. after sniffing); same checks and result as parseState. */
export function stateFromDocument(doc: unknown, opts: ParseStateOptions): Snapshot {
  if (!isObj(doc)) throw readerError('TFD_ERR_STATE_INVALID', opts.source, '', 'a state must be a JSON object.')
  return readDocument({
    has: (key) => key in doc,
    member: (key) => doc[key],
    resources(each) {
      const list = doc.resources
      if (list === undefined || list === null) return
      if (!Array.isArray(list)) throw readerError('TFD_ERR_STATE_INVALID', opts.source, '/resources', 'resources must be an array.')
      list.forEach((raw, i) => each(raw, pointer('resources', i)))
    },
  }, opts)
}

/** The JSON pointer of the value a scan failure happened in (`/resources/12`), as far as the scan knew. */
function scanPointer(err: unknown): string {
  return err instanceof JsonScanError ? pointer(...err.path) : ''
}

function readDocument(doc: DocumentView, opts: ParseStateOptions): Snapshot {
  const { source } = opts
  const version = doc.member('version')
  if (version === undefined && doc.has('values') && looksLikeShowState(doc)) {
    // `terraform show -json` of a state: same resources, another shape.
    return showStateFromValues(doc.member('values'), doc.member('terraform_version'), opts)
  }
  if (version === undefined) {
    if (doc.has('encrypted_data') || doc.has('encryption_version')) {
      throw readerError('TFD_ERR_STATE_INVALID', source, '', 'the state is encrypted (OpenTofu state encryption); read a decrypted copy (`tofu state pull`).')
    }
    const hint = doc.has('planned_values') || doc.has('resource_changes') || doc.has('format_version')
      ? 'this looks like a plan JSON; pass it with --plan'
      : doc.has('format') ? 'this looks like a snapshot JSON; pass it as an observed snapshot' : 'no "version" field'
    throw readerError('TFD_ERR_STATE_INVALID', source, '/version', `not a Terraform state: ${hint}.`)
  }
  if (typeof version !== 'number' || !SUPPORTED.includes(version)) {
    throw readerError('TFD_ERR_STATE_VERSION', source, '/version',
      `state format version ${JSON.stringify(version)} is not supported (tfdrift reads 3 and 4).`)
  }
  const snapshot: Snapshot = {
    kind: opts.kind ?? 'expected',
    source,
    taken_at: opts.takenAt ?? new Date().toISOString(),
    state_version: version,
    resources: [],
  }
  const serial = doc.member('serial')
  if (typeof serial === 'number') snapshot.serial = serial
  const lineage = doc.member('lineage')
  if (typeof lineage === 'string') snapshot.lineage = lineage
  const tfVersion = doc.member('terraform_version')
  if (typeof tfVersion === 'string') snapshot.terraform_version = tfVersion

  if (version === 3) {
    if (!doc.has('modules') && doc.has('backend')) {
      throw readerError('TFD_ERR_STATE_INVALID', source, '/backend', "this is Terraform's backend settings cache (.terraform/terraform.tfstate), not a state; read the state itself (`terraform state pull`).")
    }
    const read = readLegacyModules(doc.member('modules'), source)
    snapshot.resources = read.resources
    if (read.outputs) snapshot.outputs = read.outputs
    return snapshot
  }
  const outputs = doc.member('outputs')
  if (outputs !== undefined && outputs !== null) snapshot.outputs = readOutputs(outputs, source)
  const checks = doc.member('check_results')
  if (Array.isArray(checks)) snapshot.check_results = checks
  const seen = new Set<string>()
  doc.resources((raw, at) => readV4Resource(raw, at, source, seen, snapshot.resources))
  return snapshot
}

/** Validates one v4 `resources[]` entry and appends its instances. */
function readV4Resource(raw: unknown, at: string, source: string, seen: Set<string>, out: ResourceInstance[]): void {
  const bad = (field: string, what: string) => readerError('TFD_ERR_STATE_INVALID', source, `${at}${field}`, what)
  if (!isObj(raw)) throw bad('', 'a resource must be an object.')
  const { mode, type, name, module, provider } = raw
  if (mode !== 'managed' && mode !== 'data') throw bad('/mode', `mode must be "managed" or "data", got ${JSON.stringify(mode)}.`)
  if (typeof type !== 'string' || !type) throw bad('/type', 'type must be a non-empty string.')
  if (typeof name !== 'string' || !name) throw bad('/name', 'name must be a non-empty string.')
  if (module !== undefined && typeof module !== 'string') throw bad('/module', 'module must be a string.')
  if (provider !== undefined && typeof provider !== 'string') throw bad('/provider', 'provider must be a string.')
  const instances = raw.instances ?? []
  if (!Array.isArray(instances)) throw bad('/instances', 'instances must be an array.')
  const providerName = providerShortName(provider as string | undefined, type)
  instances.forEach((inst, j) => {
    const iat = `/instances/${j}`
    if (!isObj(inst)) throw bad(iat, 'an instance must be an object.')
    const key = inst.index_key
    if (key !== undefined && key !== null && typeof key !== 'string' && typeof key !== 'number') {
      throw bad(`${iat}/index_key`, 'index_key must be a number or a string.')
    }
    let attributes: Record<string, unknown>
    if (isObj(inst.attributes)) attributes = inst.attributes
    else if (isObj(inst.attributes_flat)) attributes = unflatten(inst.attributes_flat as Record<string, string>)
    else if (inst.attributes === undefined || inst.attributes === null) attributes = {}
    else throw bad(`${iat}/attributes`, 'attributes must be an object.')
    const parts = {
      ...(module ? { module: module as string } : {}),
      mode: mode as 'managed' | 'data',
      type,
      name,
      ...(key === undefined || key === null ? {} : { index_key: key as string | number }),
    }
    const address = formatAddress(parts)
    const deposed = typeof inst.deposed === 'string' ? inst.deposed : undefined
    const dupKey = deposed ? `${address}\u0000${deposed}` : address
    if (seen.has(dupKey)) {
      throw readerError('TFD_ERR_STATE_DUPLICATE', source, `${at}${iat}`,
        `resource instance ${address}${deposed ? ` (deposed ${deposed})` : ''} appears more than once.`)
    }
    seen.add(dupKey)
    const r: ResourceInstance = { address, ...parts, provider: providerName, attributes }
    if (provider) r.provider_address = provider as string
    const id = attributes.id ?? (isObj(inst.identity) ? inst.identity.id : undefined)
    if (typeof id === 'string' && id !== '') r.resource_id = id
    else if (typeof id === 'number') r.resource_id = String(id)
    if (typeof attributes.arn === 'string' && attributes.arn) r.arn = attributes.arn
    const sensitive = sensitivePathsFromState(inst.sensitive_attributes)
    if (sensitive.length) r.sensitive_paths = sensitive
    if (Array.isArray(inst.dependencies) && inst.dependencies.length) {
      r.dependencies = inst.dependencies.filter((d): d is string => typeof d === 'string')
    } else if (Array.isArray(raw.depends_on) && raw.depends_on.length) {
      // 0.12-era v4 states kept dependencies on the resource, relative to its module.
      r.dependencies = (raw.depends_on as unknown[]).filter((d): d is string => typeof d === 'string')
        .map((d) => (module && !d.startsWith('module.') ? `${module}.${d}` : d))
    }
    if (inst.status === 'tainted') r.status = 'tainted'
    if (deposed) r.deposed = deposed
    if (typeof inst.schema_version === 'number') r.schema_version = inst.schema_version
    if (isObj(inst.identity)) r.identity = inst.identity
    out.push(r)
  })
}
