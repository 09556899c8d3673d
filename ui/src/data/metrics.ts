/** The header's live pipeline figures, reduced from one `metrics.pipeline` event. */
import type { PipelineFigures } from './types.ts'

interface NodeMetrics {
  kind: string
  in_per_s: number
  out_per_s: number
  latency_us?: { p99: number | null } | null
}

interface PipelineMetrics {
  nodes?: NodeMetrics[]
  clients?: { total?: number }
  bus_lag_ms?: { p99: number | null } | null
}

/**
 * events/s: what the sources emitted (the change events entering the pipelines); p99: the slowest
 * analysis/remediation node's p99, since an event waits on each; bus lag: its p99.
 */
export function pipelineFigures(data: PipelineMetrics): PipelineFigures {
  const nodes = data.nodes ?? []
  const sources = nodes.filter((n) => n.kind === 'source')
  const eventsPerSecond = sources.length
    ? sources.reduce((s, n) => s + (n.out_per_s || 0), 0)
    : nodes.reduce((m, n) => Math.max(m, n.in_per_s || 0), 0)
  let p99: number | null = null
  for (const n of nodes) {
    const v = n.latency_us?.p99
    if (typeof v === 'number') p99 = Math.max(p99 ?? 0, v / 1000)
  }
  return {
    eventsPerSecond,
    p99LatencyMs: p99,
    clients: data.clients?.total ?? 0,
    busLagMs: typeof data.bus_lag_ms?.p99 === 'number' ? data.bus_lag_ms.p99 : null,
  }
}
