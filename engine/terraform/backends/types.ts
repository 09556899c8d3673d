/**
 * Where state bytes come from. Every backend turns into `StateSource`s: a display name that never
 * holds credentials, and a `fetch` that can skip the download when nothing changed.
 */

/** The result of one fetch: the bytes, or `not_modified` when `ifVersion` still matches. */
export type FetchResult =
  | { not_modified: false; body: Buffer; /** Opaque change token (ETag, state-version id, mtime). */ version?: string }
  | { not_modified: true; version?: string }

/** Options of one fetch. */
export interface FetchOptions {
  /** The `version` of the last good fetch; a source that can tell answers `not_modified` when unchanged. */
  ifVersion?: string
  signal?: AbortSignal
}

/** One state document somewhere. */
export interface StateSource {
  /** Display name for logs, errors and `Snapshot.source`: `s3://bucket/key`, a path, a URL without userinfo or query. */
  readonly id: string
  fetch(opts?: FetchOptions): Promise<FetchResult>
}

/** A URL for display: no userinfo, no query string (signed URLs carry tokens there), no fragment. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw)
    u.username = ''
    u.password = ''
    u.search = ''
    u.hash = ''
    return u.toString()
  } catch {
    return '(invalid URL)'
  }
}

/** Combines the caller's signal with a timeout. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}
