/** Small display helpers shared by the panels. */

/** A value as the API returned it (already masked when sensitive); objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '—'
  if (value === null) return 'null'
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

export function showTime(iso?: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

/** The role session of an assumed-role ARN (`arn:aws:sts::1:assumed-role/Role/session`). */
export function roleSession(arn?: string): { role?: string; session?: string } {
  const m = arn?.match(/assumed-role\/([^/]+)\/(.+)$/)
  return m ? { role: m[1], session: m[2] } : {}
}

export function round(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits)
}
