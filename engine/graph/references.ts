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

/**
 * Calls `visit(value, path)` for every candidate identifier in `attributes` (bounded per resource).
 * `path()` builds the dotted path lazily: most values match nothing, and building strings for them
 * dominated graph building on large states.
 */
export function forEachCandidate(attributes: Record<string, unknown>, visit: (value: string, path: () => string) => void): void {
  let budget = MAX_VALUES
  const stack: Array<string | number> = []
  const path = () => stack.join('.')
  const walk = (value: unknown, depth: number): void => {
    if (budget <= 0 || depth > MAX_DEPTH) return
    if (typeof value === 'string') {
      budget--
      if ((value.charCodeAt(0) === 123 || value.charCodeAt(0) === 91) && value.includes('arn:')) {
        // A JSON document (policy): look for ARNs inside instead of comparing the whole text.
        for (const m of value.matchAll(ARN_IN_TEXT)) visit(m[0].replace(/\/\*$/, ''), path)
      } else if (plausibleId(value)) visit(value, path)
      return
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        stack.push(i)
        walk(value[i], depth + 1)
        stack.pop()
      }
      return
    }
    if (value && typeof value === 'object') {
      for (const k in value) {
        if (depth === 0 && SKIP_KEYS.has(k)) continue
        stack.push(k)
        walk((value as Record<string, unknown>)[k], depth + 1)
        stack.pop()
      }
    }
  }
  walk(attributes, 0)
}

/** Every candidate identifier in `attributes`, with where it was found (see forEachCandidate). */
export function candidateReferences(attributes: Record<string, unknown>): FoundReference[] {
  const out: FoundReference[] = []
  forEachCandidate(attributes, (value, path) => out.push({ value, path: path() }))
  return out
}
