/**
 * Change events as evidence of drift (#8 item 1): a successful mutating call on a resource a loaded
 * state manages is a drift at once, without waiting for an observed snapshot.
 *
 * - `update` (and `create` of something a state already manages) with attribute values → `modified`,
 *   its changes computed by the same comparer snapshots use, over the state's attributes with the
 *   values the call set laid on top (the "overlay", kept per drift so later calls add up and a call
 *   that puts a value back takes it out again).
 * - `delete` of a managed resource → `missing`; `create` of a resource no state manages → `unmanaged`.
 * - `action` calls (reboot, start, stop) and calls without attribute values only attribute actors.
 *
 * Accounts: a state "belongs" to the AWS accounts named in its resources' ARNs (and GCP projects in
 * their ids). A call from an account that no loaded state belongs to is ignored when states name
 * accounts — it is someone else's infrastructure, never ours to call unmanaged. When no state names
 * an account (states without ARNs), modified / missing still follow the resource's id, but nothing is
 * called unmanaged: without knowing which accounts are ours, every create anywhere would be.
 */
import { type AttributeChange, type ChangeEvent, type EventAttribute, type ResourceInstance, type Snapshot, instanceId, expandFlatmap } from 'tfdrift'
import { createHash } from 'node:crypto'

/** Attributes whose value identifies an instance as well as its `id` does (aws_db_instance's id is its resource id). */
const LOOKUP_ATTRIBUTES = ['identifier', 'name', 'arn', 'bucket', 'function_name', 'cluster_identifier', 'table_name', 'key_id', 'url', 'self_link', 'email', 'unique_id', 'instance_id', 'allocation_id']

export interface Managed { inst: ResourceInstance; source: string }

/** Expected resources by (type, id-like value) and ARN, plus the accounts the states belong to. */
export class StateIndex {
  /** Type → id-like value → instance, and ARN → instance: nested maps, so a lookup builds no key string. */
  private readonly byType = new Map<string, Map<string, Managed>>()
  private readonly byArn = new Map<string, Managed>()
  readonly accounts = new Set<string>()
  readonly size: number

  constructor(expected: Iterable<Snapshot>) {
    let n = 0
    for (const snap of expected) {
      for (const inst of snap.resources) {
        if (inst.mode === 'data') {
          // aws_caller_identity says which account the state was applied to.
          const account = inst.attributes?.account_id
          if (inst.type === 'aws_caller_identity' && typeof account === 'string') this.accounts.add(account)
          continue
        }
        if (inst.deposed) continue
        n++
        const m = { inst, source: snap.source }
        const id = instanceId(inst)
        if (id) this.add(inst.type, id, m)
        const attrs = inst.attributes ?? {}
        for (const name of LOOKUP_ATTRIBUTES) {
          const v = attrs[name]
          if (typeof v === 'string' && v !== '' && v !== id) this.add(inst.type, v, m)
        }
        const arn = inst.arn ?? (typeof attrs.arn === 'string' ? attrs.arn : undefined)
        if (arn) {
          if (!this.byArn.has(arn)) this.byArn.set(arn, m)
          const account = /^arn:aws[\w-]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1]
          if (account) this.accounts.add(account)
        }
        const project = inst.type.startsWith('google_') ? (typeof attrs.project === 'string' ? attrs.project : undefined) : undefined
        if (project) this.accounts.add(project)
      }
    }
    this.size = n
  }

  private add(type: string, id: string, m: Managed): void {
    let ids = this.byType.get(type)
    if (!ids) this.byType.set(type, (ids = new Map()))
    if (!ids.has(id)) ids.set(id, m)
  }

  /** The managed instance of `type` with this id (or identifying attribute), or with this ARN. */
  find(type: string | undefined, id: string | undefined, arn: string | undefined): Managed | undefined {
    if (type && id) {
      const hit = this.byType.get(type)?.get(id)
      if (hit) return hit
    }
    if (arn) {
      const hit = this.byArn.get(arn)
      if (hit && (!type || hit.inst.type === type)) return hit
    }
    return undefined
  }

  /** True when the event's account is one of ours, or unknown on either side (see the module note). */
  ownsAccount(account: string | undefined): boolean {
    return !account || this.accounts.size === 0 || this.accounts.has(account)
  }
}

/** A target of an event: the primary type or one of its alternatives, resolved against state. */
export interface Target {
  type: string
  id?: string
  arn?: string
  attributes?: EventAttribute[]
  managed?: Managed
}

