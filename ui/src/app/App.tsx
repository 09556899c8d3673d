/** The dashboard shell: header, toolbar, canvas, drift list and side panel around one controller. */
import { onCleanup, onMount, Show } from 'solid-js'
import { CanvasHost } from './CanvasHost.tsx'
import { createDashboard } from './controller.ts'
import { DriftList } from './DriftList.tsx'
import { FilterBar } from './FilterBar.tsx'
import { Header } from './Header.tsx'
import { SearchBox } from './SearchBox.tsx'
import { SidePanel } from './SidePanel.tsx'
import { TokenPrompt } from './TokenPrompt.tsx'

export function App() {
  const dash = createDashboard()
  onMount(() => void dash.start())
  onCleanup(() => dash.dispose())
  // The theme drives CSS variables on <html>, so the prompt and the panels follow it too.
  const applyTheme = () => { document.documentElement.dataset.theme = dash.theme() }
  applyTheme()

  return (
    <Show when={!dash.tokenNeeded()} fallback={<TokenPrompt error={dash.tokenNeeded()?.error} onSubmit={dash.submitToken} />}>
      <div class="app">
        <Header counts={dash.openCounts()} coverage={dash.stats()?.coverage.percent} metrics={dash.metrics()} status={dash.status()} lastOffset={dash.lastOffset()}>
          <SearchBox search={dash.search} onJump={dash.jumpTo} />
          <button class="theme-toggle" data-testid="theme-toggle" aria-label="Toggle dark/light theme"
            onClick={() => { dash.setTheme(dash.theme() === 'dark' ? 'light' : 'dark'); applyTheme() }}>
            {dash.theme() === 'dark' ? '☀' : '☾'}
          </button>
        </Header>
        <FilterBar filters={dash.filters()} options={dash.filterOptions()} onChange={dash.setFilters} group={dash.group()} onGroup={dash.setGroup} />
        <Show when={dash.loadError()}><p class="error banner" role="alert" data-testid="load-error">{dash.loadError()}</p></Show>
        <Show when={dash.progress() && dash.progress()!.loaded < dash.progress()!.total}>
          <p class="progress" data-testid="load-progress">loading {dash.progress()!.loaded} / {dash.progress()!.total} resources…</p>
        </Show>
        <main class="workspace">
          <section class="list-pane" aria-label="Drifts">
            <DriftList drifts={dash.visibleDrifts()} selectedId={dash.selectedDrift()} onSelect={(d) => dash.selectDrift(d)} />
          </section>
          <CanvasHost dash={dash} />
          <Show when={dash.selected()}>
            {(sel) => (
              <SidePanel node={sel().node} drifts={sel().drifts} remediations={dash.remediations()} resource={dash.panelData().resource}
                events={dash.panelData().events} impact={sel().impact} canAdmin={dash.canAdmin()}
                onClose={dash.clearSelection} onJump={dash.jumpTo} onApprove={dash.approve} onReject={dash.reject} onDriftAction={dash.driftAction} onChangeSet={dash.changeSet} />
            )}
          </Show>
        </main>
      </div>
    </Show>
  )
}
