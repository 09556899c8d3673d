/** A drift's attribute changes, expected vs actual, exactly as the API returned them (sensitive values arrive masked). */
import { For, Show } from 'solid-js'
import type { DriftChange } from '../data/types.ts'
import { showValue } from './format.ts'

export function ChangesTable(props: { changes: DriftChange[] }) {
  return (
    <Show when={props.changes.length > 0} fallback={<p class="muted">No attribute changes (the resource is missing or unmanaged).</p>}>
      <table class="changes" data-testid="changes">
        <thead><tr><th scope="col">attribute</th><th scope="col">expected</th><th scope="col">actual</th></tr></thead>
        <tbody>
          <For each={props.changes}>
            {(c) => (
              <tr data-testid="change-row" classList={{ sensitive: !!c.sensitive }}>
                <th scope="row" class="path">{c.path}</th>
                <td class="expected" data-testid="expected">{showValue(c.expected)}</td>
                <td class="actual" data-testid="actual">{showValue(c.actual)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  )
}
