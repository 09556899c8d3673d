/**
 * Plan JSON reader (`terraform show -json tf.plan`, format 0.1 – 1.x, and HCP Terraform's redacted
 * JSON). Drift comes from `resource_drift`: `before` is what state recorded (expected), `after` what
 * refresh found (observed); a `delete` action means the object is gone (missing).
 *
 * Why the baseline is built this way: `prior_state` is the state *after* refresh, i.e. it already
 * holds the observed values. So observed = prior_state, and expected = prior_state with each drifted
 * instance put back to its `before` (and drift-deleted ones re-added). Resources that did not drift
 * are identical on both sides.
 */
import type { ResourceInstance, Snapshot } from '../model.ts'
import { TfdriftError, type ErrorCode } from '../errors.ts'
import { MAX_FILE_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.ts'
import { parseAddress, type IndexKey } from './address.ts'
import { depthError, readerError, syntaxError } from './errors.ts'
import { pathsFromMirror, type AttrPath } from './paths.ts'
import { providerShortName } from './provider.ts'
import { readOutputs } from './outputs.ts'

/** Options of parsePlan. */
export interface ParsePlanOptions {
  /** File path or URL of the plan; named in every error. */
  source: string
  takenAt?: string
  /** Return an errored plan (with `errored: true`) instead of throwing TFD_ERR_PLAN_ERRORED. */
  allowErrored?: boolean
  /** Told about what is odd but readable (a plan without format_version); each message names the source. */
  onWarning?: (message: string) => void
}

/** Both sides of a plan's drift plus whether Terraform reported the plan as errored. */
export interface PlanSnapshots {
  expected: Snapshot
  observed: Snapshot
  errored: boolean
  /** `format_version` or `plan_format_version` of the document. */
  format_version?: string
}

type Obj = Record<string, unknown>
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Plan format majors this reader understands; Terraform bumps the major only for incompatible changes. */
const SUPPORTED_MAJORS = [0, 1]

type Shape = 'string' | 'boolean' | 'object' | 'array'
/**
 * The documented top-level members and their shapes. A member of another shape is an error, never
 * skipped: skipping `resource_drift: {…}` is how a broken plan passed CI as "in sync". `null`
 * counts as absent, as Terraform omits empty members.
 */
const TOP_LEVEL: Record<string, Shape> = {
  format_version: 'string', plan_format_version: 'string', terraform_version: 'string',
  errored: 'boolean', applyable: 'boolean', complete: 'boolean', timestamp: 'string',
  variables: 'object', planned_values: 'object', prior_state: 'object', configuration: 'object', output_changes: 'object',
  resource_changes: 'array', resource_drift: 'array', relevant_attributes: 'array', checks: 'array',
}

function hasShape(v: unknown, shape: Shape): boolean {
  return shape === 'array' ? Array.isArray(v) : shape === 'object' ? isObj(v) : typeof v === shape
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : isObj(v) ? 'an object' : `a ${typeof v}`
}

/** Throws TFD_ERR_PLAN_INVALID at `at` unless `v` is absent (undefined/null) or of `shape`. */
function expectShape(v: unknown, shape: Shape, at: string, source: string, code: ErrorCode = 'TFD_ERR_PLAN_INVALID'): void {
  if (v === undefined || v === null || hasShape(v, shape)) return
  throw readerError(code, source, at, `${at.slice(at.lastIndexOf('/') + 1)} must be ${shape === 'array' ? 'an array' : shape === 'object' ? 'an object' : `a ${shape}`}, got ${typeName(v)}.`)
}

/** Checks the shapes of the top-level members and the format version; warns when the version is missing. */
function checkDocument(plan: Obj, opts: ParsePlanOptions): void {
  const { source } = opts
  const versions = (['format_version', 'plan_format_version'] as const).filter((k) => plan[k] !== undefined && plan[k] !== null)
  if (versions.length === 0) {
    opts.onWarning?.(`${source}: the plan has no format_version; reading it as a 1.x plan (\`terraform show -json\` always writes one — is this file hand-made?).`)
  }
  for (const key of versions) {
    const version = plan[key]
    expectShape(version, 'string', `/${key}`, source)
    const major = /^(\d+)\.\d+/.exec(version as string)
    if (!major) throw readerError('TFD_ERR_PLAN_INVALID', source, `/${key}`, `${key} must look like "1.2", got ${JSON.stringify(version)}.`)
    if (!SUPPORTED_MAJORS.includes(Number(major[1]))) {
      throw readerError('TFD_ERR_PLAN_VERSION', source, `/${key}`, `plan format ${version as string} is not supported (tfdrift reads 0.x and 1.x).`)
    }
  }
  // The warning above comes first: a broken plan without a version gets both messages.
  for (const [key, shape] of Object.entries(TOP_LEVEL)) expectShape(plan[key], shape, `/${key}`, source)
}

/** True when a parsed JSON document looks like a plan (used by readObserved to sniff). */
export function looksLikePlan(doc: unknown): boolean {
  return isObj(doc) && (('format_version' in doc && ('planned_values' in doc || 'resource_changes' in doc || 'prior_state' in doc || 'errored' in doc))
    || 'plan_format_version' in doc || 'resource_drift' in doc)
}

/** Parses a plan JSON into expected/observed snapshots; throws TFD_ERR_PLAN_INVALID / TFD_ERR_PLAN_ERRORED naming the source. */
export function parsePlan(input: string | Buffer | Obj, opts: ParsePlanOptions): PlanSnapshots {
  const { source } = opts
  let doc: unknown = input
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    // Before JSON.parse: the walks after it recurse, and past this depth they would overflow the stack.
    const deep = jsonDepthExceeds(input, MAX_FILE_JSON_DEPTH)
    if (deep !== undefined) {
      const byte = typeof input === 'string' ? Buffer.byteLength(input.slice(0, deep)) : deep
      throw depthError('TFD_ERR_PLAN_INVALID', source, '', byte, MAX_FILE_JSON_DEPTH)
    }
    try {
      doc = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'))
    } catch (err) {
      throw syntaxError('TFD_ERR_PLAN_INVALID', source, '', err)
    }
  }
  if (!looksLikePlan(doc)) {
    const hint = isObj(doc) && 'version' in doc && ('resources' in doc || 'modules' in doc)
      ? 'this is a Terraform state, not a plan; pass it with --state or --live'
      : 'no format_version / resource_changes / prior_state'
    throw readerError('TFD_ERR_PLAN_INVALID', source, '', `not a terraform show -json plan (${hint}).`)
  }
  const plan = doc as Obj
  checkDocument(plan, opts)
  const errored = plan.errored === true
  if (errored && !opts.allowErrored) {
    throw readerError('TFD_ERR_PLAN_ERRORED', source, '/errored', 'the plan is marked errored: Terraform failed to plan, so it cannot be trusted for drift.')
  }
  const takenAt = opts.takenAt ?? new Date().toISOString()
  const base = (kind: 'expected' | 'observed'): Snapshot => ({
    kind, source, taken_at: takenAt, resources: [],
    ...(typeof plan.terraform_version === 'string' ? { terraform_version: plan.terraform_version } : {}),
  })
  const expected = base('expected')
  const observed = base('observed')

  // 1. The refreshed baseline: prior_state, or (redacted HCP JSON has none) resource_changes' befores.
  const refreshed = new Map<string, ResourceInstance>()
  const keyOf = (r: ResourceInstance) => (r.deposed ? `${r.address}\u0000${r.deposed}` : r.address)
  const prior = isObj(plan.prior_state) ? plan.prior_state : undefined
  expectShape(prior?.values, 'object', '/prior_state/values', source)
  const priorValues = prior && isObj(prior.values) ? prior.values : undefined
  if (priorValues) expectShape(priorValues.outputs, 'object', '/prior_state/values/outputs', source)
  // resource_changes are read only without prior_state, but a broken list is a broken plan either way.
  const changes = Array.isArray(plan.resource_changes) ? plan.resource_changes : []
  changes.forEach((rc, i) => checkChange(rc, `/resource_changes/${i}`, source))
  if (prior && priorValues) {
    walkModule(priorValues.root_module, '/prior_state/values/root_module', source, (r) => refreshed.set(keyOf(r), r))
    if (isObj(priorValues.outputs)) {
      const outputs = readOutputs(priorValues.outputs, source, '/prior_state/values/outputs')
      expected.outputs = outputs
      observed.outputs = outputs
    }
    if (typeof prior.terraform_version === 'string') {
      expected.terraform_version = prior.terraform_version
      observed.terraform_version = prior.terraform_version
    }
  } else {
    changes.forEach((rc, i) => {
      const r = fromChange(rc, `/resource_changes/${i}`, source, 'before')
      if (r) refreshed.set(keyOf(r), r)
    })
  }
  // 2. Drift: observed = refreshed (with `after` where present); expected = `before`.
  const expectedOverride = new Map<string, ResourceInstance>()
  const drift = Array.isArray(plan.resource_drift) ? plan.resource_drift : []
  drift.forEach((rd, i) => {
    const at = `/resource_drift/${i}`
    const change = checkChange(rd, at, source)
    const before = fromChange(rd, at, source, 'before')
    const after = fromChange(rd, at, source, 'after')
    const key = before ? keyOf(before) : after ? keyOf(after) : undefined
    if (!key) return
    if (before) expectedOverride.set(key, before)
    if (change.actions.includes('delete') && !change.actions.includes('create')) refreshed.delete(key)
    else if (after) refreshed.set(key, after)
  })
  for (const [key, r] of refreshed) {
    observed.resources.push(r)
    const e = expectedOverride.get(key)
    expected.resources.push(e ?? r)
  }
  for (const [key, e] of expectedOverride) if (!refreshed.has(key)) expected.resources.push(e)
  const format_version = typeof plan.format_version === 'string' ? plan.format_version
    : typeof plan.plan_format_version === 'string' ? plan.plan_format_version : undefined
  return { expected, observed, errored, ...(format_version ? { format_version } : {}) }
}

