/** Acknowledge / snooze / resolve / reopen a drift (admin only); snoozing asks for how long. */
import { createSignal, Show } from 'solid-js'
import type { Drift } from '../data/types.ts'

export type DriftAction = 'acknowledge' | 'snooze' | 'resolve' | 'reopen'

/** Which actions the server accepts from each status (mirrors engine/drift/workflow.ts). */
const ALLOWED: Record<DriftAction, string[]> = {
  acknowledge: ['open', 'snoozed'],
  snooze: ['open', 'acknowledged'],
  resolve: ['open', 'acknowledged', 'snoozed', 'remediated'],
  reopen: ['acknowledged', 'snoozed', 'remediated', 'resolved'],
}

export function WorkflowButtons(props: { drift: Drift; onAction: (id: string, action: DriftAction, body?: { until?: string; note?: string }) => Promise<void> }) {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string>()
  const run = async (action: DriftAction) => {
    setBusy(true)
    setError(undefined)
    try {
      const body = action === 'snooze' ? { until: new Date(Date.now() + 24 * 3600_000).toISOString(), note: 'snoozed for a day from the dashboard' } : undefined
      await props.onAction(props.drift.id, action, body)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const button = (action: DriftAction, label: string) => (
    <Show when={ALLOWED[action].includes(props.drift.status)}>
      <button data-testid={`drift-${action}`} disabled={busy()} onClick={() => run(action)}>{label}</button>
    </Show>
  )
  return (
    <div class="actions workflow">
      {button('acknowledge', 'Acknowledge')}
      {button('snooze', 'Snooze 1 day')}
      {button('resolve', 'Resolve')}
      {button('reopen', 'Reopen')}
      <Show when={error()}><p class="error" role="alert">{error()}</p></Show>
    </div>
  )
}
