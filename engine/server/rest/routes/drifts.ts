/** Drift routes: filtered, paginated drifts and one drift with its status history. */
import type { FastifyInstance } from 'fastify'
import type { DriftQuery } from '../../../store/store.ts'
import type { RestContext } from '../index.ts'
import { principalOf } from '../http.ts'
import { driftWithHistory, reopenExpired } from './drift-workflow.ts'
import { maskDrift } from '../../../drift/mask.ts'
import { driftKindEnum, driftSchema, driftStatusEnum, pageOf, pageQuery, params, query, responses, severityEnum, statusChangeSchema } from '../schemas.ts'

/** Registers `/api/v1/drifts` and `/api/v1/drifts/:id`. */
export function registerDriftRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: DriftQuery & { page: number; limit: number } }>('/api/v1/drifts', {
    schema: {
      summary: 'Drifts, paginated, filtered by severity, kind, type, provider, status or address (status=open leaves out snoozed drifts until their time)', tags: ['drifts'],
      querystring: query({
        severity: { ...severityEnum, description: 'Exactly this severity' },
        severity_min: { ...severityEnum, description: 'At least this severe' },
        kind: driftKindEnum, resource_type: { type: 'string' }, provider: { type: 'string' }, status: driftStatusEnum,
        address: { type: 'string' },
        cursor: { type: 'string', maxLength: 512, description: '`next_cursor` of the previous page: keyset pagination, stable while drifts are added (takes precedence over page)' },
        ...pageQuery,
      }),
      response: responses(pageOf(driftSchema)),
    },
  }, async (request) => {
    const { token: _token, ...q } = request.query as DriftQuery & { page: number; limit: number; token?: string }
    await reopenExpired(ctx, principalOf(request).tenant)
    const result = await ctx.store.listDrifts(principalOf(request).tenant, q)
    return { success: true, data: { ...result, page: q.page, limit: q.limit, items: result.items.map(maskDrift) } }
  })

  app.get<{ Params: { id: string } }>('/api/v1/drifts/:id', {
    schema: {
      summary: 'One drift with its status history (oldest first)', tags: ['drifts'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: responses({
        ...driftSchema,
        required: [...(driftSchema.required as string[]), 'history'],
        properties: { ...(driftSchema.properties as object), history: { type: 'array', items: statusChangeSchema } },
      }),
    },
  }, async (request) => {
    const { drift, history } = await driftWithHistory(ctx, principalOf(request).tenant, request.params.id)
    return { success: true, data: { ...maskDrift(drift), history } }
  })
}
