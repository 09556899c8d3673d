/**
 * The dashboard's REST client: every call carries the bearer token and unwraps the server's
 * `{ success, data }` envelope, so callers see data or an `ApiError` with the HTTP status (401 drives
 * the token prompt, 403 hides admin actions).
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

export interface Api {
  readonly base: string
  readonly token?: string
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>
  post<T>(path: string, body?: unknown): Promise<T>
  /** GET of a binary under `/api/v1` (a change set's zip), with the token. */
  blob(path: string): Promise<Blob>
}

export interface ApiOptions {
  /** Origin of the server (default: the page's). */
  base?: string
  token?: string
  fetch?: typeof fetch
}

/** Creates a client for `/api/v1/…` paths (pass the path without the prefix). */
export function createApi(options: ApiOptions = {}): Api {
  const base = options.base ?? globalThis.location?.origin ?? ''
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const headers = (json: boolean): Record<string, string> => ({
    accept: 'application/json',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  })
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await doFetch(`${base}/api/v1${path}`, {
      method,
      headers: headers(body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    let parsed: { success?: boolean; data?: T; error?: { code?: string; message?: string } } | undefined
    try {
      parsed = await response.json()
    } catch {
      parsed = undefined
    }
    if (!response.ok || !parsed || parsed.success === false) {
      const error = parsed?.error
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `${method} ${path} answered ${response.status}.`)
    }
    return parsed.data as T
  }
  return {
    base,
    token: options.token,
    get: (path, query) => call('GET', path + queryString(query)),
    post: (path, body) => call('POST', path, body ?? {}),
    blob: async (path) => {
      const response = await doFetch(`${base}/api/v1${path}`, { headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) } })
      if (!response.ok) throw new ApiError(response.status, 'http_error', `GET ${path} answered ${response.status}.`)
      return response.blob()
    },
  }
}

function queryString(query?: Record<string, string | number | undefined>): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v))
  const s = params.toString()
  return s ? `?${s}` : ''
}

/** `/state/resources/:address` and friends take the address URL-encoded as one segment. */
export const segment = (value: string): string => encodeURIComponent(value)
