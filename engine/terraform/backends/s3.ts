/**
 * Terraform's `s3` backend through AWS SDK v3: one object (`key`), or every state under a
 * `prefix` (workspaces live at `env:/<workspace>/<key>`), found with ListObjectsV2. The ETag is the
 * change token: a refresh sends `If-None-Match` and gets 304 when nothing changed.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { TfdriftError } from '../../errors.ts'
import type { FetchOptions, FetchResult, StateSource } from './types.ts'

/** Which S3 objects hold states, and how to reach the bucket. */
export interface S3SourceOptions {
  bucket: string
  /** One state object. */
  key?: string
  /** Every object under this prefix whose key ends with `suffix` (default `.tfstate`). */
  prefix?: string
  suffix?: string
  region?: string
  /** S3-compatible endpoint (MinIO, LocalStack, Ceph). */
  endpoint?: string
  force_path_style?: boolean
  /** Static credentials; without them the SDK's default chain (env, profile, IMDS, SSO) is used. */
  access_key_id?: string
  secret_access_key?: string
  session_token?: string
  /** Retry attempts of the SDK (default 2). */
  max_attempts?: number
}

/** An S3 client for the options (shared by the sources of one plugin instance). */
export function s3Client(opts: S3SourceOptions): S3Client {
  const config: S3ClientConfig = {
    region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: opts.max_attempts ?? 2,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.force_path_style !== undefined ? { forcePathStyle: opts.force_path_style } : {}),
  }
  if (opts.access_key_id && opts.secret_access_key) {
    config.credentials = { accessKeyId: opts.access_key_id, secretAccessKey: opts.secret_access_key, ...(opts.session_token ? { sessionToken: opts.session_token } : {}) }
  }
  return new S3Client(config)
}

interface SdkError {
  name?: string
  Code?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
  message?: string
}

/** Maps SDK failures to coded errors naming `s3://bucket/key`; the SDK's messages never carry keys. */
export function s3Error(id: string, err: unknown): TfdriftError {
  const e = err as SdkError
  const status = e.$metadata?.httpStatusCode
  const name = e.name ?? e.Code ?? ''
  if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || status === 404) {
    return new TfdriftError('TFD_ERR_SOURCE_NOT_FOUND', `${id}: no such ${name === 'NoSuchBucket' ? 'bucket' : 'object'} (${name || 'HTTP 404'}).`, { cause: err })
  }
  if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'AllAccessDisabled'].includes(name) || status === 403 || status === 401) {
    return new TfdriftError('TFD_ERR_SOURCE_AUTH', `${id}: access denied (${name || `HTTP ${status}`}); check the credentials and the s3:GetObject / s3:ListBucket permissions.`, { cause: err })
  }
  if (name === 'TimeoutError' || name === 'AbortError') return new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: the request timed out or was aborted.`, { cause: err })
  const net = e.code ?? (err as { cause?: { code?: string } }).cause?.code
  return new TfdriftError('TFD_ERR_SOURCE_UNREACHABLE', `${id}: S3 request failed (${status ? `HTTP ${status} ` : ''}${name || net || 'network error'}).`, { cause: err })
}

/** One S3 object as a state source. */
export function s3ObjectSource(client: S3Client, bucket: string, key: string): StateSource {
  const id = `s3://${bucket}/${key}`
  return {
    id,
    async fetch(f: FetchOptions = {}): Promise<FetchResult> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(f.ifVersion ? { IfNoneMatch: f.ifVersion } : {}) }), { abortSignal: f.signal })
        const bytes = await out.Body!.transformToByteArray()
        return { not_modified: false, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), ...(out.ETag ? { version: out.ETag } : {}) }
      } catch (err) {
        if ((err as SdkError).$metadata?.httpStatusCode === 304 || (err as SdkError).name === 'NotModified') return { not_modified: true, version: f.ifVersion }
        throw s3Error(id, err)
      }
    },
  }
}

/** The state sources the options name: the `key`, and/or every matching object under `prefix`. */
export async function s3Sources(opts: S3SourceOptions, client = s3Client(opts), signal?: AbortSignal): Promise<StateSource[]> {
  const out: StateSource[] = []
  if (opts.key) out.push(s3ObjectSource(client, opts.bucket, opts.key))
  if (opts.prefix !== undefined) {
    const suffix = opts.suffix ?? '.tfstate'
    const id = `s3://${opts.bucket}/${opts.prefix}`
    let token: string | undefined
    do {
      let page
      try {
        page = await client.send(new ListObjectsV2Command({ Bucket: opts.bucket, Prefix: opts.prefix, ...(token ? { ContinuationToken: token } : {}) }), { abortSignal: signal })
      } catch (err) {
        throw s3Error(id, err)
      }
      for (const o of page.Contents ?? []) {
        if (o.Key && o.Key.endsWith(suffix) && o.Key !== opts.key) out.push(s3ObjectSource(client, opts.bucket, o.Key))
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }
  if (!opts.key && opts.prefix === undefined) throw new TfdriftError('TFD_ERR_PLUGIN_OPTIONS', `s3://${opts.bucket}: give s3.key or s3.prefix.`)
  return out
}
