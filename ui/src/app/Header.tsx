/** The header: open drifts by severity, coverage, live pipeline figures and the connection. */
import { For, Show, type JSX } from 'solid-js'
import type { ConnectionStatus } from '../data/live.ts'
import type { PipelineFigures } from '../data/types.ts'
import { ConnectionIndicator } from './ConnectionIndicator.tsx'
import { round } from './format.ts'

const ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const

export interface HeaderProps {
  counts: Record<string, number>
  coverage?: number
  metrics?: PipelineFigures
  status: ConnectionStatus
  lastOffset?: number
  children?: JSX.Element
}

export function Header(props: HeaderProps) {
  return (
    <header class="topbar">
      <h1>tfdrift</h1>
      <ul class="counts" aria-label="Open drifts by severity" data-testid="severity-counts">
        <For each={ORDER}>
          {(s) => <li class={`sev-${s}`} data-testid={`count-${s}`} title={`${s} open drifts`}><span class="sev-badge">{s}</span> {props.counts[s] ?? 0}</li>}
        </For>
      </ul>
      <span class="figure" data-testid="coverage" title="managed / (managed + unmanaged + missing)">coverage {round(props.coverage)}%</span>
      <Show when={props.metrics}>
        {(m) => (
          <span class="figures" data-testid="pipeline-metrics">
            <span title="change events per second entering the pipelines">{round(m().eventsPerSecond)} ev/s</span>
            <span title="slowest stage, 99th percentile">p99 {round(m().p99LatencyMs, 2)} ms</span>
            <span title="open WS/SSE connections">{m().clients} clients</span>
            <span title="bus lag, 99th percentile">lag {round(m().busLagMs, 1)} ms</span>
          </span>
        )}
      </Show>
      <div class="spacer" />
      {props.children}
      <ConnectionIndicator status={props.status} lastOffset={props.lastOffset} />
    </header>
  )
}
