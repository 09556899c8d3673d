/**
 * Ingress belongs to a tenant (issue 8, item 3): a runtime with the real server, real tokens and real
 * `falco` / `cloudtrail` sources, posted to over loopback. A token only reaches its own tenant's
 * pipelines; two tenants share a path without seeing each other's alerts; two routes of one tenant on
 * one path refuse to start with a code instead of restarting in a loop.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Subject } from 'rxjs'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { definePlugin, type PipelineItem } from '../../engine/plugin-api.ts'
import type { TfdriftConfig } from '../../engine/config/types.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { ChangeEvent } from '../../engine/model.ts'

const TOKENS = { acme: 'acme-publish-token-0123456789', beta: 'beta-publish-token-0123456789' }
const SERVER = {
  port: 0, host: '127.0.0.1',
  auth: { tokens: (['acme', 'beta'] as const).map((tenant) => ({ token: TOKENS[tenant], tenant, scopes: ['read' as const, 'publish' as const], name: tenant })) },
}
const FALCO_PATH = '/api/v1/falco/events'

/** A real-shaped Falco CloudTrail alert whose actor is `user`. */
function alert(user: string): Record<string, unknown> {
  return {
    output: 'Warning Potential Terraform drift detected', priority: 'Warning', rule: 'Terraform Managed Resource Modified', source: 'aws_cloudtrail', time: '2026-07-22T14:24:41.000000000Z',
    output_fields: { 'ct.name': 'AuthorizeSecurityGroupIngress', 'ct.region': 'ap-northeast-1', 'ct.srcip': '221.113.81.87', 'ct.user': user, 'ct.user.accountid': '230446364776' },
  }
}

let bus: MemoryBus
let runtime: Runtime | undefined
afterEach(async () => {
  await runtime?.stop()
  runtime = undefined
  await bus?.close()
})

async function start(pipelines: TfdriftConfig['pipelines']): Promise<{ url: string; events: Record<string, Envelope[]> }> {
  bus = new MemoryBus()
  runtime = await startRuntime({ server: SERVER, pipelines }, { logger: silentLogger, bus, store: new MemoryStore(), persist: false })
  const events: Record<string, Envelope[]> = { acme: [], beta: [] }
  for (const tenant of Object.keys(events)) bus.live(tenant, 'events').subscribe((e) => events[tenant]!.push(e))
  return { url: `http://127.0.0.1:${runtime.server!.port}`, events }
}

function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } })
}

const actors = (list: Envelope[]) => list.map((e) => (e.data as ChangeEvent).actor?.user)

describe('ingress routes belong to a tenant', () => {
  it('refuses a forged post by another tenant with 403 and a code, and nothing reaches the pipeline', async () => {
    const { url, events } = await start({ prod: { tenant: 'acme', sources: [{ use: 'falco' }] } })
    const forged = await post(url + FALCO_PATH, TOKENS.beta, alert('FORGED_BY_BETA'))
    expect(forged.status).toBe(403)
    expect(await forged.json()).toEqual({ success: false, error: { code: 'TFD_ERR_INGRESS_TENANT', message: expect.stringContaining('another tenant') } })
    // The forged alert would have been queued before this one; its absence after this one arrives is proof.
    expect((await post(url + FALCO_PATH, TOKENS.acme, alert('ACME_USER'))).status).toBe(202)
    await vi.waitFor(() => expect(events.acme).toHaveLength(1))
    expect(actors(events.acme)).toEqual(['ACME_USER'])
    expect(events.beta).toEqual([])
  })

  it('lets two tenants register the same path; each receives only its own alerts', async () => {
    const { url, events } = await start({
      a: { tenant: 'acme', sources: [{ use: 'falco' }] },
      b: { tenant: 'beta', sources: [{ use: 'falco' }] },
    })
    for (const [tenant, user] of [['beta', 'BETA_1'], ['acme', 'ACME_1'], ['beta', 'BETA_2']] as const) {
      expect((await post(url + FALCO_PATH, TOKENS[tenant], alert(user))).status).toBe(202)
    }
    await vi.waitFor(() => expect(events.acme.length + events.beta.length).toBe(3))
    expect(actors(events.acme)).toEqual(['ACME_1'])
    expect(actors(events.beta)).toEqual(['BETA_1', 'BETA_2'])
    expect(runtime!.stats().nodes.map((n) => [n.node, n.state, n.restarts])).toEqual([['a.sources.0', 'running', 0], ['b.sources.0', 'running', 0]])
  })

  it('refuses to start, coded, when two nodes of one tenant declare the same method and path', async () => {
    bus = new MemoryBus()
    const starting = startRuntime({ server: SERVER, pipelines: {
      a: { tenant: 'acme', sources: [{ use: 'falco' }] },
      b: { tenant: 'acme', sources: [{ use: 'cloudtrail', with: { path: FALCO_PATH } }] },
    } }, { logger: silentLogger, bus, store: new MemoryStore(), persist: false })
    starting.then((r) => { runtime = r }, () => {})
    await expect(starting).rejects.toMatchObject({
      code: 'TFD_ERR_INGRESS_CONFLICT',
      problems: [expect.objectContaining({ code: 'TFD_ERR_INGRESS_CONFLICT', pointer: '/pipelines/b/sources/0', message: expect.stringContaining(`POST ${FALCO_PATH}`) })],
    })
  })

  it('refuses to start, coded, when a plugin registers a route it did not declare and another node of the tenant holds it', async () => {
    const hook = definePlugin({
      name: 'hook', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
      create: (ctx) => {
        ctx.ingress.register({ method: 'POST', path: '/api/v1/hooks', scope: 'publish', handle: async () => ({ status: 202 }) })
        return { output: new Subject<PipelineItem>() }
      },
    })
    bus = new MemoryBus()
    const starting = startRuntime({ server: SERVER, pipelines: { a: { tenant: 'acme', sources: [{ use: hook, id: 'one' }, { use: hook, id: 'two' }] } } },
      { logger: silentLogger, bus, store: new MemoryStore(), persist: false, backoff: { initial_ms: 1 } })
    starting.then((r) => { runtime = r }, () => {})
    await expect(starting).rejects.toMatchObject({ code: 'TFD_ERR_INGRESS_CONFLICT', message: expect.stringContaining('POST /api/v1/hooks') })
  })

  it("lists the caller's tenant's ingress routes in the OpenAPI document with method, scope and plugin", async () => {
    const { url } = await start({
      a: { tenant: 'acme', sources: [{ use: 'falco' }] },
      b: { tenant: 'beta', sources: [{ use: 'cloudtrail', with: { path: '/hooks/beta-cloudtrail' } }] },
    })
    const doc = async (token: string) => (await (await fetch(`${url}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } })).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> }
    const acme = await doc(TOKENS.acme)
    expect(acme.paths[FALCO_PATH]?.post).toMatchObject({ 'x-tfdrift-scope': 'publish', 'x-tfdrift-plugin': 'falco', tags: ['ingress'] })
    expect(acme.paths['/hooks/beta-cloudtrail']).toBeUndefined()
    const beta = await doc(TOKENS.beta)
    expect(beta.paths['/hooks/beta-cloudtrail']?.post).toMatchObject({ 'x-tfdrift-scope': 'publish', 'x-tfdrift-plugin': 'cloudtrail' })
    expect(beta.paths[FALCO_PATH]).toBeUndefined()
  })
})
