/**
 * Auth, scopes, validation and not-found answers, and tenant isolation on every route: tenant acme
 * never sees anything of globex (every globex id/address contains "globex").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { seed } from './fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  const { store } = makeStore('memory')
  await seed(store)
  h = await startRest(store, new MemoryBus())
})
afterAll(async () => { await h.close() })

/** Every GET route with concrete parameters valid for tenant acme. */
const ACME_GETS = [
  '/api/v1/graph', '/api/v1/graph/nodes', '/api/v1/graph/edges', '/api/v1/graph/impact/aws_vpc.main',
  '/api/v1/state', '/api/v1/state/resources', '/api/v1/state/resources/aws_vpc.main',
  '/api/v1/events', '/api/v1/events/e-1', '/api/v1/drifts', '/api/v1/drifts/d-web', '/api/v1/stats',
  '/api/v1/remediations', '/api/v1/remediations/r-web', '/api/v1/openapi.json', '/api/v1/session',
]

describe('authentication and scopes', () => {
  it('401 without a token and with a wrong token, on every route', async () => {
    for (const path of [...ACME_GETS, '/api/v1/remediations/r-web/approve']) {
      const method = path.endsWith('/approve') ? 'POST' : 'GET'
      const none = await h.call(path, undefined, { method })
      expect(none.status, path).toBe(401)
      expect(none.body).toMatchObject({ success: false, error: { code: 'unauthorized' } })
      expect(none.body.error.message).toMatch(/bearer token is required/i)
      const wrong = await h.call(path, 'not-a-token', { method })
      expect(wrong.status, path).toBe(401)
      expect(wrong.body.success).toBe(false)
    }
  })

  it('accepts ?token= as well as the Authorization header', async () => {
    const { status, body } = await h.call(`/api/v1/drifts?token=${TOKENS.acmeRead}`)
    expect(status).toBe(200)
    expect(body.data.total).toBe(4)
  })

  it('403 for a token without the read scope', async () => {
    const { status, body } = await h.call('/api/v1/drifts', TOKENS.acmePublish)
    expect(status).toBe(403)
    expect(body.error.code).toBe('TFD_ERR_SCOPE_MISSING')
    expect(body.error.message).toContain("needs the 'read' scope")
    expect(body.error.message).toContain("'publish'")
  })

  it('approve/reject need admin: 403 with read, 200 with admin (admin implies read)', async () => {
    const denied = await h.call('/api/v1/remediations/r-web/approve', TOKENS.acmeRead, { method: 'POST' })
    expect(denied.status).toBe(403)
    expect(denied.body.error).toMatchObject({ code: 'TFD_ERR_SCOPE_MISSING' })
    expect(denied.body.error.message).toContain("needs the 'admin' scope")
    const adminReads = await h.call('/api/v1/drifts', TOKENS.globexAdmin)
    expect(adminReads.status).toBe(200)
  })
})

