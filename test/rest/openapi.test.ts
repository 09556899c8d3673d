/**
 * The OpenAPI document lists every registered route with its parameters, and every 200/4xx response
 * of the API conforms to the response schema the document declares for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { seed } from './fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness } from './harness.ts'

let h: Harness
let doc: any
beforeAll(async () => {
  const { store } = makeStore('memory')
  await seed(store)
  h = await startRest(store, new MemoryBus())
  doc = (await h.call('/api/v1/openapi.json', TOKENS.acmeRead)).body
})
afterAll(async () => { await h.close() })

const EXPECTED_OPERATIONS = [
  'get /api/v1/graph', 'get /api/v1/graph/nodes', 'get /api/v1/graph/edges', 'get /api/v1/graph/impact/{address}',
  'get /api/v1/state', 'get /api/v1/state/resources', 'get /api/v1/state/resources/{address}',
  'get /api/v1/events', 'get /api/v1/events/{id}', 'get /api/v1/drifts', 'get /api/v1/drifts/{id}', 'get /api/v1/stats',
  'get /api/v1/remediations', 'get /api/v1/remediations/{id}', 'post /api/v1/remediations/{id}/approve',
  'post /api/v1/remediations/{id}/reject', 'get /api/v1/openapi.json',
  'post /api/v1/remediations/change-sets', 'get /api/v1/remediations/change-sets', 'get /api/v1/remediations/change-sets/{id}',
  'get /api/v1/remediations/change-sets/{id}/plan.zip',
  'post /api/v1/drifts/{id}/acknowledge', 'post /api/v1/drifts/{id}/snooze', 'post /api/v1/drifts/{id}/reopen',
  'post /api/v1/drifts/{id}/resolve', 'get /api/v1/drifts/{id}/history', 'get /api/v1/session',
]

const REALTIME_OPERATIONS = ['get /ws', 'get /api/v1/stream', 'post /api/v1/publish', 'get /health', 'get /metrics']

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the registered routes plus the realtime server\'s', () => {
    expect(doc.openapi).toBe('3.1.0')
    const operations = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) => Object.keys(item).map((m) => `${m} ${path}`))
    expect(operations.sort()).toEqual([...EXPECTED_OPERATIONS, ...REALTIME_OPERATIONS].sort())
    // The routes fastify knows agree with the document (nothing registered but undocumented).
    for (const op of EXPECTED_OPERATIONS) {
      const [method, path] = op.split(' ')
      expect(h.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), op).toBe(true)
    }
  })

  it('documents parameters, scopes and response schemas', () => {
    const drifts = doc.paths['/api/v1/drifts'].get
    const names = drifts.parameters.map((p: any) => p.name)
    expect(names).toEqual(expect.arrayContaining(['severity', 'severity_min', 'kind', 'resource_type', 'provider', 'status', 'page', 'limit']))
    expect(drifts.parameters.find((p: any) => p.name === 'limit').schema).toMatchObject({ maximum: 1000, default: 50 })
    expect(drifts.responses['200'].content['application/json'].schema.properties.data.properties.items.type).toBe('array')
    expect(drifts.responses['4XX']).toBeDefined()
    const approve = doc.paths['/api/v1/remediations/{id}/approve'].post
    expect(approve['x-tfdrift-scope']).toBe('admin')
    expect(approve.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })])
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' })
    const operationIds = new Set<string>()
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        expect(op.summary, path).toBeTruthy()
        expect(op.responses['200'] ?? op.responses['101'], path).toBeDefined()
        expect(operationIds.has(op.operationId), op.operationId).toBe(false)
        operationIds.add(op.operationId)
      }
    }
  })
})

describe('response schema conformance', () => {
  const ajv = new Ajv({ strict: false, allErrors: true })
  function schemaFor(path: string, method: string, status: number): object {
    const op = doc.paths[path][method]
    return op.responses[String(status)]?.content['application/json'].schema ?? op.responses[`${String(status)[0]}XX`].content['application/json'].schema
  }
  const calls: Array<[string, string, string, string?]> = [
    ['/api/v1/graph', '/api/v1/graph', 'get'],
    ['/api/v1/graph/nodes?limit=2', '/api/v1/graph/nodes', 'get'],
    ['/api/v1/graph/edges', '/api/v1/graph/edges', 'get'],
    ['/api/v1/graph/impact/aws_vpc.main', '/api/v1/graph/impact/{address}', 'get'],
    ['/api/v1/graph/impact/nope', '/api/v1/graph/impact/{address}', 'get'],
    ['/api/v1/state', '/api/v1/state', 'get'],
    ['/api/v1/state/resources', '/api/v1/state/resources', 'get'],
    ['/api/v1/state/resources/module.db.aws_db_instance.this', '/api/v1/state/resources/{address}', 'get'],
    ['/api/v1/events', '/api/v1/events', 'get'],
    ['/api/v1/events/e-2', '/api/v1/events/{id}', 'get'],
    ['/api/v1/drifts', '/api/v1/drifts', 'get'],
    ['/api/v1/drifts?limit=9999', '/api/v1/drifts', 'get'],
    ['/api/v1/drifts/d-web', '/api/v1/drifts/{id}', 'get'],
    ['/api/v1/drifts/d-gcs', '/api/v1/drifts/{id}', 'get'],
    ['/api/v1/stats', '/api/v1/stats', 'get'],
    ['/api/v1/remediations', '/api/v1/remediations', 'get'],
    ['/api/v1/remediations/r-web', '/api/v1/remediations/{id}', 'get'],
    ['/api/v1/remediations/r-subnet/approve', '/api/v1/remediations/{id}/approve', 'post', TOKENS.acmeAdmin],
    ['/api/v1/remediations/r-subnet/reject', '/api/v1/remediations/{id}/reject', 'post', TOKENS.acmeAdmin],
  ]
  it.each(calls)('%s conforms to its declared schema', async (url, path, method, token) => {
    const { status, body } = await h.call(url, token ?? TOKENS.acmeRead, { method: method.toUpperCase() })
    const validate = ajv.compile(schemaFor(path, method, status))
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
  })
})
