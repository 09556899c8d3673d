/**
 * Graph routes: the Cytoscape graph, paginated nodes/edges, and impact (transitive dependents).
 * The graph and node/edge pages carry `cursor`, the positions of the tenant's `graph` and `drifts`
 * streams taken before the read: a client that loads the graph and then follows those streams from
 * there misses nothing (engine/graph/live-graph.ts publishes a delta after any read that saw a change).
 */
import type { FastifyInstance } from 'fastify'
import type { Bus, StreamPosition } from '../../../bus/bus.ts'
import type { RestContext } from '../index.ts'
import { notFound, principalOf } from '../http.ts'
import { GRAPH_MAX_LIMIT, graphEdgeSchema, graphNodeSchema, graphCursorSchema, pageOf, pageQuery, pageQueryUpTo, params, query, responses } from '../schemas.ts'
import type { ResourceGraph } from '../../../graph/index.ts'
import { markNode, type DriftMarks } from '../../../graph/drift-marks.ts'
import { slicePage } from './paging.ts'

const pipelineParam = { pipeline: { type: 'string', description: 'Only the snapshots of this pipeline (the `graph` stream always follows the whole tenant graph)' } }
const graphPageQuery = pageQueryUpTo(GRAPH_MAX_LIMIT)
const RESUME = 'The page carries `cursor`: where the tenant\'s `graph` and `drifts` streams stood before the read; subscribe to `graph` (and `drifts`) with `since` = that offset and its epoch, and apply each `graph.delta` (idempotent upserts and removals) — nothing is missed, and an event replayed over what the page already showed changes nothing.'

interface StreamCursor { graph: { offset: number; epoch: string }; drifts: { offset: number; epoch: string } }

/** Positions of the tenant's graph and drifts streams; taken before reading the graph, so a change after them is never lost. */
async function cursorBefore(bus: Bus, tenant: string): Promise<StreamCursor> {
  const at = (p: StreamPosition) => ({ offset: p.last_offset, epoch: p.epoch })
  const [graph, drifts] = await Promise.all([bus.position(tenant, 'graph'), bus.position(tenant, 'drifts')])
  return { graph: at(graph), drifts: at(drifts) }
}

/** Registers `/api/v1/graph`, `/graph/nodes`, `/graph/edges`, `/graph/impact/:address`. */
export function registerGraphRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: { pipeline?: string } }>('/api/v1/graph', {
    schema: {
      summary: 'The resource graph as Cytoscape.js elements JSON; nodes carry their worst open drift; `cursor` tells where to follow the `graph` and `drifts` streams from', tags: ['graph'],
      querystring: query(pipelineParam),
      response: responses({
        type: 'object', required: ['elements', 'node_count', 'edge_count', 'cursor'],
        properties: {
          elements: {
            type: 'object', properties: {
              nodes: { type: 'array', items: { type: 'object', properties: { data: graphNodeSchema } } },
              edges: { type: 'array', items: { type: 'object', properties: { data: graphEdgeSchema } } },
            },
          },
          node_count: { type: 'integer' }, edge_count: { type: 'integer' }, cursor: graphCursorSchema,
        },
      }),
    },
  }, async (request, reply) => {
    const { tenant } = principalOf(request)
    const cursor = await cursorBefore(ctx.bus, tenant)
    const graph = await ctx.graphs.get(tenant, request.query.pipeline)
    const marks = await ctx.graphs.marks.read(tenant)
    return reply.type('application/json; charset=utf-8').send(cytoscapeJson(graph, marks, cursor))
  })

  app.get<{ Querystring: { pipeline?: string; type?: string; provider?: string; page: number; limit: number } }>('/api/v1/graph/nodes', {
    schema: {
      summary: `Graph nodes with their worst open drift, paginated (up to ${GRAPH_MAX_LIMIT} a page). ${RESUME}`, tags: ['graph'],
      querystring: query({ ...pipelineParam, type: { type: 'string' }, provider: { type: 'string' }, ...graphPageQuery }),
      response: responses(pageOf(graphNodeSchema, { cursor: graphCursorSchema }, ['cursor'])),
    },
  }, async (request) => {
    const { tenant } = principalOf(request)
    const { type, provider, page, limit } = request.query
    const cursor = await cursorBefore(ctx.bus, tenant)
    const graph = await ctx.graphs.get(tenant, request.query.pipeline)
    const matching = graph.nodes.filter((n) => (!type || n.type === type) && (!provider || n.provider === provider))
    const slice = slicePage(matching, page, limit)
    const marks = await ctx.graphs.marks.read(tenant)
    return { success: true, data: { ...slice, items: slice.items.map((n) => markNode(n, marks)), cursor } }
  })

  app.get<{ Querystring: { pipeline?: string; page: number; limit: number } }>('/api/v1/graph/edges', {
    schema: {
      summary: `Graph edges (dependent → dependency; kind depends_on from state, or reference inferred from attribute values), paginated (up to ${GRAPH_MAX_LIMIT} a page). ${RESUME}`, tags: ['graph'],
      querystring: query({ ...pipelineParam, ...graphPageQuery }),
      response: responses(pageOf(graphEdgeSchema, { cursor: graphCursorSchema }, ['cursor'])),
    },
  }, async (request) => {
    const { tenant } = principalOf(request)
    const cursor = await cursorBefore(ctx.bus, tenant)
    const graph = await ctx.graphs.get(tenant, request.query.pipeline)
    return { success: true, data: { ...slicePage(graph.edges, request.query.page, request.query.limit), cursor } }
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

/** Per graph: each node's `{"data":…}` JSON without drift annotations, and the whole edges array. */
const serialized = new WeakMap<ResourceGraph, { nodes: string[]; edges: string }>()

/**
 * The `/api/v1/graph` body as a string. The route's schema documents the shape; the JSON is built
 * here because a cached graph's nodes and edges are serialised once and reused, so a 100k-node
 * graph costs one string join per request instead of a full serialisation.
 */
function cytoscapeJson(graph: ResourceGraph, marks: DriftMarks, cursor: StreamCursor): string {
  let cached = serialized.get(graph)
  if (!cached) {
    cached = { nodes: graph.nodes.map((data) => JSON.stringify({ data })), edges: JSON.stringify(graph.edges.map((data) => ({ data }))) }
    serialized.set(graph, cached)
  }
  const nodes = marks.size === 0 ? cached.nodes : graph.nodes.map((n, i) => (marks.has(n.address) ? JSON.stringify({ data: markNode(n, marks) }) : cached!.nodes[i]))
  return `{"success":true,"data":{"elements":{"nodes":[${nodes.join(',')}],"edges":${cached.edges}},"node_count":${graph.nodes.length},"edge_count":${graph.edges.length},"cursor":${JSON.stringify(cursor)}}}`
}
