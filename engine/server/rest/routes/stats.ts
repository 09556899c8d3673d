/** Stats route: drift counts by kind/severity/status, coverage, totals and runtime counters. */
import type { FastifyInstance } from 'fastify'
import { SEVERITIES } from '../../../model.ts'
import { computeStats, KINDS, PLAN_STATUSES, STATUSES } from '../../../stats.ts'
import type { RestContext } from '../index.ts'
import { principalOf } from '../http.ts'
import { coverageSchema, query, responses } from '../schemas.ts'

const counts = (keys: readonly string[]) => ({ type: 'object', required: [...keys], properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])) })

/** Registers `/api/v1/stats`. */
export function registerStatsRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get('/api/v1/stats', {
    schema: {
      summary: 'Drift counts by kind, severity and status; coverage (managed / (managed + unmanaged + missing)); totals', tags: ['stats'],
      querystring: query({}),
      response: responses({
        type: 'object', required: ['drifts', 'coverage', 'resources', 'events', 'remediations'],
        properties: {
          drifts: {
            type: 'object', required: ['total', 'by_kind', 'by_severity', 'by_status'],
            properties: { total: { type: 'integer' }, by_kind: counts(KINDS), by_severity: counts(SEVERITIES), by_status: counts(STATUSES) },
          },
          coverage: coverageSchema,
          resources: { type: 'integer' },
          events: { type: 'integer' },
          remediations: { type: 'object', required: ['total', 'by_status'], properties: { total: { type: 'integer' }, by_status: counts(PLAN_STATUSES) } },
          runtime: { type: 'object', additionalProperties: true },
        },
      }),
    },
  }, async (request) => {
    const principal = principalOf(request)
    const data = await computeStats(ctx.store, ctx.graphs, principal.tenant)
    const runtime = ctx.stats?.(principal)
    return { success: true, data: { ...data, ...(runtime && typeof runtime === 'object' ? { runtime } : {}) } }
  })
}
