/** State backends over real loopback HTTP: S3 (AWS SDK v3 against an S3-compatible server), HTTP (GitLab-style), TFC/TFE. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Client, s3Sources } from '../../engine/terraform/backends/s3.ts'
import { httpSource } from '../../engine/terraform/backends/http.ts'
import { tfcSource } from '../../engine/terraform/backends/tfc.ts'
import { expandStatePaths, fileSource } from '../../engine/terraform/backends/files.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { TfdriftError } from '../../engine/errors.ts'
import type { FetchResult } from '../../engine/terraform/backends/types.ts'
import { startFakeS3, type FakeS3 } from './support/s3-server.ts'
import { deadPort, startServer, type TestServer } from './support/http-server.ts'

const state = (serial: number) => JSON.stringify({ version: 4, terraform_version: '1.9.0', serial, lineage: 'lin-1', outputs: {}, resources: [
  { mode: 'managed', type: 'aws_vpc', name: 'main', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ schema_version: 1, attributes: { id: 'vpc-1' }, sensitive_attributes: [] }] },
] })
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY'

async function rejects(p: Promise<unknown>): Promise<TfdriftError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(TfdriftError)
    return err as TfdriftError
  }
  throw new Error('expected a rejection')
}
const body = (r: FetchResult) => (r.not_modified ? undefined : r.body.toString())

describe('s3 backend (AWS SDK v3 against an S3-compatible loopback server)', () => {
  let s3: FakeS3
  beforeAll(async () => {
    s3 = await startFakeS3('AKIDTESTTFDRIFT')
    s3.put('tf-states', 'prod/network.tfstate', state(3))
    s3.put('tf-states', 'env:/staging/prod/network.tfstate', state(9))
    s3.put('tf-states', 'env:/dev/prod/network.tfstate', state(1))
    s3.put('tf-states', 'env:/dev/notes.txt', 'x')
    s3.put('locked', 'a.tfstate', state(1))
    s3.denied.add('locked')
  })
  afterAll(() => s3.close())
  const opts = (extra: Record<string, unknown> = {}) => ({ bucket: 'tf-states', region: 'eu-west-1', endpoint: s3.endpoint, force_path_style: true, access_key_id: 'AKIDTESTTFDRIFT', secret_access_key: SECRET, max_attempts: 1, ...extra })

  it('gets one object, signed with SigV4, and returns its ETag as version', async () => {
    const [src] = await s3Sources(opts({ key: 'prod/network.tfstate' }))
    expect(src!.id).toBe('s3://tf-states/prod/network.tfstate')
    const r = await src!.fetch()
    expect(r.not_modified).toBe(false)
    expect(parseState((r as { body: Buffer }).body, { source: src!.id }).serial).toBe(3)
    expect(r.version).toMatch(/^"[0-9a-f]{32}"$/)
    const req = s3.requests.at(-1)!
    expect(req.url.startsWith('/tf-states/prod/network.tfstate')).toBe(true)
    expect(req.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTTFDRIFT\/\d{8}\/eu-west-1\/s3\/aws4_request/)
    // unchanged → 304 → not_modified, no body transferred
    const again = await src!.fetch({ ifVersion: r.version })
    expect(again).toEqual({ not_modified: true, version: r.version })
    expect(s3.requests.at(-1)!.ifNoneMatch).toBe(r.version)
    // changed → new body and version
    s3.put('tf-states', 'prod/network.tfstate', state(4))
    const changed = await src!.fetch({ ifVersion: r.version })
    expect(changed.not_modified).toBe(false)
    expect(changed.version).not.toBe(r.version)
    expect(JSON.parse(body(changed)!).serial).toBe(4)
  })

  it('lists workspaces under a prefix with ListObjectsV2 (paginated), keeping only *.tfstate', async () => {
    const sources = await s3Sources(opts({ prefix: 'env:/' }))
    expect(sources.map((s) => s.id).sort()).toEqual(['s3://tf-states/env:/dev/prod/network.tfstate', 's3://tf-states/env:/staging/prod/network.tfstate'])
    expect(s3.requests.filter((r) => r.url.includes('list-type=2')).length).toBeGreaterThanOrEqual(2)
    const serials = await Promise.all(sources.map(async (s) => JSON.parse(body(await s.fetch())!).serial))
    expect(serials.sort()).toEqual([1, 9])
  })

  it('404 NoSuchKey → TFD_ERR_SOURCE_NOT_FOUND naming the object', async () => {
    const [src] = await s3Sources(opts({ key: 'nope.tfstate' }))
    const err = await rejects(src!.fetch())
    expect(err.code).toBe('TFD_ERR_SOURCE_NOT_FOUND')
    expect(err.message).toContain('s3://tf-states/nope.tfstate')
  })

  it('404 NoSuchBucket → TFD_ERR_SOURCE_NOT_FOUND', async () => {
    const [src] = await s3Sources(opts({ bucket: 'no-bucket', key: 'a.tfstate' }))
    expect((await rejects(src!.fetch())).message).toMatch(/no-bucket.*bucket/)
  })

  it('403 AccessDenied and rejected keys → TFD_ERR_SOURCE_AUTH without leaking the secret', async () => {
    const [src] = await s3Sources(opts({ bucket: 'locked', key: 'a.tfstate' }))
    const denied = await rejects(src!.fetch())
    expect(denied.code).toBe('TFD_ERR_SOURCE_AUTH')
    expect(denied.message).toContain('AccessDenied')
    const [bad] = await s3Sources(opts({ key: 'prod/network.tfstate', access_key_id: 'AKIDWRONG' }))
    const rejected = await rejects(bad!.fetch())
    expect(rejected.code).toBe('TFD_ERR_SOURCE_AUTH')
    expect(rejected.message).toContain('InvalidAccessKeyId')
    for (const e of [denied, rejected]) expect(`${e.message} ${JSON.stringify(e.problems)} ${e.hint}`).not.toContain(SECRET)
    const listDenied = await rejects(s3Sources(opts({ bucket: 'locked', prefix: '' })))
    expect(listDenied.code).toBe('TFD_ERR_SOURCE_AUTH')
  })

  it('unreachable endpoint → TFD_ERR_SOURCE_UNREACHABLE', async () => {
    const port = await deadPort()
    const [src] = await s3Sources(opts({ key: 'a.tfstate', endpoint: `http://127.0.0.1:${port}` }))
    const err = await rejects(src!.fetch())
    expect(err.code).toBe('TFD_ERR_SOURCE_UNREACHABLE')
    expect(err.message).toContain('s3://tf-states/a.tfstate')
  })

  it('needs key or prefix', async () => {
    expect((await rejects(s3Sources({ bucket: 'b' }, s3Client({ bucket: 'b' })))).code).toBe('TFD_ERR_PLUGIN_OPTIONS')
  })
})

describe('http backend (GitLab-style)', () => {
  let srv: TestServer
  let current = state(1)
  beforeAll(async () => {
    srv = await startServer((req, res) => {
      const url = new URL(req.url!, 'http://x')
      if (url.pathname === '/api/v4/projects/42/terraform/state/prod') {
        const auth = req.headers.authorization
        if (auth !== `Basic ${Buffer.from('gitlab-ci-token:glpat-secret').toString('base64')}` || req.headers['x-team'] !== 'infra') {
          res.writeHead(401, { 'content-type': 'application/json' })
          return res.end('{"message":"401 Unauthorized"}')
        }
        const etag = `"${JSON.parse(current).serial}"`
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag })
          return res.end()
        }
        res.writeHead(200, { 'content-type': 'application/json', etag })
        return res.end(current)
      }
      if (url.pathname === '/api/v4/projects/42/terraform/state/empty') {
        res.writeHead(204)
        return res.end()
      }
      if (url.pathname === '/boom') {
        res.writeHead(502)
        return res.end('bad gateway')
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"message":"404 Not Found"}')
    })
  })
  afterAll(() => srv.close())
  const src = (path: string, password = 'glpat-secret') => httpSource({ address: `${srv.url}${path}?token=query-secret`, username: 'gitlab-ci-token', password, headers: { 'X-Team': 'infra' } })

  it('GETs with basic auth and custom headers; display id has no query; ETag → 304', async () => {
    const s = src('/api/v4/projects/42/terraform/state/prod')
    expect(s.id).toBe(`${srv.url}/api/v4/projects/42/terraform/state/prod`)
    const r = await s.fetch()
    expect(JSON.parse(body(r)!).serial).toBe(1)
    expect(r.version).toBe('"1"')
    expect(await s.fetch({ ifVersion: '"1"' })).toEqual({ not_modified: true, version: '"1"' })
    current = state(2)
    expect(JSON.parse(body(await s.fetch({ ifVersion: '"1"' }))!).serial).toBe(2)
  })

  it.each([
    ['/api/v4/projects/42/terraform/state/prod', 'wrong', 'TFD_ERR_SOURCE_AUTH'],
    ['/api/v4/projects/42/terraform/state/none', 'glpat-secret', 'TFD_ERR_SOURCE_NOT_FOUND'],
    ['/api/v4/projects/42/terraform/state/empty', 'glpat-secret', 'TFD_ERR_SOURCE_NOT_FOUND'],
    ['/boom', 'glpat-secret', 'TFD_ERR_SOURCE_UNREACHABLE'],
  ])('%s (password %s) → %s, naming the source, no secrets', async (path, password, code) => {
    const err = await rejects(src(path, password).fetch())
    expect(err.code).toBe(code)
    expect(err.message).toContain(path)
    expect(err.message).not.toMatch(/glpat|query-secret|wrong/)
  })

  it('unreachable → TFD_ERR_SOURCE_UNREACHABLE', async () => {
    const port = await deadPort()
    const err = await rejects(httpSource({ address: `http://user:pw@127.0.0.1:${port}/state` }).fetch())
    expect(err.code).toBe('TFD_ERR_SOURCE_UNREACHABLE')
    expect(err.message).toContain(`127.0.0.1:${port}/state`)
    expect(err.message).not.toContain('pw@')
  })
})

describe('Terraform Cloud / Enterprise backend', () => {
  let srv: TestServer
  let svId = 'sv-AAA111'
  let serial = 5
  beforeAll(async () => {
    srv = await startServer((req, res) => {
      const url = new URL(req.url!, 'http://x')
      const json = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/vnd.api+json' })
        res.end(JSON.stringify(doc))
      }
      if (url.pathname.startsWith('/api/v2/') && req.headers.authorization !== 'Bearer tfc-good-token') {
        return json(401, { errors: [{ status: '401', title: 'unauthorized' }] })
      }
      if (url.pathname === '/api/v2/organizations/acme/workspaces/prod') {
        return json(200, { data: { id: 'ws-PROD1', type: 'workspaces', attributes: { name: 'prod' } } })
      }
      if (url.pathname === '/api/v2/workspaces/ws-PROD1/current-state-version') {
        return json(200, { data: { id: svId, type: 'state-versions', attributes: {
          'created-at': '2026-11-22T10:00:00.000Z', size: 940, 'hosted-state-download-url': `${srv.url}/archivist/v1/object/${svId}?sig=secret`,
          'hosted-json-state-download-url': `${srv.url}/archivist/v1/object/json-${svId}`, modules: { root: {} }, providers: {}, resources: [], serial, 'state-version': 4, status: 'finalized', 'terraform-version': '1.9.0', 'vcs-commit-sha': null, 'vcs-commit-url': null,
        }, relationships: { run: { data: { id: 'run-1', type: 'runs' } } }, links: { self: `/api/v2/state-versions/${svId}` } } })
      }
      if (url.pathname === '/api/v2/workspaces/ws-EMPTY/current-state-version') return json(404, { errors: [{ status: '404', title: 'not found' }] })
      if (url.pathname.startsWith('/archivist/v1/object/')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        return res.end(state(serial))
      }
      json(404, { errors: [{ status: '404', title: 'not found' }] })
    })
  })
  afterAll(() => srv.close())

  it('reads the current state version and downloads it; unchanged version → not_modified without download', async () => {
    const s = tfcSource({ address: srv.url, token: 'tfc-good-token', workspace_id: 'ws-PROD1' })
    expect(s.id).toBe(`tfc://${new URL(srv.url).host}/ws-PROD1`)
    const r = await s.fetch()
    expect(JSON.parse(body(r)!).serial).toBe(5)
    expect(r.version).toBe('sv-AAA111')
    const dl = srv.requests.filter((q) => q.url.startsWith('/archivist')).at(-1)!
    // archivist is on the API origin here, so the token is sent; (pre-signed off-origin URLs get none)
    expect(dl.headers.authorization).toBe('Bearer tfc-good-token')
    const before = srv.requests.length
    expect(await s.fetch({ ifVersion: 'sv-AAA111' })).toEqual({ not_modified: true, version: 'sv-AAA111' })
    expect(srv.requests.slice(before).some((q) => q.url.startsWith('/archivist'))).toBe(false)
    svId = 'sv-BBB222'
    serial = 6
    const next = await s.fetch({ ifVersion: 'sv-AAA111' })
    expect([next.version, JSON.parse(body(next)!).serial]).toEqual(['sv-BBB222', 6])
  })

  it('looks the workspace id up by organization and name', async () => {
    const s = tfcSource({ address: srv.url, token: 'tfc-good-token', organization: 'acme', workspace: 'prod' })
    expect(s.id).toContain('acme/prod')
    expect(JSON.parse(body(await s.fetch())!).version).toBe(4)
    expect(srv.requests.some((q) => q.url === '/api/v2/organizations/acme/workspaces/prod')).toBe(true)
  })

  it.each([
    [{ token: 'bad-token', workspace_id: 'ws-PROD1' }, 'TFD_ERR_SOURCE_AUTH'],
    [{ token: 'tfc-good-token', workspace_id: 'ws-EMPTY' }, 'TFD_ERR_SOURCE_NOT_FOUND'],
    [{ token: 'tfc-good-token', organization: 'acme', workspace: 'nope' }, 'TFD_ERR_SOURCE_NOT_FOUND'],
  ])('%j → %s', async (o, code) => {
    const err = await rejects(tfcSource({ address: srv.url, ...o }).fetch())
    expect(err.code).toBe(code)
    expect(err.message).toContain('tfc://')
    expect(err.message).not.toContain('token')
  })
})

describe('file sources', () => {
  const root = mkdtempSync(join(tmpdir(), 'tfdrift-files-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  beforeAll(() => {
    mkdirSync(join(root, 'envs', 'prod', '.terraform'), { recursive: true })
    writeFileSync(join(root, 'envs', 'prod', 'terraform.tfstate'), state(1))
    writeFileSync(join(root, 'envs', 'prod', '.terraform', 'terraform.tfstate'), state(99))
    writeFileSync(join(root, 'envs', 'dev.tfstate'), state(2))
    writeFileSync(join(root, 'envs', 'notes.txt'), 'x')
  })

  it('expands directories (skipping .terraform), globs and plain paths', async () => {
    const dir = await expandStatePaths([join(root, 'envs')])
    expect(dir).toEqual([join(root, 'envs', 'dev.tfstate'), join(root, 'envs', 'prod', 'terraform.tfstate')])
    expect(await expandStatePaths(['envs/**/*.tfstate', 'envs/dev.tfstate'], root)).toEqual(dir)
    expect(await expandStatePaths(['nothing/*.tfstate'], root)).toEqual([])
    expect((await rejects(expandStatePaths(['missing.tfstate'], root))).code).toBe('TFD_ERR_SOURCE_NOT_FOUND')
  })

  it('reads a file, skips an unchanged one, reports a vanished one', async () => {
    const f = join(root, 'envs', 'dev.tfstate')
    const s = fileSource(f)
    const r = await s.fetch()
    expect(JSON.parse(body(r)!).serial).toBe(2)
    expect((await s.fetch({ ifVersion: r.version })).not_modified).toBe(true)
    expect((await rejects(fileSource(join(root, 'gone.tfstate')).fetch())).code).toBe('TFD_ERR_SOURCE_NOT_FOUND')
  })
})
