/**
 * The falco source behind the real server: Falco's http_output POSTs to the registered ingress route
 * over loopback, with token auth, and the accepted alerts come out of the plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import type { ChangeEvent } from '../../engine/model.ts'
import type { PipelineItem } from '../../engine/plugin-api.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import falco from '../../plugins/sources/falco/index.ts'
import { take, testContext } from './context.ts'

const TOKEN = 'falco-test-token-0123456789'
// The verbatim real capture from the fixtures README (null and integer output_fields).
const REAL = {
  hostname: 'cca3f82eb5b6', output: 'Warning Potential Terraform drift detected',
  output_fields: { 'ct.name': 'AuthorizeSecurityGroupIngress', 'ct.region': 'ap-northeast-1', 'ct.request.name': null, 'ct.srcip': '221.113.81.87', 'ct.user': 'ADMIN_OKTA_TEST', 'ct.user.accountid': '230446364776', 'evt.time.iso8601': 1784730281000000000 },
  priority: 'Warning', rule: 'Terraform Managed Resource Modified', source: 'aws_cloudtrail', tags: ['drift', 'iac', 'terraform'], time: '2026-07-22T14:24:41.000000000Z',
}

describe('falco ingress over HTTP', () => {
  let server: Server
  let bus: MemoryBus
  const ctx = testContext()
  let output: AsyncIterable<PipelineItem>
  const url = () => `http://127.0.0.1:${server.port}/api/v1/falco/events`
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url(), { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers } })

  beforeAll(async () => {
    bus = new MemoryBus()
    server = await startServer({
      config: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read', 'publish'], name: 'falco' }] } },
      bus, store: new MemoryStore(), logger: silentLogger, rest: false,
    })
    ctx.ingress = server.ingress
    output = (await falco.create(ctx, {})).output as AsyncIterable<PipelineItem>
  })
  afterAll(async () => {
    ctx.controller.abort()
    await server?.close()
    await bus?.close()
  })

  it('accepts the real capture (202) and emits it as a change event', async () => {
    const res = await post(JSON.stringify(REAL))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ success: true, data: { accepted: 1, alerts: 0, skipped: {} } })
    const [item] = await take(output, 1)
    expect(item!.type).toBe('change.received')
    expect(item!.data as ChangeEvent).toMatchObject({ event_name: 'AuthorizeSecurityGroupIngress', region: 'ap-northeast-1', actor: { user: 'ADMIN_OKTA_TEST', source_ip: '221.113.81.87' } })
  })

  it('answers 400 naming the malformed alert of an NDJSON batch and keeps the good one', async () => {
    const body = [JSON.stringify({ ...REAL, output_fields: { ...REAL.output_fields, 'ct.name': 'RevokeSecurityGroupIngress' } }), JSON.stringify({ ...REAL, output_fields: { 'ct.region': 'x' } })].join('\n')
    const res = await post(body, { 'content-type': 'application/x-ndjson' })
    expect(res.status).toBe(400)
    const json = await res.json() as { success: boolean; error: { code: string; message: string; accepted: number } }
    expect(json.success).toBe(false)
    expect(json.error.code).toBe('TFD_ERR_EVENT_INVALID')
    expect(json.error.message).toMatch(/item 1: output_fields\["ct\.name"\] is missing/)
    expect(json.error.accepted).toBe(1)
    const [item] = await take(output, 1)
    expect((item!.data as ChangeEvent).event_name).toBe('RevokeSecurityGroupIngress')
  })

  it('refuses callers without a publish token', async () => {
    const res = await fetch(url(), { method: 'POST', body: JSON.stringify(REAL), headers: { 'content-type': 'application/json' } })
    expect([401, 403]).toContain(res.status)
  })
})
