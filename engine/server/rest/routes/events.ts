/** Change-event routes: the out-of-band changes sources reported (Falco, CloudTrail, webhooks). */
import type { FastifyInstance } from 'fastify'
import type { RestContext } from '../index.ts'
import { notFound, principalOf } from '../http.ts'
import { changeEventSchema, pageOf, pageQuery, params, query, responses } from '../schemas.ts'

/** Registers `/api/v1/events` and `/api/v1/events/:id`. */
export function registerEventRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: { resource_id?: string; event_name?: string; page: number; limit: number } }>('/api/v1/events', {
    schema: {
      summary: 'Change events, newest first, paginated', tags: ['events'],
      querystring: query({ resource_id: { type: 'string' }, event_name: { type: 'string', description: 'e.g. AuthorizeSecurityGroupIngress' }, ...pageQuery }),
      response: responses(pageOf(changeEventSchema)),
    },
  }, async (request) => {
    const { resource_id, event_name, page, limit } = request.query
    const result = await ctx.store.listChangeEvents(principalOf(request).tenant, { resource_id, event_name, page, limit })
    return { success: true, data: { ...result, page, limit } }
  })

  app.get<{ Params: { id: string } }>('/api/v1/events/:id', {
    schema: {
      summary: 'One change event', tags: ['events'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: responses(changeEventSchema),
    },
  }, async (request) => {
    const event = await ctx.store.getChangeEvent(principalOf(request).tenant, request.params.id)
    if (!event) throw notFound('change event', request.params.id)
    return { success: true, data: event }
  })
}