describe('validation (400) and not found (404)', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['/api/v1/drifts?limit=5000', 'query.limit', /query parameter 'limit' \(got '5000'\) must be a number <= 1000/],
    ['/api/v1/drifts?limit=0', 'query.limit', /must be a number >= 1/],
    ['/api/v1/drifts?page=abc', 'query.page', /query parameter 'page' \(got 'abc'\) must be an integer/],
    ['/api/v1/drifts?severity=urgent', 'query.severity', /must be one of critical, high, medium, low, info/],
    ['/api/v1/drifts?severity_min=x', 'query.severity_min', /one of critical/],
    ['/api/v1/drifts?kind=gone', 'query.kind', /one of missing, unmanaged, modified/],
    ['/api/v1/drifts?status=closed', 'query.status', /one of open, acknowledged, snoozed, remediated, resolved/],
    ['/api/v1/drifts?severty=high', 'query.severty', /query parameter 'severty'.*must be removed: no such query parameter; known ones are severity, severity_min/],
    ['/api/v1/remediations?status=maybe', 'query.status', /one of proposed, approved/],
    ['/api/v1/state/resources?limit=-1', 'query.limit', />= 1/],
    ['/api/v1/graph/impact/aws_vpc.main?max_depth=0', 'query.max_depth', />= 1/],
  ]
  for (const [path, field, message] of cases) {
    it(`400 for ${path}`, async () => {
      const { status, body } = await h.call(path, TOKENS.acmeRead)
      expect(status).toBe(400)
      expect(body.success).toBe(false)
      expect(body.error.code).toBe('TFD_ERR_REQUEST_INVALID')
      expect(body.error.message).toMatch(message)
      expect(body.error.details.map((d: any) => d.field)).toContain(field)
    })
  }

  it('reports every invalid parameter at once', async () => {
    const { body } = await h.call('/api/v1/drifts?limit=5000&kind=x', TOKENS.acmeRead)
    expect(body.error.details.map((d: any) => d.field).sort()).toEqual(['query.kind', 'query.limit'])
  })

  it('400 for a malformed JSON body', async () => {
    const { status, body } = await h.call('/api/v1/remediations/r-web/approve', TOKENS.acmeAdmin, { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } })
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'TFD_ERR_REQUEST_INVALID' })
    expect(body.error.message).toMatch(/not valid JSON/)
  })

  const missing: Array<[string, RegExp]> = [
    ['/api/v1/graph/impact/aws_nothing.here', /No resource in the graph 'aws_nothing.here'/],
    ['/api/v1/state/resources/aws_nothing.here', /No resource 'aws_nothing.here'/],
    ['/api/v1/events/nope', /No change event 'nope'/],
    ['/api/v1/drifts/nope', /No drift 'nope'/],
    ['/api/v1/remediations/nope', /No remediation plan 'nope'/],
    ['/api/v1/no-such-route', /No route GET \/api\/v1\/no-such-route/],
  ]
  for (const [path, message] of missing) {
    it(`404 for ${path}`, async () => {
      const { status, body } = await h.call(path, TOKENS.acmeRead)
      expect(status).toBe(404)
      expect(body).toMatchObject({ success: false, error: { code: 'TFD_ERR_NOT_FOUND' } })
      expect(body.error.message).toMatch(message)
    })
  }

  it('404 when approving an unknown plan, 409 when it was already decided', async () => {
    const unknown = await h.call('/api/v1/remediations/nope/approve', TOKENS.acmeAdmin, { method: 'POST' })
    expect(unknown.status).toBe(404)
    const done = await h.call('/api/v1/remediations/r-done/reject', TOKENS.acmeAdmin, { method: 'POST' })
    expect(done.status).toBe(409)
    expect(done.body.error).toMatchObject({ code: 'TFD_ERR_REMEDIATION_DECIDED' })
    expect(done.body.error.message).toMatch(/already applied/)
  })
})

describe('tenant isolation', () => {
  it('acme never sees globex data on any GET route', async () => {
    for (const path of ACME_GETS) {
      const { status, text } = await h.call(path, TOKENS.acmeRead)
      expect(status, path).toBe(200)
      expect(text.toLowerCase(), path).not.toContain('globex')
    }
  })

  it("globex's ids and addresses are 404 for acme, and acme's are 404 for globex", async () => {
    const globexOnly = ['/api/v1/events/globex-e1', '/api/v1/drifts/globex-d1', '/api/v1/remediations/globex-r1',
      '/api/v1/state/resources/aws_s3_bucket.globex_logs', '/api/v1/graph/impact/aws_s3_bucket.globex_logs']
    for (const path of globexOnly) {
      expect((await h.call(path, TOKENS.acmeRead)).status, path).toBe(404)
      expect((await h.call(path, TOKENS.globexRead)).status, path).toBe(200)
    }
    for (const path of ['/api/v1/events/e-1', '/api/v1/drifts/d-web', '/api/v1/remediations/r-web', '/api/v1/state/resources/aws_instance.web']) {
      expect((await h.call(path, TOKENS.globexRead)).status, path).toBe(404)
    }
  })

  it('the same address resolves per tenant', async () => {
    const acme = await h.call('/api/v1/state/resources/aws_vpc.main', TOKENS.acmeRead)
    const globex = await h.call('/api/v1/state/resources/aws_vpc.main', TOKENS.globexRead)
    expect(acme.body.data.attributes.id).toBe('vpc-1')
    expect(globex.body.data.attributes.id).toBe('vpc-globex')
    const globexGraph = await h.call('/api/v1/graph', TOKENS.globexRead)
    expect(globexGraph.body.data.node_count).toBe(2)
    const globexStats = await h.call('/api/v1/stats', TOKENS.globexRead)
    expect(globexStats.body.data.drifts.total).toBe(1)
    expect(globexStats.body.data.events).toBe(1)
  })

  it('an acme admin cannot decide a globex plan', async () => {
    const { status } = await h.call('/api/v1/remediations/globex-r1/approve', TOKENS.acmeAdmin, { method: 'POST' })
    expect(status).toBe(404)
    const still = await h.call('/api/v1/remediations/globex-r1', TOKENS.globexRead)
    expect(still.body.data.status).toBe('proposed')
  })
})
