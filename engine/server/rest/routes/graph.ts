/** Graph routes: the Cytoscape graph, paginated nodes/edges, and impact (transitive dependents). */
import type { FastifyInstance } from 'fastify'
import { SEVERITIES, type Drift } from '../../../model.ts'
import type { RestContext } from '../index.ts'
import { notFound, principalOf } from '../http.ts'
import { graphEdgeSchema, graphNodeSchema, pageOf, pageQuery, params, query, responses } from '../schemas.ts'
import type { GraphNode, ResourceGraph } from '../../../graph/index.ts'
import { allPages, slicePage } from './paging.ts'

const pipelineParam = { pipeline: { type: 'string', description: 'Only the snapshots of this pipeline' } }

/** Registers `/api/v1/graph`, `/graph/nodes`, `/graph/edges`, `/graph/impact/:address`. */
export function registerGraphRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: { pipeline?: string } }>('/api/v1/graph', {
    schema: {
      summary: 'The resource graph as Cytoscape.js elements JSON; nodes carry their worst open drift', tags: ['graph'],
      querystring: query(pipelineParam),
      response: responses({
        type: 'object', required: ['elements', 'node_count', 'edge_count'],
        properties: {
          elements: {
            type: 'object', properties: {
              nodes: { type: 'array', items: { type: 'object', properties: { data: graphNodeSchema } } },
              edges: { type: 'array', items: { type: 'object', properties: { data: graphEdgeSchema } } },
            },
          },
          node_count: { type: 'integer' }, edge_count: { type: 'integer' },
        },
      }),
    },
  }, async (request, reply) => {
    const { tenant } = principalOf(request)
    const graph = await ctx.graphs.get(tenant, request.query.pipeline)
    const worst = await worstOpenDrifts(ctx, tenant)
    return reply.type('application/json; charset=utf-8').send(cytoscapeJson(graph, worst))
  })

  app.get<{ Querystring: { pipeline?: string; type?: string; provider?: string; page: number; limit: number } }>('/api/v1/graph/nodes', {
    schema: {
      summary: 'Graph nodes, paginated', tags: ['graph'],
      querystring: query({ ...pipelineParam, type: { type: 'string' }, provider: { type: 'string' }, ...pageQuery }),
      response: responses(pageOf(graphNodeSchema)),
    },
  }, async (request) => {
    const { tenant } = principalOf(request)
    const { type, provider, page, limit } = request.query
    const graph = await ctx.graphs.get(tenant, request.query.pipeline)
    const matching = graph.nodes.filter((n) => (!type || n.type === type) && (!provider || n.provider === provider))
    const slice = slicePage(matching, page, limit)
    return { success: true, data: { ...slice, items: await annotate(ctx, tenant, { ...graph, nodes: slice.items }) } }
  })

  app.get<{ Querystring: { pipeline?: string; page: number; limit: number } }>('/api/v1/graph/edges', {
    schema: {
      summary: 'Graph edges (dependent → dependency; kind depends_on from state, or reference inferred from attribute values), paginated', tags: ['graph'],
      querystring: query({ ...pipelineParam, ...pageQuery }),
      response: responses(pageOf(graphEdgeSchema)),
    },
  }, async (request) => {
    const graph = await ctx.graphs.get(principalOf(request).tenant, request.query.pipeline)
    return { success: true, data: slicePage(graph.edges, request.query.page, request.query.limit) }
  })

  app.get<{ Params: { address: string }; Querystring: { pipeline?: string; max_depth?: number; page: number; limit: number } }>('/api/v1/graph/impact/:address', {
    schema: {
      summary: 'Every resource that depends on this one, directly or transitively (nearest first)', tags: ['graph'],
      params: params({ address: { type: 'string', minLength: 1, description: 'Resource instance address (URL-encoded)' } }),
      querystring: query({ ...pipelineParam, max_depth: { type: 'integer', minimum: 1, description: 'Stop after this many hops' }, ...pageQuery }),
      response: responses({
        type: 'object', required: ['address', 'items', 'total', 'page', 'limit'],
        properties: {
          address: { type: 'string' },
          items: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, address: { type: 'string' }, type: { type: 'string' }, provider: { type: 'string' }, depth: { type: 'integer' } } } },
          total: { type: 'integer' }, page: { type: 'integer' }, limit: { type: 'integer' },
        },
      }),
    },
  }, async (request) => {
    const { address } = request.params
    const graph = await ctx.graphs.get(principalOf(request).tenant, request.query.pipeline)
    if (!graph.byId.has(address)) throw notFound('resource in the graph', address)
    const { max_depth: maxDepth, page, limit } = request.query
    const impact = graph.impact(address).filter((e) => maxDepth === undefined || e.depth <= maxDepth)
    return { success: true, data: { address, ...slicePage(impact, page, limit) } }
  })
}

type Worst = Map<string, { rank: number; count: number }>

/** Worst open drift (severity rank) and open drift count per address. */
async function worstOpenDrifts(ctx: RestContext, tenant: string): Promise<Worst> {
  const open: Drift[] = await allPages((page, limit) => ctx.store.listDrifts(tenant, { status: 'open', page, limit }))
  const worst: Worst = new Map()
  for (const d of open) {
    if (!d.address) continue
    const rank = SEVERITIES.indexOf(d.severity)
    const entry = worst.get(d.address)
    if (entry) { entry.count++; entry.rank = Math.min(entry.rank, rank) } else worst.set(d.address, { rank, count: 1 })
  }
  return worst
}

type AnnotatedNode = GraphNode & { drift_severity?: string; drift_count?: number }

function annotateNode(n: GraphNode, worst: Worst): AnnotatedNode {
  const w = worst.get(n.address)
  return w ? { ...n, drift_severity: SEVERITIES[w.rank], drift_count: w.count } : n
}

/** Copies of the nodes with their worst open drift severity and open drift count. */
async function annotate(ctx: RestContext, tenant: string, graph: Pick<ResourceGraph, 'nodes'>): Promise<AnnotatedNode[]> {
  const worst = await worstOpenDrifts(ctx, tenant)
  return graph.nodes.map((n) => annotateNode(n, worst))
}

/** Per graph: each node's `{"data":…}` JSON without drift annotations, and the whole edges array. */
const serialized = new WeakMap<ResourceGraph, { nodes: string[]; edges: string }>()

/**
 * The `/api/v1/graph` body as a string. The route's schema documents the shape; the JSON is built
 * here because a cached graph's nodes and edges are serialised once and reused, so a 100k-node
 * graph costs one string join per request instead of a full serialisation.
 */
function cytoscapeJson(graph: ResourceGraph, worst: Worst): string {
  let cached = serialized.get(graph)
  if (!cached) {
    cached = { nodes: graph.nodes.map((data) => JSON.stringify({ data })), edges: JSON.stringify(graph.edges.map((data) => ({ data }))) }
    serialized.set(graph, cached)
  }
  const nodes = worst.size === 0 ? cached.nodes : graph.nodes.map((n, i) => (worst.has(n.address) ? JSON.stringify({ data: annotateNode(n, worst) }) : cached!.nodes[i]))
  return `{"success":true,"data":{"elements":{"nodes":[${nodes.join(',')}],"edges":${cached.edges}},"node_count":${graph.nodes.length},"edge_count":${graph.edges.length}}}`
}
