/**
 * Attribute paths as Terraform writes them, turned into plain `(string | number)[]` lists:
 * state `sensitive_attributes` (cty path steps) and plan JSON `*_sensitive` / `after_unknown`
 * (a mirror of the value with `true` where the flag applies).
 */

/** What replaces a sensitive value (outputs, masked attributes) in snapshots. */
export const SENSITIVE_MASK = '(sensitive value)'

/** An attribute path: object keys and list indexes. */
export type AttrPath = Array<string | number>

/**
 * One cty path step as state v4 writes it: `{type:'get_attr',value:'x'}` or
 * `{type:'index',value:{value:0,type:'number'}}` (also `{value:'k',type:'string'}` for map keys).
 */
function stepOf(step: unknown): string | number | undefined {
  if (typeof step === 'string' || typeof step === 'number') return step
  if (!step || typeof step !== 'object') return undefined
  const s = step as { type?: unknown; value?: unknown }
  if (s.type === 'get_attr' && typeof s.value === 'string') return s.value
  if (s.type === 'index') {
    const v = s.value as { value?: unknown; type?: unknown } | string | number | undefined
    if (typeof v === 'string' || typeof v === 'number') return v
    if (v && typeof v === 'object') {
      if (typeof v.value === 'number') return v.value
      if (typeof v.value === 'string') return v.type === 'number' ? Number(v.value) : v.value
    }
  }
  return undefined
}

/** Splits a dotted path (`a.b.0`) into steps; numeric segments become numbers. */
export function splitDotted(path: string): AttrPath {
  return path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

/**
 * Reads every known shape of `sensitive_attributes`:
 * - list of cty step lists (Terraform 0.15 – 1.x state),
 * - list of dotted strings,
 * - a nested `true` mirror (plan JSON style, and what some newer tools write).
 * Unknown shapes yield no paths rather than an error: losing a mask hint must not block reading.
 */
export function sensitivePathsFromState(value: unknown): AttrPath[] {
  if (Array.isArray(value)) {
    const out: AttrPath[] = []
    for (const entry of value) {
      if (typeof entry === 'string') out.push(splitDotted(entry))
      else if (Array.isArray(entry)) {
        const path: AttrPath = []
        let ok = true
        for (const step of entry) {
          const s = stepOf(step)
          if (s === undefined) {
            ok = false
            break
          }
          path.push(s)
        }
        if (ok && path.length > 0) out.push(path)
      } else if (entry && typeof entry === 'object') {
        out.push(...pathsFromMirror(entry))
      }
    }
    return out
  }
  if (value && typeof value === 'object') return pathsFromMirror(value)
  return []
}

/** Paths where a plan-style mirror (`{a: true, b: [false, true], c: {d: true}}`) holds `true`. A bare `true` is the whole value: `[[]]`. */
export function pathsFromMirror(mirror: unknown, prefix: AttrPath = []): AttrPath[] {
  if (mirror === true) return [prefix]
  const out: AttrPath[] = []
  if (Array.isArray(mirror)) {
    mirror.forEach((m, i) => out.push(...pathsFromMirror(m, [...prefix, i])))
  } else if (mirror && typeof mirror === 'object') {
    for (const [k, m] of Object.entries(mirror)) out.push(...pathsFromMirror(m, [...prefix, k]))
  }
  return out
}
