/**
 * HCP Terraform / Terraform Enterprise: the workspace's current state version
 * (`GET /api/v2/workspaces/{id}/current-state-version`, JSON:API), then its
 * `hosted-state-download-url`. The state-version id is the change token, so an unchanged workspace
 * costs one small API call per refresh and no download.
 */
import { TfdriftError } from '../../errors.ts'
import { networkError, statusError } from './http.ts'
import { withTimeout, type FetchOptions, type FetchResult, type StateSource } from './types.ts'

/** Which HCP Terraform / TFE workspace, and the token to read it. */
export interface TfcSourceOptions {
  /** API token (user, team or organization token). Never logged. */
  token: string
  /** `https://app.terraform.io` (default) or a TFE hostname URL. */
  address?: string
  /** `ws-…`; or give `organization` + `workspace` (name) and the id is looked up. */
  workspace_id?: string
  organization?: string
  workspace?: string
  timeout_ms?: number
}

type Json = Record<string, unknown>

/** A TFC/TFE workspace's current state. */
export function tfcSource(opts: TfcSourceOptions): StateSource {
  const base = (opts.address ?? 'https://app.terraform.io').replace(/\/+$/, '')
  const host = new URL(base).host
  const label = opts.workspace_id ?? `${opts.organization ?? '?'}/${opts.workspace ?? '?'}`
  const id = `tfc://${host}/${label}`
  if (!opts.workspace_id && !(opts.organization && opts.workspace)) {
    throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', `${id}: give tfc.workspace_id, or tfc.organization and tfc.workspace.`)
  }
  let workspaceId = opts.workspace_id
  const timeout = opts.timeout_ms ?? 30_000

  const get = async (url: string, signal: AbortSignal | undefined, what: string, auth: boolean): Promise<Response> => {
    let res: Response
    try {
      res = await fetch(url, {
        headers: { accept: 'application/vnd.api+json', ...(auth ? { authorization: `Bearer ${opts.token}` } : {}) },
        signal: withTimeout(signal, timeout),
        redirect: 'follow',
      })
    } catch (err) {
      throw networkError(id, err)
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw statusError(id, res.status, what)
    }
    return res
  }
  const json = async (res: Response, what: string): Promise<Json> => {
    try {
      return (await res.json()) as Json
    } catch (err) {
      throw new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: the ${what} response is not JSON.`, { cause: err })
    }
  }

  return {
    id,
    async fetch(f: FetchOptions = {}): Promise<FetchResult> {
      if (!workspaceId) {
        const url = `${base}/api/v2/organizations/${encodeURIComponent(opts.organization!)}/workspaces/${encodeURIComponent(opts.workspace!)}`
        const ws = await json(await get(url, f.signal, 'workspace', true), 'workspace')
        const wid = (ws.data as Json | undefined)?.id
        if (typeof wid !== 'string') throw new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: the workspace response has no data.id.`)
        workspaceId = wid
      }
      const sv = await json(await get(`${base}/api/v2/workspaces/${encodeURIComponent(workspaceId)}/current-state-version`, f.signal, 'state version', true), 'state version')
      const data = sv.data as Json | undefined
      const attrs = (data?.attributes ?? {}) as Json
      const version = typeof data?.id === 'string' ? data.id : undefined
      if (version && f.ifVersion === version) return { not_modified: true, version }
      const download = attrs['hosted-state-download-url']
      if (typeof download !== 'string' || !download) {
        throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${id}: the current state version has no hosted-state-download-url (state still uploading?).`)
      }
      const target = new URL(download, base)
      // The token goes only to the API's own origin; archivist URLs are pre-signed.
      const res = await get(target.toString(), f.signal, 'state', target.origin === new URL(base).origin)
      const body = Buffer.from(await res.arrayBuffer())
      return { not_modified: false, body, ...(version ? { version } : {}) }
    },
  }
}
