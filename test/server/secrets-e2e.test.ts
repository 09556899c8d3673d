/**
 * Issue 11, defect 5 end to end: a real runtime (terraform-state → drift → terraform-remediation,
 * SQLite store, server on loopback) over states whose secrets hide inside JSON-encoded strings and
 * behind sensitive marks only one state carries. Every byte a client receives — WS frames, the SSE
 * stream, REST drifts, state and remediations — is checked for the secrets, and for the non-secret
 * values that must stay readable. The store file itself is owner-only.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { silentLogger } from '../../engine/logger.ts'
import { SseClient, until, WsClient } from './support.ts'

const TOKEN = 'secrets-e2e-read-token'
/** Every secret in the states starts with this. */
const SECRET = /S1-[a-z-]+/

const conn = (host: string) => JSON.stringify({ host, port: 5432, password: 'S1-conn-pw' })
const app = (level: string) => JSON.stringify({ log_level: level, env: JSON.stringify({ region: 'eu-west-1', api_token: 'S1-nested-token' }) })
const rules = (list: Array<[string, string]>) => list.map(([cidr, description]) => ({ cidr_blocks: [cidr], description, from_port: 443 }))
const descriptionMark = [[{ type: 'get_attr', value: 'ingress' }, { type: 'index', value: { value: 0, type: 'number' } }, { type: 'get_attr', value: 'description' }]]

function state(serial: number, resources: Array<[string, string, Record<string, unknown>, unknown[]?]>): string {
  return JSON.stringify({
    version: 4, terraform_version: '1.9.0', serial, lineage: 'secrets-e2e', outputs: {},
    resources: resources.map(([type, name, attributes, sensitive]) => ({
      mode: 'managed', type, name, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes, sensitive_attributes: sensitive ?? [] }],
    })),
  })
}

let dir = ''
let runtime: Runtime | undefined
let base = ''

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tfdrift-secrets-'))
  writeFileSync(join(dir, 'expected.tfstate'), state(1, [
    ['aws_db_instance', 'main', { id: 'db-1', connection_info: conn('db-old.internal'), app_config: app('info') }],
    ['aws_ssm_parameter', 'p', { id: 'p-1', value: 'S1-ssm-value', type: 'SecureString' }, [[{ type: 'get_attr', value: 'value' }]]],
    ['aws_security_group', 'sg', { id: 'sg-1', ingress: rules([['10.0.0.0/8', 'S1-desc-a'], ['10.1.0.0/16', 'S1-desc-b']]) }],
  ]))
  writeFileSync(join(dir, 'live.tfstate'), state(2, [
    ['aws_db_instance', 'main', { id: 'db-1', connection_info: conn('db-new.internal'), app_config: app('debug') }],
    ['aws_ssm_parameter', 'p', { id: 'p-1', value: 'S1-ssm-live', type: 'SecureString' }],
    ['aws_security_group', 'sg', { id: 'sg-1', ingress: rules([['10.1.0.0/16', 'S1-desc-b-live'], ['10.0.0.0/8', 'S1-desc-a']]) }, descriptionMark],
  ]))
  runtime = await startRuntime({
    server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read'] }] } },
    store: { kind: 'sqlite', path: 'data/tfdrift.db' },
    pipelines: {
      prod: {
        tenant: 'acme',
        discovery: [
          { use: 'terraform-state', id: 'state', with: { paths: [join(dir, 'expected.tfstate')], refresh: 0 } },
          { use: 'terraform-state', id: 'live', with: { paths: [join(dir, 'live.tfstate')], refresh: 0, role: 'observed' } },
        ],
        analysis: [{ use: 'drift' }],
        remediation: [{ use: 'terraform-remediation' }],
      },
    },
  }, { logger: silentLogger, cwd: dir })
  base = `http://127.0.0.1:${runtime.server!.port}`
})

afterAll(async () => {
  await runtime?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function get(path: string): Promise<string> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(res.status, path).toBe(200)
  return res.text()
}

describe('secrets never leave the process (real runtime, loopback clients)', () => {
  it('WS and SSE deliver the drifts and plans with every secret masked and the rest readable', async () => {
    const ws = await WsClient.connect(`ws://127.0.0.1:${runtime!.server!.port}/ws`, TOKEN)
    const frames: string[] = []
    ws.socket.on('message', (data) => frames.push(String(data)))
    const sse = await SseClient.open(`${base}/api/v1/stream?token=${TOKEN}&topic=drifts&since=0`)
    try {
      await ws.request({ type: 'subscribe', topic: 'drifts', since: 0 })
      await ws.request({ type: 'subscribe', topic: 'remediations', since: 0 })
      const count = (topic: string) => ws.events.filter((e) => e.topic === topic).length
      await until(() => count('drifts') >= 3 && count('remediations') >= 3 && sse.envelopes().length >= 3, 'three drifts and plans on WS and SSE', 15_000)
      const wsBytes = frames.join('\n')
      const sseBytes = sse.raw.join('\n\n')
      for (const [name, bytes] of [['ws', wsBytes], ['sse', sseBytes]] as const) {
        expect(bytes, name).not.toMatch(SECRET)
        expect(bytes, name).toContain('db-new.internal')
        expect(bytes, name).toContain('debug')
        expect(bytes, name).toContain('(sensitive)')
      }
      expect(ws.events.filter((e) => e.topic === 'remediations').map((e) => (e.data as { content: string }).content).join('\n')).toContain('db-new.internal')
    } finally {
      ws.close()
      sse.close()
    }
  })

  it('REST drifts, state views of both kinds, resources and remediations hold no secret', async () => {
    let drifts: Array<{ id: string }> = []
    const end = Date.now() + 15_000
    while (drifts.length < 3 && Date.now() < end) {
      drifts = JSON.parse(await get('/api/v1/drifts')).data.items
      if (drifts.length < 3) await new Promise((r) => setTimeout(r, 50))
    }
    expect(drifts).toHaveLength(3)
    const paths = [
      '/api/v1/drifts', ...drifts.map((d) => `/api/v1/drifts/${encodeURIComponent(d.id)}`),
      '/api/v1/state/resources', '/api/v1/state/resources?kind=observed',
      ...['aws_db_instance.main', 'aws_ssm_parameter.p', 'aws_security_group.sg'].map((a) => `/api/v1/state/resources/${encodeURIComponent(a)}`),
      '/api/v1/remediations',
    ]
    const bodies = await Promise.all(paths.map(get))
    paths.forEach((path, i) => expect(bodies[i], path).not.toMatch(SECRET))
    expect(bodies[0]).toContain('db-new.internal')
    expect(bodies[paths.indexOf('/api/v1/state/resources?kind=observed')]).toContain('db-new.internal')
  })

  it('keeps the store file owner-only', () => {
    expect(statSync(join(dir, 'data', 'tfdrift.db')).mode & 0o777).toBe(0o600)
  })
})
