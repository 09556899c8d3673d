/** Admin: turn the resource's open drifts into one reviewed change (Terraform files in a zip), revert or accept. */
import { createSignal, For, Show } from 'solid-js'

export interface ChangeSetLink { id: string; mode: 'revert' | 'accept'; steps: number; url: string; file: string }

export function ChangeSetButtons(props: { driftIds: string[]; onCreate: (ids: string[], mode: 'revert' | 'accept') => Promise<ChangeSetLink> }) {
  const [link, setLink] = createSignal<ChangeSetLink>()
  const [error, setError] = createSignal<string>()
  const [busy, setBusy] = createSignal(false)
  const create = async (mode: 'revert' | 'accept') => {
    setBusy(true)
    setError(undefined)
    try {
      const previous = link()
      setLink(await props.onCreate(props.driftIds, mode))
      if (previous) URL.revokeObjectURL(previous.url)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="change-set" data-testid="change-set">
      <span class="muted">Change set:</span>
      <For each={['revert', 'accept'] as const}>
        {(mode) => (
          <button data-testid={`change-set-${mode}`} disabled={busy()} onClick={() => void create(mode)}
            title={mode === 'revert' ? 'Terraform files that put the cloud back to the state' : 'HCL edits that make the code match the cloud'}>{mode}</button>
        )}
      </For>
      <Show when={link()}>
        {(l) => <a data-testid="change-set-download" data-change-set-id={l().id} href={l().url} download={l().file}>{l().file} ({l().steps} steps, {l().mode})</a>}
      </Show>
      <Show when={error()}><p class="error" role="alert">{error()}</p></Show>
    </div>
  )
}
