/**
 * An S3-compatible HTTP server on loopback for backend tests: path-style GetObject / HeadObject /
 * ListObjectsV2 with the headers and XML bodies real S3 sends (ETag, 304 on If-None-Match, 403
 * AccessDenied, 404 NoSuchKey / NoSuchBucket). Requests must be SigV4-signed by the expected access key.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeS3 {
  endpoint: string
  /** bucket → key → body */
  objects: Map<string, Map<string, Buffer>>
  /** Buckets whose every request is AccessDenied (bucket policy denies). */
  denied: Set<string>
  requests: Array<{ method: string; url: string; authorization?: string; ifNoneMatch?: string }>
  put(bucket: string, key: string, body: string | Buffer): void
  close(): Promise<void>
}

const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function amzHeaders(res: ServerResponse): void {
  res.setHeader('x-amz-request-id', randomBytes(8).toString('hex').toUpperCase())
  res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'))
  res.setHeader('date', new Date().toUTCString())
  res.setHeader('server', 'AmazonS3')
}

function xmlError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}, head = false): void {
  amzHeaders(res)
  res.statusCode = status
  res.setHeader('content-type', 'application/xml')
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('')
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  res.end(head ? undefined : body)
}

/** Starts the server; `accessKeyId` is the only key it accepts. */
export async function startFakeS3(accessKeyId = 'AKIDTESTTFDRIFT'): Promise<FakeS3> {
  const objects = new Map<string, Map<string, Buffer>>()
  const denied = new Set<string>()
  const requests: FakeS3['requests'] = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    const url = new URL(req.url!, 'http://x')
    const auth = req.headers.authorization
    requests.push({ method: req.method!, url: req.url!, ...(auth ? { authorization: auth } : {}), ...(req.headers['if-none-match'] ? { ifNoneMatch: String(req.headers['if-none-match']) } : {}) })
    const head = req.method === 'HEAD'
    const [, bucket = '', ...rest] = url.pathname.split('/')
    const key = decodeURIComponent(rest.join('/'))
    if (!auth?.startsWith('AWS4-HMAC-SHA256 ') || !auth.includes(`Credential=${accessKeyId}/`)) {
      return xmlError(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {}, head)
    }
    if (denied.has(bucket)) return xmlError(res, 403, 'AccessDenied', 'Access Denied', {}, head)
    const b = objects.get(bucket)
    if (!b) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }, head)
    if (!key && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? ''
      const max = Number(url.searchParams.get('max-keys') ?? 1000)
      const start = url.searchParams.get('continuation-token') ?? ''
      const keys = [...b.keys()].filter((k) => k.startsWith(prefix) && k > start).sort()
      const page = keys.slice(0, Math.min(max, 2)) // small pages so pagination is exercised
      const truncated = keys.length > page.length
      const contents = page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><LastModified>2026-11-22T10:00:00.000Z</LastModified><ETag>${xmlEscape(etagOf(b.get(k)!))}</ETag><Size>${b.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('')
      amzHeaders(res)
      res.setHeader('content-type', 'application/xml')
      return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix>${start ? `<ContinuationToken>${xmlEscape(start)}</ContinuationToken>` : ''}<KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`)
    }
    const body = b.get(key)
    if (!body) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, head)
    const etag = etagOf(body)
    amzHeaders(res)
    res.setHeader('etag', etag)
    res.setHeader('last-modified', 'Sun, 22 Nov 2026 10:00:00 GMT')
    res.setHeader('accept-ranges', 'bytes')
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304
      return res.end()
    }
    res.setHeader('content-type', 'application/json')
    res.setHeader('content-length', String(body.length))
    res.end(head ? undefined : body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    denied,
    requests,
    put(bucket, key, body) {
      let b = objects.get(bucket)
      if (!b) objects.set(bucket, (b = new Map()))
      b.set(key, Buffer.isBuffer(body) ? body : Buffer.from(body))
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
