/**
 * Value converters named by mapping files (`"as": "tags"`): an audit record's request value → the
 * value Terraform keeps in state for that attribute. Each returns `undefined` when the record does not
 * carry the value (absent, or redacted by the cloud), so no attribute is claimed from a guess.
 */

/** Placeholders the clouds (and the corpus) put where a value was withheld: never a value the call set. */
const WITHHELD = new Set(['<sensitiveDataRemoved>', 'HIDDEN_DUE_TO_SECURITY_REASONS', 'REDACTED', '****', '(sensitive)', '<NA>'])

export type Converter = (value: unknown) => unknown

/** CloudTrail wraps EC2 lists as `{ items: [...] }`; everything else is already a list or a single value. */
export function itemsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value
  if (value && typeof value === 'object') {
    const items = (value as { items?: unknown }).items
    if (Array.isArray(items)) return items
    if (Object.keys(value).length === 0) return []
  }
  return undefined
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return undefined
}

function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'True' || v === 'TRUE') return true
  if (v === 'false' || v === 'False' || v === 'FALSE') return false
  return undefined
}

/** Tags as Terraform's `tags` map, from `{items:[{key,value}]}`, `[{Key,Value}]`, `{TagSet:[…]}` or a plain map. */
function tags(v: unknown): Record<string, string> | undefined {
  const list = itemsOf(v) ?? itemsOf((v as { tagSet?: unknown; TagSet?: unknown; Tagging?: { TagSet?: unknown } } | undefined)?.tagSet ?? (v as { TagSet?: unknown })?.TagSet)
  if (list) {
    const out: Record<string, string> = {}
    for (const t of list) {
      const o = (t ?? {}) as Record<string, unknown>
      const k = str(o.key ?? o.Key), val = str(o.value ?? o.Value ?? '')
      if (k !== undefined && val !== undefined) out[k] = val
    }
    return out
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x) ?? '']))
  return undefined
}

/** EC2 `ipPermissions` → Terraform `ingress` / `egress` rule objects (one per permission, as the provider groups them). */
function sgRules(v: unknown): unknown[] | undefined {
  const perms = itemsOf(v)
  if (!perms) return undefined
  return perms.map((p) => {
    const o = (p ?? {}) as Record<string, unknown>
    const ranges = itemsOf(o.ipRanges) ?? []
    const v6 = itemsOf(o.ipv6Ranges) ?? []
    const groups = itemsOf(o.groups) ?? []
    const prefixes = itemsOf(o.prefixListIds) ?? []
    const descriptions = [...ranges, ...v6, ...groups, ...prefixes].map((r) => str((r as Record<string, unknown>)?.description)).filter(Boolean)
    return {
      cidr_blocks: ranges.map((r) => str((r as Record<string, unknown>).cidrIp)).filter(Boolean),
      description: descriptions[0] ?? '',
      from_port: toNumber(o.fromPort) ?? 0,
      ipv6_cidr_blocks: v6.map((r) => str((r as Record<string, unknown>).cidrIpv6)).filter(Boolean),
      prefix_list_ids: prefixes.map((r) => str((r as Record<string, unknown>).prefixListId)).filter(Boolean),
      protocol: str(o.ipProtocol) ?? '-1',
      security_groups: groups.map((r) => str((r as Record<string, unknown>).groupId)).filter(Boolean),
      self: false,
      to_port: toNumber(o.toPort) ?? 0,
    }
  })
}

/** The flat legacy form of AuthorizeSecurityGroupIngress (`cidrIp`, `ipProtocol`, `fromPort`, `toPort` at top level). */
function sgRuleFlat(v: unknown): unknown[] | undefined {
  const o = (v ?? {}) as Record<string, unknown>
  if (!o.ipProtocol && !o.cidrIp) return undefined
  return sgRules([{ ipProtocol: o.ipProtocol, fromPort: o.fromPort, toPort: o.toPort, ipRanges: o.cidrIp ? [{ cidrIp: o.cidrIp }] : [] }])
}

/** A policy document: Terraform keeps the JSON string; CloudTrail sends it plain or URL-encoded. */
function json(v: unknown): unknown {
  if (typeof v === 'string') {
    const text = /^%7B/i.test(v) ? safeDecode(v) : v
    return text
  }
  return v && typeof v === 'object' ? JSON.stringify(v) : undefined
}

function safeDecode(v: string): string {
  try { return decodeURIComponent(v.replace(/\+/g, ' ')) } catch { return v }
}

function stringList(v: unknown): string[] | undefined {
  const list = itemsOf(v) ?? (typeof v === 'string' ? [v] : undefined)
  if (!list) return undefined
  return list.map((x) => (x && typeof x === 'object' ? str(Object.values(x)[0]) : str(x))).filter((x): x is string => x !== undefined)
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return undefined
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x) ?? JSON.stringify(x)]))
}

/** Converters by name; a mapping naming another fails validation (TFD_ERR_MAPPING_INVALID). */
export const CONVERTERS: Record<string, Converter> = {
  string: (v) => str(v),
  number: toNumber,
  bool: toBool,
  /** The opposite boolean (`EnableDnsSupport` vs `disable_*`). */
  not: (v) => { const b = toBool(v); return b === undefined ? undefined : !b },
  lower: (v) => str(v)?.toLowerCase(),
  upper: (v) => str(v)?.toUpperCase(),
  json,
  tags,
  string_list: stringList,
  string_map: stringMap,
  sg_rules: sgRules,
  sg_rule_flat: sgRuleFlat,
  /** Days from seconds (retention periods some APIs take in seconds). */
  days_from_seconds: (v) => { const n = toNumber(v); return n === undefined ? undefined : n / 86400 },
  raw: (v) => v,
}

/** Applies a converter, then drops values the cloud withheld. */
export function convert(name: string | undefined, value: unknown): unknown {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string' && WITHHELD.has(value)) return undefined
  const out = (CONVERTERS[name ?? 'raw'] ?? CONVERTERS.raw!)(value)
  return typeof out === 'string' && WITHHELD.has(out) ? undefined : out
}
