/** Asks for a bearer token when the server answered 401; the token is kept for this tab only. */
import { createSignal } from 'solid-js'

export function TokenPrompt(props: { error?: string; onSubmit: (token: string) => void }) {
  const [value, setValue] = createSignal('')
  const submit = (e: Event) => {
    e.preventDefault()
    const token = value().trim()
    if (token) props.onSubmit(token)
  }
  return (
    <div class="token-backdrop">
      <form class="token-prompt" data-testid="token-prompt" onSubmit={submit} aria-labelledby="token-title">
        <h2 id="token-title">Sign in to tfdrift</h2>
        <p>This server needs an access token. It is kept in this tab only and forgotten when the tab closes.</p>
        <label>
          Token
          <input type="password" autocomplete="off" data-testid="token-input" value={value()} onInput={(e) => setValue(e.currentTarget.value)} autofocus />
        </label>
        {props.error ? <p class="error" role="alert" data-testid="token-error">{props.error}</p> : null}
        <button type="submit" data-testid="token-submit" disabled={!value().trim()}>Open dashboard</button>
      </form>
    </div>
  )
}
