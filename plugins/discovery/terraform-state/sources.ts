/** Turns the plugin's options into state sources; re-run on every refresh so new files / workspaces appear. */
import type { S3Client } from '@aws-sdk/client-s3'
import { expandStatePaths, fileSource, httpSource, type HttpSourceOptions, s3Client, s3Sources, type S3SourceOptions, tfcSource, type TfcSourceOptions, type StateSource } from 'tfdrift/state'

/** The source-related plugin options, resolved. */
export interface SourceOptions {
  paths?: string[]
  s3?: S3SourceOptions | S3SourceOptions[]
  http?: HttpSourceOptions | HttpSourceOptions[]
  tfc?: TfcSourceOptions | TfcSourceOptions[]
  timeout_ms: number
  cwd?: string
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The result of one resolution: the sources found, and the option groups that could not be listed. */
export interface Resolved {
  sources: StateSource[]
  failures: Array<{ source: string; error: unknown }>
}

/**
 * Resolves sources; HTTP/TFC sources and S3 clients are built once and reused (keeping each
 * source's change token meaningful), paths and S3 prefixes are re-listed each time.
 */
export class SourceResolver {
  private readonly fixed: StateSource[]
  private readonly clients = new Map<S3SourceOptions, S3Client>()
  private readonly byId = new Map<string, StateSource>()

  constructor(private readonly opts: SourceOptions) {
    this.fixed = [
      ...list(opts.http).map((h) => httpSource({ timeout_ms: opts.timeout_ms, ...h })),
      ...list(opts.tfc).map((t) => tfcSource({ timeout_ms: opts.timeout_ms, ...t })),
    ]
  }

  async resolve(signal?: AbortSignal): Promise<Resolved> {
    const found: StateSource[] = []
    const failures: Resolved['failures'] = []
    const keep = (s: StateSource) => {
      // Reuse the previous object for the same id so per-source state stays attached.
      const prev = this.byId.get(s.id)
      const use = prev ?? s
      if (!prev) this.byId.set(s.id, s)
      found.push(use)
    }
    if (this.opts.paths?.length) {
      for (const pattern of this.opts.paths) {
        try {
          for (const f of await expandStatePaths([pattern], this.opts.cwd)) keep(fileSource(f))
        } catch (error) {
          failures.push({ source: pattern, error })
        }
      }
    }
    for (const o of list(this.opts.s3)) {
      let client = this.clients.get(o)
      if (!client) this.clients.set(o, (client = s3Client(o)))
      try {
        for (const s of await s3Sources(o, client, signal)) keep(s)
      } catch (error) {
        failures.push({ source: `s3://${o.bucket}/${o.key ?? o.prefix ?? ''}`, error })
      }
    }
    for (const s of this.fixed) keep(s)
    return { sources: found, failures }
  }

  /** Releases SDK clients (sockets). */
  close(): void {
    for (const c of this.clients.values()) c.destroy()
    this.clients.clear()
  }
}
