/**
 * Environment-variable interpolation for JSON/YAML configs: `${VAR}` and `${VAR:-default}` inside
 * strings (`$${` escapes a literal `${`). TypeScript configs read `process.env` themselves.
 * An unset variable without a default becomes a Problem, never a crash, so `validate` lists it
 * together with every other issue.
 */
import type { Problem } from '../errors.ts'

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** Replaces `${VAR}` / `${VAR:-default}` in every string of `value`; returns a new value and the problems. */
export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined> = process.env,
  file?: string,
): { value: unknown; problems: Problem[] } {
  const problems: Problem[] = []
  const walk = (node: unknown, pointer: string): unknown => {
    if (typeof node === 'string') return replaceIn(node, pointer)
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${pointer}/${i}`))
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, `${pointer}/${escapePointer(key)}`)
      return out
    }
    return node
  }
  const replaceIn = (text: string, pointer: string): string =>
    text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${'
      const found = env[name!]
      if (found !== undefined && found !== '') return found
      if (fallback !== undefined) return fallback
      problems.push({
        code: 'TFD_ERR_CONFIG_ENV',
        file,
        pointer,
        message: `environment variable ${name} is not set`,
        hint: `export ${name}=… before starting tfdrift, or write \${${name}:-default} to give a default`,
      })
      return ''
    })
  return { value: walk(value, ''), problems }
}
