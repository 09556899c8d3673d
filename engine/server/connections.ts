/** Connection accounting shared by WS and SSE: global and per-tenant limits, counts for /health and tests. */
import type { ResolvedLimits } from './limits.ts'
import type { ServerMetrics } from './metrics.ts'

export class Connections {
  private total = 0
  private readonly perTenant = new Map<string, number>()
  constructor(private readonly limits: ResolvedLimits, private readonly metrics: ServerMetrics) {}

  /** Reserves a slot or says which limit refused it. */
  acquire(tenant: string, kind: 'ws' | 'sse'): { ok: true } | { ok: false; message: string } {
    if (this.total >= this.limits.max_connections) {
      this.metrics.rejected.inc({ reason: 'max_connections' })
      return { ok: false, message: 'The server is at its connection limit; retry later.' }
    }
    const n = this.perTenant.get(tenant) ?? 0
    if (n >= this.limits.max_connections_per_tenant) {
      this.metrics.rejected.inc({ reason: 'max_connections_per_tenant' })
      return { ok: false, message: 'Your tenant is at its connection limit; close other connections or retry later.' }
    }
    this.total++
    this.perTenant.set(tenant, n + 1)
    this.metrics.connections.inc({ kind })
    this.metrics.connectionsTotal.inc({ kind })
    return { ok: true }
  }

  release(tenant: string, kind: 'ws' | 'sse'): void {
    this.total--
    const n = (this.perTenant.get(tenant) ?? 1) - 1
    if (n <= 0) this.perTenant.delete(tenant)
    else this.perTenant.set(tenant, n)
    this.metrics.connections.dec({ kind })
  }

  /** Open connections, overall or for one tenant. */
  count(tenant?: string): number {
    return tenant === undefined ? this.total : this.perTenant.get(tenant) ?? 0
  }
}
