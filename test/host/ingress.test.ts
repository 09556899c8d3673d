/** The ingress table and its pre-run check, without a server: the rules the server and `validate` rely on. */
import { describe, expect, it } from 'vitest'
import { checkIngress, ingressFor, IngressTable, routeFor, type DeclaringNode } from '../../engine/host/ingress.ts'
import { definePlugin, type IngressRoute } from '../../engine/plugin-api.ts'
import { buildPipelineGraph } from '../../engine/dataflow/graph.ts'

const route = (path = '/hooks/x'): IngressRoute => ({ method: 'POST', path, scope: 'publish', handle: async () => ({ status: 202 }) })
const owner = (tenant: string, node = `${tenant}.sources.0`) => ({ tenant, pipeline: tenant, node, plugin: 'hook' })

describe('ingress table', () => {
  it('keeps one route per tenant on a path and removes only the route object it is given', () => {
    const table = new IngressTable()
    const acme = route(); const beta = route()
    ingressFor(table, owner('acme')).register(acme)
    ingressFor(table, owner('beta')).register(beta)
    expect(() => ingressFor(table, owner('acme', 'acme.sources.1')).register(route())).toThrow(expect.objectContaining({ code: 'TFD_ERR_INGRESS_CONFLICT', message: expect.stringContaining('"acme.sources.0"') }))
    const bindings = table.find('POST', '/hooks/x')!
    expect(routeFor(bindings, 'beta')?.route).toBe(beta)
    expect(routeFor(bindings, 'gamma')).toBeUndefined()
    table.unregister(acme)
    expect(routeFor(table.find('POST', '/hooks/x')!, 'beta')?.route).toBe(beta)
    expect(table.reachableBy('acme')).toEqual([])
  })

  it('lets a route without owner (an embedder\'s) serve every tenant, and so share its path with none', () => {
    const table = new IngressTable((p) => p === '/api/v1/publish')
    table.register(route())
    expect(routeFor(table.find('POST', '/hooks/x')!, 'anyone')).toBeDefined()
    expect(() => ingressFor(table, owner('acme')).register(route())).toThrow(/already registered/)
    expect(() => ingressFor(table, owner('acme')).register(route('/api/v1/publish'))).toThrow(expect.objectContaining({ code: 'TFD_ERR_INGRESS_CONFLICT' }))
  })
})

describe('checkIngress', () => {
  const declaring = (ingress: (o: Record<string, unknown>) => Array<Pick<IngressRoute, 'method' | 'path' | 'scope'>>) =>
    definePlugin({ name: 'hook', kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {}, ingress, create: () => ({ output: [] as never }) })
  const nodes = (tenant: string, definition: ReturnType<typeof declaring>, options: Record<string, unknown>[]): DeclaringNode[] =>
    buildPipelineGraph(tenant, { tenant, sources: options.map(() => ({ use: 'hook' })) }).nodes.map((node, i) => ({ tenant, node, definition, options: options[i]! }))

  it('reports a server path, and a declaration that throws, at the node', () => {
    const byOption = declaring((o) => [{ method: 'POST', path: String(o.path), scope: 'publish' }])
    const broken = declaring(() => { throw new Error('boom') })
    expect(checkIngress([...nodes('acme', byOption, [{ path: '/api/v1/publish' }]), ...nodes('beta', broken, [{}])])).toEqual([
      expect.objectContaining({ code: 'TFD_ERR_INGRESS_CONFLICT', pointer: '/pipelines/acme/sources/0', message: expect.stringContaining('serves itself') }),
      expect.objectContaining({ code: 'TFD_ERR_PLUGIN_INVALID', pointer: '/pipelines/beta/sources/0', message: expect.stringContaining('boom') }),
    ])
  })

  it('tells methods apart and reports each later duplicate of a tenant', () => {
    const byOption = declaring((o) => [{ method: o.method as 'POST' | 'PUT', path: '/hooks/x', scope: 'publish' }])
    const problems = checkIngress(nodes('acme', byOption, [{ method: 'POST' }, { method: 'PUT' }, { method: 'POST' }, { method: 'PUT' }]))
    expect(problems.map((p) => p.pointer)).toEqual(['/pipelines/acme/sources/2', '/pipelines/acme/sources/3'])
  })
})