/** The first target (primary, then alternatives) a state manages; else the primary, unmanaged. */
export function targetOf(event: ChangeEvent, index: StateIndex): Target | undefined {
  if (!event.resource_type && !event.alternatives?.length) return undefined
  // The common call names one type and nothing else: no candidate list to build.
  if (event.resource_type && !event.alternatives?.length) {
    const t: Target = { type: event.resource_type }
    if (event.resource_id) t.id = event.resource_id
    if (event.arn) t.arn = event.arn
    if (event.attributes) t.attributes = event.attributes
    const managed = index.find(t.type, t.id, t.arn)
    if (managed) t.managed = managed
    return t
  }
  const candidates: Target[] = []
  if (event.resource_type) candidates.push({ type: event.resource_type, ...(event.resource_id ? { id: event.resource_id } : {}), ...(event.arn ? { arn: event.arn } : {}), ...(event.attributes ? { attributes: event.attributes } : {}) })
  for (const alt of event.alternatives ?? []) candidates.push({ type: alt.resource_type, ...(alt.resource_id ?? event.resource_id ? { id: alt.resource_id ?? event.resource_id } : {}), ...(alt.attributes ? { attributes: alt.attributes } : {}) })
  for (const c of candidates) {
    const managed = index.find(c.type, c.id, c.arn)
    if (managed) return { ...c, managed }
  }
  return candidates[0]
}

/** A JSON-safe deep copy (state attributes are JSON). */
const clone = <T>(v: T): T => (v === null || typeof v !== 'object' ? v : JSON.parse(JSON.stringify(v)) as T)

/** Digest of a value, as the sources compute it for sensitive attributes. */
export const digestOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

/** Sensitive values whose digest differs from the state's show as this; masking hides it anyway. */
export const CHANGED_SECRET = '(changed)'

function getPath(root: unknown, parts: string[]): unknown {
  let cur = root
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  return cur
}

/** Sets `value` at `parts` inside `root`, creating objects / one-element block lists on the way. */
function setPath(root: Record<string, unknown>, parts: string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = root
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!
    const nextIsIndex = /^\d+$/.test(parts[i + 1]!)
    let next = (cur as Record<string, unknown>)[key]
    if (next === null || typeof next !== 'object') {
      next = nextIsIndex ? [] : {}
      ;(cur as Record<string, unknown>)[key] = next
    }
    cur = next as Record<string, unknown>
  }
  ;(cur as Record<string, unknown>)[parts[parts.length - 1]!] = value
}

/** The list / map after adding or removing the call's items (set-like blocks: security group rules, tags). */
function merged(current: unknown, attr: EventAttribute): unknown {
  const value = attr.value
  if (Array.isArray(value)) {
    const list = Array.isArray(current) ? current : []
    const key = (x: unknown) => JSON.stringify(sortKeys(x))
    const items = new Set(value.map(key))
    if (attr.mode === 'remove') return list.filter((x) => !items.has(key(x)))
    const have = new Set(list.map(key))
    return [...list, ...value.filter((x) => !have.has(key(x)))]
  }
  if (value && typeof value === 'object') {
    const map = current && typeof current === 'object' && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {}
    for (const [k, v] of Object.entries(value)) {
      if (attr.mode === 'remove') delete map[k]
      else map[k] = v
    }
    return map
  }
  return value
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
  return v
}

/**
 * Lays the call's attribute values over `overlay` (top-level attribute → value as the calls left it),
 * starting from the state's value where the overlay has none yet. Returns the new overlay and the
 * sensitive paths it holds.
 */
export function applyAttributes(expected: Record<string, unknown>, overlay: Record<string, unknown>, attributes: EventAttribute[]): { overlay: Record<string, unknown>; sensitive: string[][] } {
  const out = { ...overlay }
  const sensitive: string[][] = []
  for (const attr of attributes) {
    const parts = attr.path.split('.')
    const top = parts[0]!
    if (!(top in out)) out[top] = clone(expected[top])
    const holder: Record<string, unknown> = { [top]: clone(out[top]) }
    const current = getPath(holder, parts)
    let value: unknown
    if (attr.sensitive) {
      value = attr.digest !== undefined && attr.digest === digestOf(getPath(expected, parts)) ? getPath(expected, parts) : CHANGED_SECRET
      sensitive.push(parts)
    } else value = attr.mode ? merged(current, attr) : attr.value
    if (parts.length === 1) holder[top] = value
    else {
      if (holder[top] === undefined || holder[top] === null) holder[top] = /^\d+$/.test(parts[1]!) ? [] : {}
      setPath(holder, parts, value)
    }
    out[top] = holder[top]
  }
  return { overlay: out, sensitive }
}

/** The state's attributes, flatmap expanded (v3 states), for overlaying. */
export function expectedAttributes(inst: ResourceInstance): Record<string, unknown> {
  return expandFlatmap(inst.attributes ?? {})
}

export type { AttributeChange }
