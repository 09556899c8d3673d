/**
 * Applies the mapping table to one audit record: which entry matches (event name, then eventSource /
 * when / unless), the Terraform id and ARN, the operation, and the Terraform attribute values the call
 * set. Pure and allocation-light: it runs once per ingested record on the hot path.
 */
import { createHash } from 'node:crypto'
import type { EventAttribute, EventTarget } from '../../model.ts'
import { convert } from './convert.ts'
import { mappingTable, type AttributeRule, type MappingEntry, type Op } from './table.ts'

export interface AuditRecord {
  eventName: string
  eventSource?: string
  awsRegion?: string
  recipientAccountId?: string
  requestParameters?: unknown
  responseElements?: unknown
  /** GCP: the audit log's resourceName, read by `resource:` expressions segment by segment. */
  resourceName?: string
}

export interface Mapped {
  resource_type?: string
  resource_id?: string
  arn?: string
  operation?: Op
  attributes?: EventAttribute[]
  alternatives?: EventTarget[]
}

/** EC2 id prefix → Terraform type, for calls (tags) that name any EC2 resource. */
const EC2_PREFIX: Array<[string, string]> = [
  ['i-', 'aws_instance'], ['sg-', 'aws_security_group'], ['vpc-', 'aws_vpc'], ['subnet-', 'aws_subnet'], ['vol-', 'aws_ebs_volume'],
  ['ami-', 'aws_ami'], ['snap-', 'aws_ebs_snapshot'], ['igw-', 'aws_internet_gateway'], ['rtb-', 'aws_route_table'], ['acl-', 'aws_network_acl'],
  ['eni-', 'aws_network_interface'], ['nat-', 'aws_nat_gateway'], ['eipalloc-', 'aws_eip'], ['lt-', 'aws_launch_template'], ['tgw-attach-', 'aws_ec2_transit_gateway_vpc_attachment'],
  ['tgw-', 'aws_ec2_transit_gateway'], ['pcx-', 'aws_vpc_peering_connection'], ['vpce-', 'aws_vpc_endpoint'], ['dopt-', 'aws_vpc_dhcp_options'],
  ['cgw-', 'aws_customer_gateway'], ['vgw-', 'aws_vpn_gateway'], ['vpn-', 'aws_vpn_connection'], ['fl-', 'aws_flow_log'], ['pl-', 'aws_ec2_managed_prefix_list'],
]

/** The Terraform type an EC2-style id belongs to (`sg-0ab…` → `aws_security_group`). */
export function typeOfEc2Id(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined
  return EC2_PREFIX.find(([p]) => id.startsWith(p))?.[1]
}

