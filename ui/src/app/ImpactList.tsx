/** What the selected resource depends on and what depends on it (also highlighted on the canvas). */
import { For, Show } from 'solid-js'

export interface ImpactItem {
  id: string
  label: string
  depth?: number
}

export function ImpactList(props: { dependencies: ImpactItem[]; dependents: ImpactItem[]; onJump: (id: string) => void }) {
  const list = (title: string, items: ImpactItem[], testid: string) => (
    <div class="impact-group">
      <h4>{title} ({items.length})</h4>
      <Show when={items.length > 0} fallback={<p class="muted">none</p>}>
        <ul data-testid={testid}>
          <For each={items.slice(0, 200)}>
            {(item) => (
              <li><button class="link" onClick={() => props.onJump(item.id)}>{item.label}</button>{item.depth && item.depth > 1 ? <span class="muted"> · {item.depth} hops</span> : null}</li>
            )}
          </For>
        </ul>
        <Show when={items.length > 200}><p class="muted">and {items.length - 200} more</p></Show>
      </Show>
    </div>
  )
  return (
    <div class="impact" data-testid="impact">
      {list('Depends on', props.dependencies, 'impact-dependencies')}
      {list('Dependents (impact)', props.dependents, 'impact-dependents')}
    </div>
  )
}
