/** The server's own Prometheus metrics: connections, deliveries, bytes, slow-consumer closes, protocol errors. */
import { Counter, Gauge, Registry, type Metric } from 'prom-client'

export interface ServerMetrics {
  registry: Registry
  connections: Gauge<'kind'>
  connectionsTotal: Counter<'kind'>
  rejected: Counter<'reason'>
  deliveries: Counter<'kind'>
  bytes: Counter<'kind'>
  slowCloses: Counter<'kind'>
  protocolErrors: Counter<'code'>
  published: Counter<'source'>
}

function reuse<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make()
}

/** Registers (or reuses, when the registry already has them) the server metrics on `registry`. */
export function createServerMetrics(registry: Registry = new Registry()): ServerMetrics {
  const r = [registry]
  return {
    registry,
    connections: reuse(registry, 'tfdrift_server_connections', () => new Gauge({ name: 'tfdrift_server_connections', help: 'Open realtime connections.', labelNames: ['kind'], registers: r })),
    connectionsTotal: reuse(registry, 'tfdrift_server_connections_total', () => new Counter({ name: 'tfdrift_server_connections_total', help: 'Realtime connections accepted.', labelNames: ['kind'], registers: r })),
    rejected: reuse(registry, 'tfdrift_server_connections_rejected_total', () => new Counter({ name: 'tfdrift_server_connections_rejected_total', help: 'Connections refused (auth, origin, limits).', labelNames: ['reason'], registers: r })),
    deliveries: reuse(registry, 'tfdrift_server_deliveries_total', () => new Counter({ name: 'tfdrift_server_deliveries_total', help: 'Events written to client connections.', labelNames: ['kind'], registers: r })),
    bytes: reuse(registry, 'tfdrift_server_bytes_sent_total', () => new Counter({ name: 'tfdrift_server_bytes_sent_total', help: 'Event bytes written to client connections.', labelNames: ['kind'], registers: r })),
    slowCloses: reuse(registry, 'tfdrift_server_slow_consumer_closes_total', () => new Counter({ name: 'tfdrift_server_slow_consumer_closes_total', help: 'Connections closed because their buffer passed max_buffer_bytes.', labelNames: ['kind'], registers: r })),
    protocolErrors: reuse(registry, 'tfdrift_server_protocol_errors_total', () => new Counter({ name: 'tfdrift_server_protocol_errors_total', help: 'Error replies sent to clients, by code.', labelNames: ['code'], registers: r })),
    published: reuse(registry, 'tfdrift_server_published_total', () => new Counter({ name: 'tfdrift_server_published_total', help: 'Envelopes published through the HTTP API.', labelNames: ['source'], registers: r })),
  }
}
