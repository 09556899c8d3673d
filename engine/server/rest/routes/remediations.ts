/** Remediation routes: list/get plans, and approve or reject one (admin scope; published on the bus). */
import type { FastifyInstance } from 'fastify'
import type { RemediationStatus } from '../../../model.ts'
import type { RestContext } from '../index.ts'
import { HttpError, notFound, principalOf } from '../http.ts'
import { pageOf, pageQuery, params, query, remediationSchema, remediationStatusEnum, responses } from '../schemas.ts'

/** Registers `/api/v1/remediations`, `/remediations/:id` and `POST /remediations/:id/approve|reject`. */
export function registerRemediationRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get<{ Querystring: { status?: RemediationStatus; page: number; limit: number } }>('/api/v1/remediations', {
    schema: {
      summary: 'Remediation plans, paginated, optionally by status', tags: ['remediations'],
      querystring: query({ status: remediationStatusEnum, ...pageQuery }),
      response: responses(pageOf(remediationSchema)),
    },
  }, async (request) => {
    const { status, page, limit } = request.query
    const result = await ctx.store.listRemediations(principalOf(request).tenant, { status, page, limit })
    return { success: true, data: { ...result, page, limit } }
  })

  app.get<{ Params: { id: string } }>('/api/v1/remediations/:id', {
    schema: {
      summary: 'One remediation plan', tags: ['remediations'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: responses(remediationSchema),
    },
  }, async (request) => {
    const plan = await ctx.store.getRemediation(principalOf(request).tenant, request.params.id)
    if (!plan) throw notFound('remediation plan', request.params.id)
    return { success: true, data: plan }
  })

  for (const action of ['approve', 'reject'] as const) {
    const status = action === 'approve' ? 'approved' : 'rejected'
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(`/api/v1/remediations/:id/${action}`, {
      config: { scope: 'admin' },
      schema: {
        summary: `${action === 'approve' ? 'Approve' : 'Reject'} a proposed plan (admin scope); records who (and, for a reject, the body's reason) and publishes remediation.${status}`, tags: ['remediations'],
        params: params({ id: { type: 'string', minLength: 1 } }),
        querystring: query({}),
        // fastify validates a missing body as null: a reject without a reason stays valid.
        ...(action === 'reject' ? { body: { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000, description: 'Why the plan is rejected (stored on the plan as `reason`)' } } } } : {}),
        response: responses(remediationSchema),
      },
    }, async (request) => {
      const principal = principalOf(request)
      const { id } = request.params
      const plan = await ctx.store.getRemediation(principal.tenant, id)
      if (!plan) throw notFound('remediation plan', id)
      if (plan.status !== 'proposed') {
        throw new HttpError(409, 'TFD_ERR_REMEDIATION_DECIDED', `Remediation plan '${id}' is already ${plan.status}${plan.decided_by ? ` (by ${plan.decided_by})` : ''}; only proposed plans can be ${status}.`)
      }
      const decided = await ctx.store.decideRemediation(principal.tenant, id, status, principal.name, request.body?.reason)
      if (!decided) throw notFound('remediation plan', id)
      await ctx.bus.publish({ topic: 'remediations', type: `remediation.${status}`, tenant: principal.tenant, data: decided })
      ctx.logger.info({ tenant: principal.tenant, remediation_id: id, by: principal.name, status }, `Remediation plan ${status}.`)
      return { success: true, data: decided }
    })
  }
}
