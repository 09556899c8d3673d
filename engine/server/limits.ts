import type { ServerConfig } from '../config/types.ts'

/** Every server limit with its default filled in; documented in `schemas/server-config.schema.json`. */
export interface ResolvedLimits {
  /** Per-connection outbound buffer (WS and SSE) past which the client is closed as a slow consumer. */
  max_buffer_bytes: number
  /** Largest inbound WebSocket frame; larger frames close the socket with 1009. */
  max_payload_bytes: number
  max_connections: number
  /** Default: `max_connections` when only one tenant can connect (see `tenantsPossible`), else 1,000. */
  max_connections_per_tenant: number
  /** Inbound WS messages per second per connection (token bucket, burst = 2 × rate). */
  inbound_messages_per_second: number
  /** WS idle timeout; the server pings before it expires. */
  idle_timeout_s: number
  /** Largest HTTP request body (publish, ingress default, REST). */
  body_limit_bytes: number
  /** Largest request header block (names + values) a handler accepts; larger ones get 431. */
  max_header_bytes: number
  /** Subscriptions one connection may hold at once. */
  max_subscriptions_per_connection: number
  /** SSE keep-alive comment interval. */
  sse_keepalive_ms: number
  /** `retry:` hint sent to EventSource clients. */
  sse_retry_ms: number
  /** Envelopes fetched per history page during recovery. */
  history_page_size: number
}

export const DEFAULT_LIMITS: ResolvedLimits = {
  max_buffer_bytes: 1024 * 1024,
  max_payload_bytes: 64 * 1024,
  max_connections: 10_000,
  max_connections_per_tenant: 1_000,
  inbound_messages_per_second: 50,
  idle_timeout_s: 120,
  body_limit_bytes: 1024 * 1024,
  // Node's own default (--max-http-header-size); see the schema for the 4 KiB that uWS enforces itself.
  max_header_bytes: 16 * 1024,
  max_subscriptions_per_connection: 32,
  sse_keepalive_ms: 15_000,
  sse_retry_ms: 2_000,
  history_page_size: 500,
}

/** Merges configured limits over the defaults. */
export function resolveLimits(config: ServerConfig): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS }
  for (const [key, value] of Object.entries(config.limits ?? {})) {
    if (typeof value === 'number' && key in out) (out as Record<string, number>)[key] = value
  }
  // A per-tenant cap only shares the server between tenants; with one tenant it would just refuse
  // connections the server has room for (a `TFDRIFT_TOKEN` relay stopped at 1,000 of 10,000).
  if (config.limits?.max_connections_per_tenant === undefined && tenantsPossible(config.auth) <= 1) {
    out.max_connections_per_tenant = out.max_connections
  }
  return out
}

/** How many tenants can connect: distinct token/anonymous tenants; any number with JWT (the claim picks it). */
export function tenantsPossible(auth: ServerConfig['auth']): number {
  if (auth === undefined) return 1 // anonymous readers of tenant "default"
  if (auth.jwt) return Infinity
  const tenants = new Set((auth.tokens ?? []).map((t) => t.tenant))
  if (auth.anonymous) tenants.add(auth.anonymous.tenant)
  return tenants.size
}