/** A resource_changes / resource_drift entry must carry `change.actions` (a list of strings); returns `change`. */
function checkChange(raw: unknown, at: string, source: string): Obj & { actions: string[] } {
  const change = isObj(raw) && isObj(raw.change) ? raw.change : undefined
  if (!change) throw readerError('TFD_ERR_PLAN_INVALID', source, `${at}/change`, 'an entry needs a change object with actions.')
  if (!Array.isArray(change.actions) || !change.actions.every((a) => typeof a === 'string')) {
    throw readerError('TFD_ERR_PLAN_INVALID', source, `${at}/change/actions`, 'change.actions must be a list of strings such as ["update"].')
  }
  return change as Obj & { actions: string[] }
}

/** Fields shared by plan `values` resources and `resource_changes` entries. */
function instanceBase(raw: Obj, at: string, source: string, code: ErrorCode = 'TFD_ERR_PLAN_INVALID'): Omit<ResourceInstance, 'attributes'> {
  const address = raw.address
  if (typeof address !== 'string') throw readerError(code, source, `${at}/address`, 'address must be a string.')
  let parsed
  try {
    parsed = parseAddress(address)
  } catch (err) {
    throw readerError(code, source, `${at}/address`, (err as TfdriftError).message)
  }
  const index = raw.index as IndexKey | undefined
  const providerName = typeof raw.provider_name === 'string' ? raw.provider_name : undefined
  const r: Omit<ResourceInstance, 'attributes'> = {
    address,
    mode: parsed.mode,
    type: parsed.type,
    name: parsed.name,
    ...(parsed.module ? { module: parsed.module } : {}),
    ...(index !== undefined && index !== null ? { index_key: index } : parsed.index_key !== undefined ? { index_key: parsed.index_key } : {}),
    provider: providerShortName(providerName, parsed.type),
    ...(providerName ? { provider_address: `provider["${providerName}"]` } : {}),
  }
  if (typeof raw.deposed === 'string') r.deposed = raw.deposed
  if (typeof raw.previous_address === 'string') r.previous_address = raw.previous_address
  if (typeof raw.schema_version === 'number') r.schema_version = raw.schema_version
  return r
}

