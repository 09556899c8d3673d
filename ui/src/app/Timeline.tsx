/** The resource's change events, newest first (from `/api/v1/events?resource_id=`). */
import { For, Show } from 'solid-js'
import type { ChangeEvent } from '../data/types.ts'
import { showTime } from './format.ts'

export function Timeline(props: { events: ChangeEvent[] }) {
  return (
    <Show when={props.events.length > 0} fallback={<p class="muted">No change events for this resource.</p>}>
      <ol class="timeline" data-testid="timeline">
        <For each={props.events}>
          {(e) => (
            <li>
              <time datetime={e.time}>{showTime(e.time)}</time>
              <span class="event-name">{e.event_name}</span>
              <span class="muted">{e.source}{e.actor?.user ? ` · ${e.actor.user}` : ''}{e.error_code ? ` · ${e.error_code}` : ''}</span>
            </li>
          )}
        </For>
      </ol>
    </Show>
  )
}
