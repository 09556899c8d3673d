/**
 * The one HCL encoder of remediation output (per-drift plans and change sets): string literals with
 * template sequences escaped, values as HCL expressions (no heredocs), attribute and block bodies,
 * addresses with correctly quoted string keys, shell-safe `-target` words — and `formatHcl`, which lines
 * up `=` the way `terraform fmt` does, so generated files are fmt-clean.
 */
import { formatIndexKey, parseAddress, type ParsedAddress } from '../terraform/address.ts'

/**
 * An HCL string literal: JSON escapes, except that control characters are written `\uNNNN` (HCL has no
 * `\b`/`\f`), and `${` / `%{` escaped as `$${` / `%%{` so a value is never interpolated.
 */
export function hclString(value: string): string {
  return JSON.stringify(value)
    .replace(/\\[bf]/g, (esc) => (esc === '\\b' ? '\\u0008' : '\\u000c'))
    .replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/
/** Words that open another construct where an object key would stand (`{ for = 1 }` starts a for expression). */
const KEYWORDS = new Set(['for', 'if', 'in', 'true', 'false', 'null'])

/** An object key or attribute name: bare when it is an identifier, else a quoted string. */
export function hclKey(key: string): string {
  return IDENT.test(key) && !KEYWORDS.has(key) ? key : hclString(key)
}

/** True when `name` can stand bare as an attribute or block name. */
export function isIdentifier(name: string): boolean {
  return IDENT.test(name)
}

/** An HCL expression for a JSON-like value: lists and objects one item per line, `indent` being the current line's. */
export function hclValue(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return hclString(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'boolean') return String(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${inner}${hclValue(v, inner)},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return '{}'
  return `{\n${entries.map(([k, v]) => `${inner}${hclKey(k)} = ${hclValue(v, inner)}`).join('\n')}\n${indent}}`
}

/** One `name = value` line (or lines) of a body at `indent`. */
export function hclAttribute(name: string, value: unknown, indent: string): string {
  return `${indent}${hclKey(name)} = ${hclValue(value, indent)}`
}

/**
 * Lines up the `=` of consecutive one-line attributes as `terraform fmt` does (hclwrite's rule: a run of
 * lines whose `=` starts a complete expression; a line that opens a bracket, a comment or a blank line
 * ends the run), and trims trailing spaces. Input must be HCL this module wrote.
 */
export function formatHcl(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/[ \t]+$/, ''))
  const parsed = lines.map(assignment)
  let start = -1
  const close = (end: number) => {
    if (start < 0) return
    const width = Math.max(...parsed.slice(start, end).map((p) => p!.lead.length))
    for (let i = start; i < end; i++) {
      const p = parsed[i]!
      lines[i] = `${p.lead.padEnd(width)} = ${p.rest}`
    }
    start = -1
  }
  for (let i = 0; i < lines.length; i++) {
    if (parsed[i]) { if (start < 0) start = i } else close(i)
  }
  close(lines.length)
  return lines.join('\n')
}

/** `lead = rest` when the line assigns a complete one-line expression (brackets balanced outside strings). */
function assignment(line: string): { lead: string; rest: string } | undefined {
  const m = /^(\s*(?:[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*"))\s*=\s*(.*)$/.exec(line)
  if (!m || m[2]!.startsWith('=') || m[2]!.startsWith('>')) return undefined
  let depth = 0
  let inString = false
  const rest = m[2]!
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '#') break
    else if ('[{('.includes(c)) depth++
    else if (']})'.includes(c)) depth--
  }
  return depth === 0 ? { lead: m[1]!, rest } : undefined
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

/** A comment block: every line prefixed with `# `; line breaks inside a line stay comments. */
export function comment(lines: string[]): string {
  return lines.flatMap((l) => l.split(/\r?\n/)).map((l) => (l ? `# ${l}` : '#')).join('\n')
}