function finish(r: ResourceInstance, sensitiveMirror: unknown, unknownMirror?: unknown): ResourceInstance {
  const id = r.attributes.id
  if (typeof id === 'string' && id) r.resource_id = id
  else if (typeof id === 'number') r.resource_id = String(id)
  if (typeof r.attributes.arn === 'string' && r.attributes.arn) r.arn = r.attributes.arn
  // A bare `true` marks the whole object: spell it out per attribute so every path names one.
  const whole = (paths: AttrPath[]) => (paths.some((p) => p.length === 0) ? Object.keys(r.attributes).map((k) => [k]) : paths)
  const sensitive = whole(pathsFromMirror(sensitiveMirror))
  if (sensitive.length) r.sensitive_paths = sensitive
  const unknown = unknownMirror === undefined ? [] : whole(pathsFromMirror(unknownMirror))
  if (unknown.length) r.unknown_paths = unknown
  return r
}

/** Walks `root_module` / `child_modules` of plan / `terraform show -json` `values`. */
export function walkModule(mod: unknown, at: string, source: string, emit: (r: ResourceInstance) => void, code: ErrorCode = 'TFD_ERR_PLAN_INVALID'): void {
  if (mod === undefined || mod === null) return
  if (!isObj(mod)) throw readerError(code, source, at, 'a module must be an object.')
  expectShape(mod.resources, 'array', `${at}/resources`, source, code)
  expectShape(mod.child_modules, 'array', `${at}/child_modules`, source, code)
  const resources = Array.isArray(mod.resources) ? mod.resources : []
  resources.forEach((raw, i) => {
    const rat = `${at}/resources/${i}`
    if (!isObj(raw)) throw readerError(code, source, rat, 'a resource must be an object.')
    const values = raw.values ?? {}
    if (!isObj(values)) throw readerError(code, source, `${rat}/values`, 'values must be an object.')
    emit(finish({ ...instanceBase(raw, rat, source, code), attributes: values }, raw.sensitive_values))
  })
  const children = Array.isArray(mod.child_modules) ? mod.child_modules : []
  children.forEach((child, i) => walkModule(child, `${at}/child_modules/${i}`, source, emit, code))
}

/** One side (`before` / `after`) of a resource_changes / resource_drift entry, or undefined when that side is null. */
function fromChange(raw: unknown, at: string, source: string, side: 'before' | 'after'): ResourceInstance | undefined {
  if (!isObj(raw) || !isObj(raw.change)) throw readerError('TFD_ERR_PLAN_INVALID', source, at, 'an entry needs a change object.')
  const value = raw.change[side]
  if (value === null || value === undefined) return undefined
  if (!isObj(value)) throw readerError('TFD_ERR_PLAN_INVALID', source, `${at}/change/${side}`, `${side} must be an object or null.`)
  const base = instanceBase(raw, at, source)
  // Expected keeps its state address; the `previous_address` of a move only describes the observed side's history.
  return finish({ ...base, attributes: value }, raw.change[`${side}_sensitive`], side === 'after' ? raw.change.after_unknown : undefined)
}
