/** Who made the change: user, assumed role and session, source IP, user agent, the API call. */
import { Show } from 'solid-js'
import type { Actor } from '../data/types.ts'
import { roleSession } from './format.ts'

export function ActorView(props: { actor?: Actor }) {
  const role = () => roleSession(props.actor?.arn)
  return (
    <Show when={props.actor} fallback={<p class="muted">Actor unknown (no change event matched this drift).</p>}>
      {(actor) => (
        <dl class="actor" data-testid="actor">
          <Show when={actor().user}><dt>user</dt><dd data-testid="actor-user">{actor().user}</dd></Show>
          <Show when={role().role}><dt>role</dt><dd>{role().role}</dd></Show>
          <Show when={role().session}><dt>session</dt><dd data-testid="actor-session">{role().session}</dd></Show>
          <Show when={actor().arn}><dt>arn</dt><dd class="mono">{actor().arn}</dd></Show>
          <Show when={actor().source_ip}><dt>IP</dt><dd data-testid="actor-ip">{actor().source_ip}</dd></Show>
          <Show when={actor().user_agent}><dt>user agent</dt><dd data-testid="actor-agent">{actor().user_agent}</dd></Show>
          <Show when={actor().event_name}><dt>call</dt><dd>{actor().event_name}</dd></Show>
        </dl>
      )}
    </Show>
  )
}
