/**
 * Terraform's `http` backend (GitLab managed state and similar): `GET <address>` with optional basic
 * auth and custom headers. Conditional requests (`If-None-Match`) skip unchanged states.
 */
import { TfdriftError } from '../../errors.ts'
import { displayUrl, withTimeout, type FetchOptions, type FetchResult, type StateSource } from './types.ts'

/** Where and how to GET a state over HTTP. */
export interface HttpSourceOptions {
  /** The state URL (GitLab: `https://gitlab.com/api/v4/projects/<id>/terraform/state/<name>`). */
  address: string
  username?: string
  password?: string
  /** Extra request headers (e.g. `PRIVATE-TOKEN`, `Authorization`). Values are never logged. */
  headers?: Record<string, string>
  /** Per-request timeout in ms (default 30 000). */
  timeout_ms?: number
}

/** Maps an HTTP status of a state backend to a coded error naming the source. */
export function statusError(id: string, status: number, what = 'state'): TfdriftError {
  if (status === 401 || status === 403) return new TfdriftError('TFD_ERR_SOURCE_AUTH', `${id}: the backend refused the credentials (HTTP ${status}).`)
  if (status === 404 || status === 410) return new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${id}: no ${what} there (HTTP ${status}).`)
  return new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: the backend answered HTTP ${status}.`)
}

/** Wraps a network failure (DNS, refused, reset, timeout) without echoing request details. */
export function networkError(id: string, err: unknown): TfdriftError {
  const e = err as { name?: string; cause?: { code?: string }; code?: string }
  const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out or aborted' : (e.cause?.code ?? e.code ?? 'network error')
  return new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: cannot reach the backend (${reason}).`, { cause: err })
}

/** A state behind an HTTP GET. */
export function httpSource(opts: HttpSourceOptions): StateSource {
  const id = displayUrl(opts.address)
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) }
  if (opts.username !== undefined || opts.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${opts.username ?? ''}:${opts.password ?? ''}`).toString('base64')}`
  }
  return {
    id,
    async fetch(f: FetchOptions = {}): Promise<FetchResult> {
      let res: Response
      try {
        res = await fetch(opts.address, {
          headers: f.ifVersion ? { ...headers, 'if-none-match': f.ifVersion } : headers,
          signal: withTimeout(f.signal, opts.timeout_ms ?? 30_000),
          redirect: 'follow',
        })
      } catch (err) {
        throw networkError(id, err)
      }
      const version = res.headers.get('etag') ?? undefined
      if (res.status === 304) return { not_modified: true, version: f.ifVersion }
      if (res.status === 204) {
        await res.body?.cancel()
        throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${id}: the backend holds no state yet (HTTP 204).`)
      }
      if (!res.ok) {
        await res.body?.cancel()
        throw statusError(id, res.status)
      }
      const body = Buffer.from(await res.arrayBuffer())
      return { not_modified: false, body, ...(version ? { version } : {}) }
    },
  }
}
