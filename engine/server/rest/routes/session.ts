/** `GET /api/v1/session`: who the caller is, so a dashboard knows whether to ask for a token and show admin actions. */
import type { FastifyInstance } from 'fastify'
import { principalOf } from '../http.ts'
import { responses } from '../schemas.ts'

/** Registers `/api/v1/session`; `authConfigured` is false only on a server without `server.auth` (the open demo). */
export function registerSessionRoutes(app: FastifyInstance, authConfigured: boolean): void {
  app.get('/api/v1/session', {
    schema: {
      summary: 'Who you are: your tenant, scopes and token name, and whether this server checks credentials at all (`auth: false` on a server without `server.auth`, where everyone reads tenant `default`). A missing or bad token where auth is configured answers 401 like every route.',
      tags: ['meta'],
      response: responses({
        type: 'object', required: ['tenant', 'scopes', 'auth'],
        properties: {
          tenant: { type: 'string', description: 'The tenant every request of yours is scoped to' },
          scopes: { type: 'array', items: { type: 'string', enum: ['read', 'publish', 'admin', 'metrics'] }, description: 'What your credential may do (`admin` also grants `read` and `publish`; `metrics` only GET /metrics)' },
          name: { type: 'string', description: 'Token name or JWT subject (`anonymous` without a credential); never the token' },
          auth: { type: 'boolean', description: 'Whether the server checks credentials (false: the open demo, no token needed)' },
        },
      }),
    },
  }, async (request) => {
    const { tenant, scopes, name } = principalOf(request)
    return { success: true, data: { tenant, scopes, ...(name ? { name } : {}), auth: authConfigured } }
  })
}
