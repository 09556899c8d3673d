/**
 * The side panel of the selected resource: its drifts (changes expected vs actual, actor, workflow),
 * remediation proposals, state attributes, change-event timeline and impact. Presentational: the
 * caller fetches (see panel-data.ts) and passes everything in, so it renders the same in tests.
 */
import { For, Show } from 'solid-js'
import type { ChangeEvent, Drift, Remediation, Resource } from '../data/types.ts'
import { ActorView } from './ActorView.tsx'
import { ChangesTable } from './ChangesTable.tsx'
import { showTime, showValue } from './format.ts'
import { ImpactList, type ImpactItem } from './ImpactList.tsx'
import { RemediationCard } from './RemediationCard.tsx'
import { Timeline } from './Timeline.tsx'
import { WorkflowButtons, type DriftAction } from './WorkflowButtons.tsx'
import { ChangeSetButtons, type ChangeSetLink } from './ChangeSetButtons.tsx'

export interface SidePanelProps {
  node: { id: string; label: string; type: string; provider: string; module?: string; kind?: string }
  drifts: Drift[]
  remediations: Remediation[]
  resource?: Resource | null
  events: ChangeEvent[]
  impact: { dependencies: ImpactItem[]; dependents: ImpactItem[] }
  canAdmin: boolean
  onClose: () => void
  onJump: (id: string) => void
  onApprove: (id: string) => Promise<void>
  onReject: (id: string, reason: string) => Promise<void>
  onDriftAction: (id: string, action: DriftAction, body?: { until?: string; note?: string }) => Promise<void>
  /** Admin: one change set for the listed drifts (absent: no button). */
  onChangeSet?: (ids: string[], mode: 'revert' | 'accept') => Promise<ChangeSetLink>
}

export function SidePanel(props: SidePanelProps) {
  return (
    <aside class="panel" data-testid="panel" aria-label={`Resource ${props.node.label}`}>
      <header>
        <h2 class="mono">{props.node.label}</h2>
        <button class="close" aria-label="Close panel" data-testid="panel-close" onClick={() => props.onClose()}>×</button>
      </header>
      <p class="muted">{props.node.type} · {props.node.provider}{props.node.module ? ` · ${props.node.module}` : ''}{props.node.kind ? ` · ${props.node.kind}` : ''}</p>

      <For each={props.drifts}>
        {(drift) => (
          <section class={`drift sev-${drift.severity}`} data-testid="panel-drift" data-drift-id={drift.id}>
            <h3><span class="sev-badge">{drift.severity}</span> {drift.kind} · {drift.status}</h3>
            <p class="muted">detected {showTime(drift.detected_at)}{drift.status_by ? ` · ${drift.status} by ${drift.status_by}` : ''}</p>
            <ChangesTable changes={drift.changes ?? []} />
            <h4>Actor</h4>
            <ActorView actor={drift.actor} />
            <Show when={props.canAdmin}><WorkflowButtons drift={drift} onAction={props.onDriftAction} /></Show>
            <For each={props.remediations.filter((r) => r.drift_id === drift.id)}>
              {(plan) => <RemediationCard plan={plan} canAdmin={props.canAdmin} onApprove={props.onApprove} onReject={props.onReject} />}
            </For>
          </section>
        )}
      </For>
      <Show when={props.drifts.length === 0}><p class="muted">No drift on this resource.</p></Show>
      <Show when={props.canAdmin && props.onChangeSet && props.drifts.some((d) => d.status !== 'resolved')}>
        <ChangeSetButtons driftIds={props.drifts.filter((d) => d.status !== 'resolved').map((d) => d.id)} onCreate={props.onChangeSet!} />
      </Show>

      <h3>Impact</h3>
      <ImpactList dependencies={props.impact.dependencies} dependents={props.impact.dependents} onJump={props.onJump} />

      <h3>Timeline</h3>
      <Timeline events={props.events} />

      <h3>Attributes</h3>
      <Show when={props.resource} fallback={<p class="muted">{props.resource === null ? 'Not in any state (unmanaged or gone).' : 'Loading…'}</p>}>
        {(r) => (
          <dl class="attributes" data-testid="attributes">
            <For each={Object.entries(r().attributes).slice(0, 300)}>
              {([k, v]) => <><dt>{k}</dt><dd class="mono">{showValue(v)}</dd></>}
            </For>
          </dl>
        )}
      </Show>
    </aside>
  )
}
