/**
 * A remediation proposal with approve/reject. The buttons exist only for admin tokens (the server
 * would refuse a read token anyway; hiding them keeps the read-only view honest). Rejecting needs a
 * reason, which the server stores on the plan.
 */
import { createSignal, Show } from 'solid-js'
import type { Remediation } from '../data/types.ts'

export interface RemediationCardProps {
  plan: Remediation
  canAdmin: boolean
  onApprove: (id: string) => Promise<void>
  onReject: (id: string, reason: string) => Promise<void>
}

export function RemediationCard(props: RemediationCardProps) {
  const [rejecting, setRejecting] = createSignal(false)
  const [reason, setReason] = createSignal('')
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string>()
  const act = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await fn()
      setRejecting(false)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="remediation" data-testid="remediation" data-status={props.plan.status} data-plan-id={props.plan.id}>
      <p><strong>{props.plan.strategy}</strong>: {props.plan.summary} <span class={`badge ${props.plan.status}`}>{props.plan.status}</span></p>
      <pre class="plan">{props.plan.content}</pre>
      <Show when={props.plan.decided_by}><p class="muted">{props.plan.status} by {props.plan.decided_by}{props.plan.reason ? `: ${props.plan.reason}` : ''}</p></Show>
      <Show when={props.canAdmin && props.plan.status === 'proposed'}>
        <div class="actions">
          <button data-testid="approve" disabled={busy()} onClick={() => act(() => props.onApprove(props.plan.id))}>Approve</button>
          <button data-testid="reject" disabled={busy()} onClick={() => setRejecting(true)}>Reject…</button>
        </div>
        <Show when={rejecting()}>
          <form class="reject-form" onSubmit={(e) => { e.preventDefault(); if (reason().trim()) void act(() => props.onReject(props.plan.id, reason().trim())) }}>
            <label>Reason (required)
              <textarea data-testid="reject-reason" required value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <button type="submit" data-testid="reject-confirm" disabled={busy() || !reason().trim()}>Reject plan</button>
            <button type="button" onClick={() => setRejecting(false)}>Cancel</button>
          </form>
        </Show>
      </Show>
      <Show when={error()}><p class="error" role="alert">{error()}</p></Show>
    </section>
  )
}