/** Reads a dotted path; `*` maps over a list (or `{items:[…]}`), numbers index lists. */
export function readPath(value: unknown, parts: readonly string[], from = 0): unknown {
  let cur = value
  for (let i = from; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined
    const part = parts[i]!
    if (part === '*') {
      const list = Array.isArray(cur) ? cur : (cur as { items?: unknown }).items
      if (!Array.isArray(list)) return undefined
      return list.map((x) => readPath(x, parts, i + 1)).filter((x) => x !== undefined)
    }
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

const parsedPaths = new Map<string, string[]>()
const split = (path: string) => {
  let parts = parsedPaths.get(path)
  if (!parts) parsedPaths.set(path, (parts = path === '' ? [] : path.split('.')))
  return parts
}

/** GCP resource names as segment pairs (`projects/p/zones/z/instances/i` → projects: p, zones: z, instances: i, name: i). */
function resourceParts(name: string | undefined): Record<string, string> | undefined {
  if (!name) return undefined
  const segs = name.replace(/^\/\/[^/]+\//, '').split('/')
  const out: Record<string, string> = { full: name, name: segs[segs.length - 1] ?? '' }
  // Every segment names the one after it: collections may sit at odd positions (`projects/p/global/firewalls/f`).
  for (let i = 0; i + 1 < segs.length; i++) if (!(segs[i]! in out)) out[segs[i]!] = segs[i + 1]!
  return out
}

interface Scope { record: AuditRecord; resource?: Record<string, string> | undefined }

function root(scope: Scope, kind: string): unknown {
  switch (kind) {
    case 'request': return scope.record.requestParameters
    case 'response': return scope.record.responseElements
    case 'resource': return (scope.resource ??= resourceParts(scope.record.resourceName))
    case 'record': return scope.record
    default: return undefined
  }
}

/**
 * One expression: `request:a.b|name`, `const:x`, or a template whose every placeholder must resolve.
 * `whole` keeps a list value whole (attribute values); otherwise its first item stands for it (ids).
 */
export function evaluate(expr: string, scope: Scope, whole = false): unknown {
  if (expr.includes('{')) {
    let ok = true
    const out = expr.replace(/\{([a-z]+:[^}]+)\}/g, (_, inner: string) => {
      const v = evaluate(inner, scope)
      if (typeof v === 'number') return String(v)
      if (typeof v !== 'string' || v === '') { ok = false; return '' }
      return v
    })
    return ok ? out : undefined
  }
  const colon = expr.indexOf(':')
  const kind = expr.slice(0, colon)
  let rest = expr.slice(colon + 1)
  if (kind === 'const') return rest
  const pipe = rest.indexOf('|')
  const filter = pipe >= 0 ? rest.slice(pipe + 1) : undefined
  if (pipe >= 0) rest = rest.slice(0, pipe)
  let v = readPath(root(scope, kind), split(rest))
  if (Array.isArray(v) && ((!whole && filter !== 'all') || filter === 'first')) v = v.find((x) => x !== undefined && x !== null && x !== '')
  if (filter === 'name' && typeof v === 'string') v = v.replace(/\/+$/, '').split(/[:/]/).pop()
  else if (filter === 'lower' && typeof v === 'string') v = v.toLowerCase()
  // S3 virtual-host style: `bucket.s3.eu-west-1.amazonaws.com` → `bucket`.
  else if (filter === 'host_bucket') v = typeof v === 'string' ? /^(.+?)\.s3[.-]/.exec(v)?.[1] : undefined
  return v
}

function firstValue(exprs: string | string[], scope: Scope, whole = false): unknown {
  for (const e of typeof exprs === 'string' ? [exprs] : exprs) {
    const v = evaluate(e, scope, whole)
    if (v !== undefined && v !== null && v !== '') return v
  }
  return undefined
}

function idOf(exprs: string | string[], scope: Scope): string | undefined {
  const v = firstValue(exprs, scope)
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

function attributesOf(rules: AttributeRule[] | undefined, scope: Scope): EventAttribute[] | undefined {
  if (!rules?.length) return undefined
  const out: EventAttribute[] = []
  for (const rule of rules) {
    let value = convert(rule.as, firstValue(rule.from, scope, true))
    if (value !== undefined && rule.map) value = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? rule.map[String(value)] ?? value : value
    if (value === undefined) continue
    const attr: EventAttribute = rule.sensitive ? { path: rule.path, digest: digest(value), sensitive: true } : { path: rule.path, value }
    if (rule.mode && rule.mode !== 'set') attr.mode = rule.mode
    out.push(attr)
  }
  return out.length ? out : undefined
}

/**
 * The entry for a record: the first whose event_source / when / unless fit. When no entry names the
 * record's eventSource but only one service maps the name at all, that service's entries apply: the
 * source only tells services apart, and real records (replays, test tooling) carry odd sources.
 */
export function entryFor(provider: 'aws' | 'google', record: AuditRecord, scope: Scope = { record }): MappingEntry | undefined {
  const entries = mappingTable()[provider].get(record.eventName)
  if (!entries) return undefined
  const fits = (e: MappingEntry) => !(e.when && isBlank(evaluate(e.when, scope))) && !(e.unless && !isBlank(evaluate(e.unless, scope)))
  const src = record.eventSource
  for (const e of entries) if ((!e.event_source || !src || e.event_source === src) && fits(e)) return e
  const services = new Set(entries.map((e) => e.event_source))
  if (services.size === 1) for (const e of entries) if (fits(e)) return e
  return undefined
}

const isBlank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)

/** What the mapping table says about a record; `{}` when no entry matches. */
export function mapRecord(provider: 'aws' | 'google', record: AuditRecord): Mapped {
  const scope: Scope = { record }
  const entry = entryFor(provider, record, scope)
  if (!entry) return {}
  const out: Mapped = { operation: entry.op }
  const id = idOf(entry.id, scope)
  const type = entry.type_by_id_prefix ? typeOfEc2Id(id) : entry.type
  if (type) out.resource_type = type
  if (id) {
    out.resource_id = id
    if (id.startsWith('arn:')) out.arn = id
    else if (entry.arn) {
      // An ARN missing the region or account its template needs would never match anything: leave it out.
      const needsMissing = (entry.arn.includes('{region}') && !record.awsRegion) || (entry.arn.includes('{account}') && !record.recipientAccountId)
      if (!needsMissing) out.arn = entry.arn.replace('{id}', id).replace('{region}', record.awsRegion ?? '').replace('{account}', record.recipientAccountId ?? '')
    }
  }
  const attributes = attributesOf(entry.attributes, scope)
  if (attributes) out.attributes = attributes
  if (entry.also?.length) {
    const alternatives: EventTarget[] = []
    for (const t of entry.also) {
      const altId = t.id ? idOf(t.id, scope) : id
      const attrs = attributesOf(t.attributes, scope)
      alternatives.push({ resource_type: t.type, ...(altId ? { resource_id: altId } : {}), ...(attrs ? { attributes: attrs } : {}) })
    }
    out.alternatives = alternatives
  }
  return out
}
