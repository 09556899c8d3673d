/** Connection accounting shared by WS and SSE: global and per-tenant limits, counts for /health and tests. */
import type { Logger } from 'pino'
import type { ResolvedLimits } from './limits.ts'
import type { ServerMetrics } from './metrics.ts'

type Kind = 'ws' | 'sse'

export class Connections {
  private total = 0
  private readonly perTenant = new Map<string, number>()
  /** `kind\0tenant` → open connections, so a tenant can be shown its own ws/sse split. */
  private readonly perTenantKind = new Map<string, number>()
  /** Limits that refused a connection already: one warning each, so a flood of refusals is one log line. */
  private readonly warned = new Set<'max_connections' | 'max_connections_per_tenant'>()
  constructor(private readonly limits: ResolvedLimits, private readonly metrics: ServerMetrics, private readonly logger?: Logger) {}

  /** Reserves a slot or says which limit refused it. */
  acquire(tenant: string, kind: Kind): { ok: true } | { ok: false; message: string } {
    if (this.total >= this.limits.max_connections) {
      this.metrics.rejected.inc({ reason: 'max_connections' })
      this.warnOnce('max_connections', tenant, `The server reached its limit of ${this.limits.max_connections} connections (server.limits.max_connections); new WS/SSE connections get 503 until some close. Raise the limit if the host has room; this is logged once.`)
      return { ok: false, message: 'The server is at its connection limit; retry later.' }
    }
    const n = this.perTenant.get(tenant) ?? 0
    if (n >= this.limits.max_connections_per_tenant) {
      this.metrics.rejected.inc({ reason: 'max_connections_per_tenant' })
      this.warnOnce('max_connections_per_tenant', tenant, `Tenant ${JSON.stringify(tenant)} reached its limit of ${this.limits.max_connections_per_tenant} connections (server.limits.max_connections_per_tenant); its new WS/SSE connections get 503 until some close. Raise the limit if this is expected; this is logged once per limit.`)
      return { ok: false, message: 'Your tenant is at its connection limit; close other connections or retry later.' }
    }
    this.total++
    this.perTenant.set(tenant, n + 1)
    bump(this.perTenantKind, `${kind}\0${tenant}`, 1)
    this.metrics.connections.inc({ kind })
    this.metrics.connectionsTotal.inc({ kind })
    return { ok: true }
  }

  private warnOnce(limit: 'max_connections' | 'max_connections_per_tenant', tenant: string, message: string): void {
    if (this.warned.has(limit)) return
    this.warned.add(limit)
    this.logger?.warn({ tenant, limit: this.limits[limit], setting: `server.limits.${limit}` }, message)
  }

  release(tenant: string, kind: Kind): void {
    this.total--
    bump(this.perTenant, tenant, -1)
    bump(this.perTenantKind, `${kind}\0${tenant}`, -1)
    this.metrics.connections.dec({ kind })
  }

  /** Open connections, overall or for one tenant, of every kind or one. */
  count(tenant?: string, kind?: Kind): number {
    if (tenant === undefined) return this.total
    return kind ? this.perTenantKind.get(`${kind}\0${tenant}`) ?? 0 : this.perTenant.get(tenant) ?? 0
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by
  if (n <= 0) map.delete(key)
  else map.set(key, n)
}
