/**
 * State locations written as one string, for `tfdrift scan --state …` and scripts:
 * - `path/to/terraform.tfstate`, a directory, or a glob;
 * - `s3://bucket/key.tfstate`, `s3://bucket/prefix/` (every `*.tfstate` below), with optional
 *   `?region=…&endpoint=…&force_path_style=true`; credentials come from the AWS default chain;
 * - `https://…` (HTTP backend; basic auth from `TF_HTTP_USERNAME` / `TF_HTTP_PASSWORD` like Terraform);
 * - `tfc://<organization>/<workspace>` or `tfc://<host>/<organization>/<workspace>` or `tfc://ws-…`
 *   (token from `TF_TOKEN_<host>` as Terraform CLI uses it, else `TFC_TOKEN` / `TFE_TOKEN`).
 */
import { TfdriftError } from '../../errors.ts'
import type { Snapshot } from '../../model.ts'
import { parseState } from '../state.ts'
import { readObserved } from '../snapshot.ts'
import { expandStatePaths, fileSource } from './files.ts'
import { httpSource } from './http.ts'
import { s3Sources } from './s3.ts'
import { tfcSource } from './tfc.ts'
import type { StateSource } from './types.ts'

/** Where relative paths start and which environment supplies tokens. */
export interface UriOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  timeout_ms?: number
}

/** True when the string names a remote location rather than a local path. */
export function isRemoteUri(arg: string): boolean {
  return /^(s3|https?|tfc):\/\//i.test(arg)
}

function tfcToken(host: string, env: NodeJS.ProcessEnv): string | undefined {
  // Terraform CLI: TF_TOKEN_app_terraform_io (dots → underscores, dashes → double underscores).
  const name = `TF_TOKEN_${host.replace(/-/g, '__').replace(/\./g, '_')}`
  return env[name] ?? env.TFC_TOKEN ?? env.TFE_TOKEN
}

/** The state sources one location string names (a directory or glob or S3 prefix may name many). */
export async function sourcesFromUri(arg: string, opts: UriOptions = {}): Promise<StateSource[]> {
  const env = opts.env ?? process.env
  const timeout_ms = opts.timeout_ms ?? 30_000
  if (/^s3:\/\//i.test(arg)) {
    const u = new URL(arg)
    const bucket = u.hostname
    const path = decodeURIComponent(u.pathname.replace(/^\//, ''))
    if (!bucket) throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${arg}: write s3://bucket/key.tfstate or s3://bucket/prefix/.`)
    const q = u.searchParams
    const region = q.get('region') ?? undefined
    const endpoint = q.get('endpoint') ?? undefined
    return s3Sources({
      bucket,
      ...(path === '' || path.endsWith('/') ? { prefix: path } : { key: path }),
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(q.get('force_path_style') === 'true' ? { force_path_style: true } : {}),
    })
  }
  if (/^https?:\/\//i.test(arg)) {
    const username = env.TF_HTTP_USERNAME
    const password = env.TF_HTTP_PASSWORD
    return [httpSource({ address: arg, timeout_ms, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) })]
  }
  if (/^tfc:\/\//i.test(arg)) {
    const parts = arg.slice('tfc://'.length).split('/').filter(Boolean)
    let host = 'app.terraform.io'
    if (parts.length === 3 || (parts.length === 2 && parts[0]!.includes('.') && parts[1]!.startsWith('ws-'))) host = parts.shift()!
    const token = tfcToken(host, env)
    if (!token) throw new TfdriftError('TFD_ERR_SOURCE_AUTH', `${arg}: no API token; set TF_TOKEN_${host.replace(/\./g, '_')} (or TFC_TOKEN).`)
    const address = `https://${host}`
    if (parts.length === 1 && parts[0]!.startsWith('ws-')) return [tfcSource({ token, address, workspace_id: parts[0]!, timeout_ms })]
    if (parts.length === 2) return [tfcSource({ token, address, organization: parts[0]!, workspace: parts[1]!, timeout_ms })]
    throw new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${arg}: write tfc://<organization>/<workspace> or tfc://ws-<id>.`)
  }
  return (await expandStatePaths([arg], opts.cwd)).map(fileSource)
}

/**
 * Reads every state the location strings name. `observed` reads refreshed states, plan JSON and
 * snapshot JSON (sniffed); `expected` reads Terraform states. Errors name the source, never credentials.
 */
export async function loadStates(args: readonly string[], opts: UriOptions & { kind?: 'expected' | 'observed'; signal?: AbortSignal } = {}): Promise<Snapshot[]> {
  const out: Snapshot[] = []
  for (const arg of args) {
    for (const source of await sourcesFromUri(arg, opts)) {
      const got = await source.fetch(opts.signal ? { signal: opts.signal } : {})
      if (got.not_modified) continue
      out.push(opts.kind === 'observed' ? readObserved(got.body, source.id) : parseState(got.body, { source: source.id, kind: 'expected' }))
    }
  }
  return out
}
