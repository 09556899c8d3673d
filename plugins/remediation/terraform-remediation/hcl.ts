/**
 * HCL and shell rendering for remediation plans: addresses with correctly quoted string keys, HCL
 * literals with template sequences escaped, and shell-safe `-target` arguments.
 */
import { formatIndexKey, parseAddress, type ParsedAddress } from '../../../engine/terraform/address.ts'

/** An HCL string literal: JSON escapes plus `${`/`%{` escaped so values are never interpolated. */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** An HCL literal for a JSON-like value (objects with non-identifier keys get quoted keys). */
export function hclValue(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return hclString(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${inner}${hclValue(v, inner)},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return '{}'
  return `{\n${entries.map(([k, v]) => `${inner}${IDENT.test(k) ? k : hclString(k)} = ${hclValue(v, inner)}`).join('\n')}\n${indent}}`
}

/**
 * Parses and re-renders an address so every string key is a valid HCL string (`["a\"b"]`);
 * undefined when the address is not a Terraform address.
 */
export function canonicalAddress(address: string | undefined): ParsedAddress & { text: string } | undefined {
  if (!address) return undefined
  try {
    const parsed = parseAddress(address)
    const modules = parsed.modules.map((m) => `module.${m.name}${formatIndexKey(m.key)}.`).join('')
    return { ...parsed, text: `${modules}${parsed.mode === 'data' ? 'data.' : ''}${parsed.type}.${parsed.name}${formatIndexKey(parsed.index_key)}` }
  } catch {
    return undefined
  }
}

/** True when the address (or any module on its path) carries an instance key. */
export function hasInstanceKey(parsed: ParsedAddress): boolean {
  return parsed.index_key !== undefined || parsed.modules.some((m) => m.key !== undefined)
}

/** A single-quoted shell word (`'a'\''b'`), safe for any address. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** A resource name for an unmanaged object, derived from its id: `i-0ab…` → `i_0ab…`, `app/arn:…/ReadOnly` → `app_readonly`. */
export function resourceNameFor(id: string | undefined, fallback: string): string {
  // ARNs: their last segment; composite import ids (`role/policy-arn`): first and last segments.
  const raw = id ?? fallback
  const parts = raw.split(/[:/]/).filter(Boolean)
  const base = raw.startsWith('arn:') || parts.length < 2 ? parts.pop() ?? fallback : `${parts[0]}_${parts[parts.length - 1]}`
  let name = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '').toLowerCase()
  if (!name) name = fallback
  if (!/^[a-z_]/.test(name)) name = `r_${name}`
  return name.slice(0, 64)
}

/** A comment block: every line prefixed with `# `. */
export function comment(lines: string[]): string {
  return lines.map((l) => (l ? `# ${l}` : '#')).join('\n')
}
