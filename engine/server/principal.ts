import type { Scope } from '../config/types.ts'

/** Who is calling, once a bearer token or JWT has been verified. Every query is scoped to `tenant`. */
export interface Principal {
  tenant: string
  scopes: Scope[]
  /** Token name or JWT subject, for audit logs; never the token itself. */
  name: string
}

/** Verifies credentials from headers (`authorization: Bearer …`) or the `token` query parameter. */
export type Authenticate = (request: { headers: Record<string, string | undefined>; query?: Record<string, string | undefined> }) =>
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; code: string; message: string }
