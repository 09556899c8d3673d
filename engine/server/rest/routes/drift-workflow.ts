/**
 * Drift workflow routes: acknowledge, snooze, reopen and resolve a drift (admin scope), and its history.
 * Each change is stored with who/when/why and published on `drifts` as `drift.updated`, so every
 * dashboard and transport sees the decision the moment it is made.
 */
import type { FastifyInstance } from 'fastify'
import type { Drift } from '../../../model.ts'
import type { RestContext } from '../index.ts'
import { HttpError, notFound, principalOf } from '../http.ts'
import { maskDrift } from '../../../drift/mask.ts'
import { SNOOZE_EXPIRED, TRANSITIONS, type DriftAction } from '../../../drift/workflow.ts'
import { driftSchema, pageOf, pageQuery, params, query, responses, statusChangeSchema } from '../schemas.ts'
import { slicePage } from './paging.ts'

const NOTE_MAX = 2000

/** Registers `POST /api/v1/drifts/:id/acknowledge|snooze|reopen|resolve` and `GET /api/v1/drifts/:id/history`. */
export function registerDriftWorkflowRoutes(app: FastifyInstance, ctx: RestContext): void {
  for (const action of Object.keys(TRANSITIONS) as DriftAction[]) {
    const { to, from } = TRANSITIONS[action]
    app.post<{ Params: { id: string }; Body: { note?: string; until?: string } | undefined }>(`/api/v1/drifts/:id/${action}`, {
      // admin, like approving a remediation: the decision hides or closes a drift for everyone in the tenant.
      config: { scope: 'admin' },
      schema: {
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} a drift (admin scope; from ${from.join('/')}); records who, when and why and publishes drift.updated`,
        tags: ['drifts'],
        params: params({ id: { type: 'string', minLength: 1 } }),
        querystring: query({}),
        // fastify validates a missing body as null: no body is a valid "no note".
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: action === 'snooze' ? ['until'] : [],
          properties: {
            note: { type: 'string', maxLength: NOTE_MAX, description: 'Why (kept in the history)' },
            ...(action === 'snooze' ? { until: { type: 'string', format: 'date-time', description: 'When the drift reopens by itself (RFC 3339, in the future)' } } : {}),
          },
        },
        response: responses(driftSchema),
      },
    }, async (request) => {
      const principal = principalOf(request)
      const { id } = request.params
      const body = request.body ?? {}
      if (action === 'snooze' && body.until === undefined) throw new HttpError(400, 'TFD_ERR_REQUEST_INVALID', 'Snoozing needs body.until, the RFC 3339 time at which the drift reopens.')
      await reopenExpired(ctx, principal.tenant)
      const drift = await ctx.store.getDrift(principal.tenant, id)
      if (!drift) throw notFound('drift', id)
      if (!from.includes(drift.status)) {
        throw new HttpError(409, 'TFD_ERR_DRIFT_TRANSITION', `Drift '${id}' is ${drift.status}${drift.status_by ? ` (by ${drift.status_by})` : ''}; it can be ${TRANSITIONS[action].to === 'open' ? 'reopened' : `${action}d`} only from ${from.join(', ')}.`)
      }
      const now = ctx.clock.isoNow()
      if (body.until !== undefined && !(Date.parse(body.until) > ctx.clock.now())) {
        throw new HttpError(400, 'TFD_ERR_REQUEST_INVALID', `body.until (${body.until}) must be a time in the future; it is when the drift reopens.`)
      }
      const updated = await ctx.store.setDriftStatus(principal.tenant, {
        drift_id: id, status: to, changed_at: now, by: principal.name,
        ...(body.note !== undefined ? { note: body.note } : {}), ...(body.until !== undefined ? { until: new Date(body.until).toISOString() } : {}),
      })
      if (!updated) throw notFound('drift', id)
      await publish(ctx, principal.tenant, updated)
      ctx.logger.info({ tenant: principal.tenant, drift_id: id, by: principal.name, status: to }, `Drift ${to} by hand.`)
      return { success: true, data: maskDrift(updated) }
    })
  }

  app.get<{ Params: { id: string }; Querystring: { page: number; limit: number } }>('/api/v1/drifts/:id/history', {
    schema: {
      summary: 'A drift\'s history, oldest first: detections, updates and status changes with who, when and why; paginated', tags: ['drifts'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({ ...pageQuery }),
      response: responses(pageOf(statusChangeSchema)),
    },
  }, async (request) => {
    const { history } = await driftWithHistory(ctx, principalOf(request).tenant, request.params.id)
    return { success: true, data: slicePage(history, request.query.page, request.query.limit) }
  })
}

/** One drift of `tenant` and its history, read after due snoozes reopened; 404 when the tenant has no such drift. */
export async function driftWithHistory(ctx: RestContext, tenant: string, id: string) {
  await reopenExpired(ctx, tenant)
  const drift = await ctx.store.getDrift(tenant, id)
  if (!drift) throw notFound('drift', id)
  return { drift, history: await ctx.store.driftHistory(tenant, drift.id) }
}

/**
 * Reopens the tenant's snoozes whose time has passed, publishing each. Run before every drift read,
 * so nobody is shown a drift as snoozed past its time, whether or not a timer fired.
 */
export async function reopenExpired(ctx: RestContext, tenant: string): Promise<void> {
  const snoozed = await ctx.store.listDrifts(tenant, { status: 'snoozed', page: 1, limit: 1000 })
  const now = ctx.clock.now()
  for (const drift of snoozed.items) {
    if (drift.snoozed_until === undefined || Date.parse(drift.snoozed_until) > now) continue
    const reopened = await ctx.store.setDriftStatus(tenant, {
      drift_id: drift.id, status: 'open', changed_at: ctx.clock.isoNow(), by: SNOOZE_EXPIRED, note: `snoozed until ${drift.snoozed_until}`,
    })
    if (reopened) await publish(ctx, tenant, reopened)
  }
}

function publish(ctx: RestContext, tenant: string, drift: Drift): Promise<unknown> {
  return ctx.bus.publish({ topic: 'drifts', type: 'drift.updated', tenant, data: maskDrift(drift) })
}
