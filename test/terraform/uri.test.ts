/** Location strings (`s3://`, `https://`, `tfc://`, paths) → sources → snapshots, over loopback servers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isRemoteUri, loadStates, sourcesFromUri } from '../../engine/terraform/backends/index.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { startFakeS3, type FakeS3 } from './support/s3-server.ts'
import { startServer, type TestServer } from './support/http-server.ts'

const state = (serial: number) => JSON.stringify({ version: 4, serial, lineage: 'l', resources: [] })

describe('location strings', () => {
  let s3: FakeS3
  let http: TestServer
  let dir: string
  const saved = { ...process.env }
  beforeAll(async () => {
    s3 = await startFakeS3('AKIDURI')
    s3.put('b', 'prod/app.tfstate', state(3))
    s3.put('b', 'env:/dev/app.tfstate', state(1))
    http = await startServer((req, res) => {
      const ok = req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      res.end(ok ? state(8) : '{}')
    })
    dir = mkdtempSync(join(tmpdir(), 'tfdrift-uri-'))
    writeFileSync(join(dir, 'a.tfstate'), state(5))
    // The SDK's default credential chain reads these, as it would in CI.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDURI'
    process.env.AWS_SECRET_ACCESS_KEY = 'uri-secret'
    process.env.AWS_REGION = 'eu-west-1'
  })
  afterAll(async () => {
    process.env = saved
    await s3.close()
    await http.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('tells remote from local', () => {
    expect(['s3://b/k', 'https://x/y', 'tfc://org/ws', 'http://a'].every(isRemoteUri)).toBe(true)
    expect(['a.tfstate', './dir', '**/*.tfstate', 'C:\\x.tfstate'].some(isRemoteUri)).toBe(false)
  })

  it('reads s3://bucket/key and s3://bucket/prefix/ with query options', async () => {
    const q = `?endpoint=${encodeURIComponent(s3.endpoint)}&force_path_style=true`
    const one = await loadStates([`s3://b/prod/app.tfstate${q}`])
    expect(one.map((s) => [s.source, s.serial])).toEqual([['s3://b/prod/app.tfstate', 3]])
    const many = await sourcesFromUri(`s3://b/env:/${q}`)
    expect(many.map((s) => s.id)).toEqual(['s3://b/env:/dev/app.tfstate'])
  })

  it('reads https:// with TF_HTTP_USERNAME / TF_HTTP_PASSWORD', async () => {
    const snaps = await loadStates([`${http.url}/state`], { env: { TF_HTTP_USERNAME: 'u', TF_HTTP_PASSWORD: 'p' } })
    expect(snaps[0]!.serial).toBe(8)
    await expect(loadStates([`${http.url}/state`], { env: {} })).rejects.toMatchObject({ code: 'TFD_ERR_SOURCE_AUTH' })
  })

  it('reads local paths and directories, as observed when asked', async () => {
    const snaps = await loadStates([dir], { kind: 'observed' })
    expect(snaps.map((s) => [s.kind, s.serial])).toEqual([['observed', 5]])
  })

  it('builds tfc sources from Terraform CLI token variables; no token → TFD_ERR_SOURCE_AUTH', async () => {
    const [s] = await sourcesFromUri('tfc://acme/prod', { env: { TF_TOKEN_app_terraform_io: 't' } })
    expect(s!.id).toBe('tfc://app.terraform.io/acme/prod')
    const [e] = await sourcesFromUri('tfc://tfe.example.com/ws-abc', { env: { TF_TOKEN_tfe_example_com: 't' } })
    expect(e!.id).toBe('tfc://tfe.example.com/ws-abc')
    const err = await sourcesFromUri('tfc://acme/prod', { env: {} }).catch((x: unknown) => x)
    expect(err).toBeInstanceOf(TfdriftError)
    expect((err as TfdriftError).code).toBe('TFD_ERR_SOURCE_AUTH')
    await expect(sourcesFromUri('tfc://a/b/c/d', { env: { TFC_TOKEN: 't' } })).rejects.toMatchObject({ code: 'TFD_ERR_SOURCE_NOT_FOUND' })
  })
})
