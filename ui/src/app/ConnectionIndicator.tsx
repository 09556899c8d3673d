/** The live/reconnecting/offline dot in the header, with the last offset seen (what a resume starts from). */
import type { ConnectionStatus } from '../data/live.ts'

export function ConnectionIndicator(props: { status: ConnectionStatus; lastOffset?: number }) {
  return (
    <span class={`connection ${props.status}`} data-testid="connection" data-state={props.status} role="status" aria-live="polite"
      title={props.lastOffset === undefined ? undefined : `last offset ${props.lastOffset}`}>
      <span class="dot" aria-hidden="true" />
      {props.status}
      {props.lastOffset !== undefined ? <span class="offset"> · @{props.lastOffset}</span> : null}
    </span>
  )
}
