/** Search by address, id or name; Enter (or a click) jumps to the resource. Matches get the Matched flag on the canvas. */
import { createSignal, For, Show } from 'solid-js'

export interface SearchResult {
  id: string
  label: string
  type: string
}

export function SearchBox(props: { search: (query: string) => SearchResult[]; onJump: (id: string) => void }) {
  const [query, setQuery] = createSignal('')
  const [results, setResults] = createSignal<SearchResult[]>([])
  const [active, setActive] = createSignal(0)
  const update = (q: string) => {
    setQuery(q)
    setActive(0)
    setResults(q.trim().length >= 2 ? props.search(q.trim()) : props.search(''))
  }
  const jump = (r?: SearchResult) => {
    if (!r) return
    props.onJump(r.id)
    setResults([])
  }
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(results().length - 1, i + 1))
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1))
    else if (e.key === 'Enter') jump(results()[active()])
    else if (e.key === 'Escape') update('')
    else return
    e.preventDefault()
  }
  return (
    <div class="search">
      <input type="search" placeholder="Search address, id, name…" aria-label="Search resources" data-testid="search"
        role="combobox" aria-expanded={results().length > 0} aria-controls="search-results"
        value={query()} onInput={(e) => update(e.currentTarget.value)} onKeyDown={onKeyDown} />
      <Show when={results().length > 0}>
        <ul id="search-results" class="search-results" role="listbox" data-testid="search-results">
          <For each={results()}>
            {(r, i) => (
              <li role="option" aria-selected={i() === active()} data-testid="search-result" classList={{ active: i() === active() }}
                onMouseDown={(e) => { e.preventDefault(); jump(r) }}>
                <span class="mono">{r.label}</span> <span class="muted">{r.type}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  )
}
