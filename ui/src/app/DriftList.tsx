/**
 * The drift list: the canvas's accessible text alternative and its index. Virtualised — only the rows
 * in view (plus a few) are in the DOM, so 10k drifts scroll smoothly. A listbox with the active row
 * named by aria-activedescendant: arrows/Home/End/PageUp/PageDown move the selection, Enter jumps to
 * the resource on the canvas. When the selection comes from the canvas the list scrolls to it.
 */
import { createEffect, createMemo, createSignal, For, on } from 'solid-js'
import type { Drift } from '../data/types.ts'

export interface DriftListProps {
  drifts: Drift[]
  selectedId?: string
  /** Arrow keys and clicks select; `jump` asks the canvas to focus the resource (Enter, double-click). */
  onSelect: (drift: Drift, jump: boolean) => void
  rowHeight?: number
  /** Used when the element has no measured height yet (jsdom, first render). */
  fallbackHeight?: number
}

const OVERSCAN = 6

export function DriftList(props: DriftListProps) {
  let viewport!: HTMLDivElement
  const rowHeight = () => props.rowHeight ?? 44
  const [scrollTop, setScrollTop] = createSignal(0)
  const [height, setHeight] = createSignal(props.fallbackHeight ?? 480)
  const selectedIndex = createMemo(() => (props.selectedId ? props.drifts.findIndex((d) => d.id === props.selectedId) : -1))

  const range = createMemo(() => {
    const first = Math.max(0, Math.floor(scrollTop() / rowHeight()) - OVERSCAN)
    const last = Math.min(props.drifts.length, Math.ceil((scrollTop() + height()) / rowHeight()) + OVERSCAN)
    return { first, last }
  })
  const visible = createMemo(() => {
    const { first, last } = range()
    return props.drifts.slice(first, last).map((drift, i) => ({ drift, index: first + i }))
  })

  const measure = () => {
    if (viewport.clientHeight > 0) setHeight(viewport.clientHeight)
  }
  /** Scrolls just enough to show row `index`. */
  const reveal = (index: number) => {
    if (index < 0) return
    const top = index * rowHeight()
    const h = height()
    let next = scrollTop()
    if (top < next) next = top
    else if (top + rowHeight() > next + h) next = top + rowHeight() - h
    if (next !== scrollTop()) {
      viewport.scrollTop = next
      setScrollTop(next)
    }
  }
  // A selection from the canvas (or the URL) brings its row into view.
  createEffect(on(selectedIndex, (i) => reveal(i)))

  const move = (to: number, jump = false) => {
    if (props.drifts.length === 0) return
    const i = Math.max(0, Math.min(props.drifts.length - 1, to))
    props.onSelect(props.drifts[i]!, jump)
    reveal(i)
  }
  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height() / rowHeight()) - 1)
    const at = selectedIndex()
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      ArrowUp: () => move(at < 0 ? 0 : at - 1),
      PageDown: () => move(at + page),
      PageUp: () => move(at - page),
      Home: () => move(0),
      End: () => move(props.drifts.length - 1),
      Enter: () => move(at < 0 ? 0 : at, true),
    }
    const action = keys[e.key]
    if (!action) return
    e.preventDefault()
    action()
  }

  return (
    <div class="drift-list" ref={(el) => { viewport = el; queueMicrotask(measure) }} data-testid="drift-list"
      role="listbox" tabindex="0" aria-label={`Drifts, ${props.drifts.length}`}
      aria-activedescendant={selectedIndex() >= 0 ? `drift-${props.drifts[selectedIndex()]!.id}` : undefined}
      onScroll={(e) => { setScrollTop(e.currentTarget.scrollTop); measure() }} onKeyDown={onKeyDown}>
      <div class="drift-list-spacer" style={{ height: `${props.drifts.length * rowHeight()}px` }}>
        <For each={visible()}>
          {(row) => (
            <div class={`drift-row sev-${row.drift.severity}`} data-testid="drift-row" data-drift-id={row.drift.id} id={`drift-${row.drift.id}`}
              role="option" aria-selected={row.drift.id === props.selectedId} aria-setsize={props.drifts.length} aria-posinset={row.index + 1}
              aria-label={`${row.drift.severity} ${row.drift.kind} drift on ${row.drift.address ?? row.drift.resource_id ?? row.drift.type}, ${row.drift.status}`}
              style={{ transform: `translateY(${row.index * rowHeight()}px)`, height: `${rowHeight()}px` }}
              onClick={() => props.onSelect(row.drift, false)} onDblClick={() => props.onSelect(row.drift, true)}>
              <span class="sev-badge">{row.drift.severity}</span>
              <span class="addr">{row.drift.address ?? `${row.drift.type} ${row.drift.resource_id ?? ''}`}</span>
              <span class="meta">{row.drift.kind} · {row.drift.status}{row.drift.actor?.user ? ` · ${row.drift.actor.user}` : ''}</span>
            </div>
          )}
        </For>
      </div>
      {props.drifts.length === 0 ? <p class="empty">No drifts match.</p> : null}
    </div>
  )
}
