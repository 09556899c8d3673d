/**
 * Finds references between resources in attribute values: `vpc_id = "vpc-1"`, `subnet_ids = [...]`,
 * `role_arn = "arn:aws:iam::…"`, and ARNs inside JSON documents (IAM policies). A value counts as a
 * reference when it equals another resource's id or ARN; the attribute name is not needed, which
 * catches provider-specific names (`execution_role_arn`, `network_interface_ids`, `kms_key_id` …).
 */

/** One reference found in `attributes`: the value and the dotted path it sat at. */
export interface FoundReference {
  value: string
  path: string
}

/** Attributes that hold the resource's own identity or plain account/region data, never a link. */
const SKIP_KEYS = new Set(['id', 'arn', 'owner_id', 'account_id', 'region', 'availability_zone', 'tags', 'tags_all', 'name', 'description'])
const ARN_IN_TEXT = /arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:[0-9]*:[^"'\s,\]}]+/g
const MAX_VALUES = 5000
const MAX_DEPTH = 8

/** True for values too generic to be an identifier (`true`, `80`, `default`). */
export function plausibleId(v: string): boolean {
  if (v.length < 4 || v.length > 2048) return false
  if (v === 'true' || v === 'false' || v === 'null') return false
  if (/^\d{1,6}$/.test(v)) return false
  return true
}

/** Every candidate identifier in `attributes`, with where it was found; bounded per resource. */
export function candidateReferences(attributes: Record<string, unknown>): FoundReference[] {
  const out: FoundReference[] = []
  let budget = MAX_VALUES
  const visit = (value: unknown, path: string, depth: number): void => {
    if (budget <= 0 || depth > MAX_DEPTH) return
    if (typeof value === 'string') {
      budget--
      if ((value.startsWith('{') || value.startsWith('[')) && value.includes('arn:')) {
        // A JSON document (policy): look for ARNs inside instead of comparing the whole text.
        for (const m of value.matchAll(ARN_IN_TEXT)) out.push({ value: m[0].replace(/\/\*$/, ''), path })
      } else if (plausibleId(value)) out.push({ value, path })
      return
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, path ? `${path}.${i}` : String(i), depth + 1))
      return
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (depth === 0 && SKIP_KEYS.has(k)) continue
        visit(v, path ? `${path}.${k}` : k, depth + 1)
      }
    }
  }
  visit(attributes, '', 0)
  return out
}
