/** State routes: a summary of the latest snapshots, resources (paginated, filtered) and one resource. */
import type { FastifyInstance } from 'fastify'
import type { RestContext } from '../index.ts'
import { notFound, principalOf } from '../http.ts'
import { maskResource } from '../../../drift/mask.ts'
import { pageOf, pageQuery, params, query, resourceSchema, responses } from '../schemas.ts'

const countMap = { type: 'object', additionalProperties: { type: 'integer' } }

/** Registers `/api/v1/state`, `/state/resources`, `/state/resources/:address`. */
export function registerStateRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: { pipeline?: string } }>('/api/v1/state', {
    schema: {
      summary: 'Latest expected and observed snapshots, with resource counts by type and provider', tags: ['state'],
      querystring: query({ pipeline: { type: 'string' } }),
      response: responses({
        type: 'object', required: ['snapshots', 'resource_count', 'by_type', 'by_provider'],
        properties: {
          snapshots: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                kind: { type: 'string' }, source: { type: 'string' }, taken_at: { type: 'string' }, serial: { type: 'integer' },
                lineage: { type: 'string' }, terraform_version: { type: 'string' }, resource_count: { type: 'integer' },
                covered_types: { type: 'array', items: { type: 'string' } },
              },
            },
          },
          resource_count: { type: 'integer', description: 'Resources in the latest expected snapshots' },
          by_type: countMap, by_provider: countMap,
        },
      }),
    },
  }, async (request) => {
    const view = await ctx.graphs.view(principalOf(request).tenant, request.query.pipeline)
    const { snapshots, resource_count, by_type, by_provider } = view
    return { success: true, data: { snapshots, resource_count, by_type, by_provider } }
  })

  app.get<{ Querystring: { type?: string; provider?: string; pipeline?: string; kind: 'expected' | 'observed'; page: number; limit: number } }>('/api/v1/state/resources', {
    schema: {
      summary: 'Resources of the latest snapshots, paginated; sensitive attribute values are masked', tags: ['state'],
      querystring: query({ type: { type: 'string', description: 'Resource type, e.g. aws_instance' }, provider: { type: 'string', description: 'Provider short name, e.g. aws' }, pipeline: { type: 'string' },
        kind: { type: 'string', enum: ['expected', 'observed'], default: 'expected', description: 'Resources Terraform expects, or those observed live' }, ...pageQuery }),
      response: responses(pageOf(resourceSchema)),
    },
  }, async (request) => {
    const { type, provider, pipeline, kind, page, limit } = request.query
    const { tenant } = principalOf(request)
    const result = await ctx.store.listResources(tenant, { type, provider, pipeline, kind, page, limit })
    const marks = (await ctx.graphs.view(tenant, pipeline)).sensitive_paths
    return { success: true, data: { ...result, page, limit, items: result.items.map((r) => maskResource(r, { alsoSensitive: marks.get(r.address) })) } }
  })

  app.get<{ Params: { address: string } }>('/api/v1/state/resources/:address', {
    schema: {
      summary: 'One resource by its full Terraform address (URL-encoded)', tags: ['state'],
      params: params({ address: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: responses(resourceSchema),
    },
  }, async (request) => {
    const { tenant } = principalOf(request)
    const resource = await ctx.store.getResource(tenant, request.params.address)
    if (!resource) throw notFound('resource', request.params.address)
    const marks = (await ctx.graphs.view(tenant)).sensitive_paths
    return { success: true, data: maskResource(resource, { alsoSensitive: marks.get(resource.address) }) }
  })
}
