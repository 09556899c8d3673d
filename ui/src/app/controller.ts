/**
 * The dashboard's state and wiring, apart from how it looks: the model, drifts, session, live stream,
 * selection, filters, grouping, URL and theme. Components read its signals and call its methods; the
 * canvas (scene) and layout are attached to it, so everything here works before the canvas exists.
 *
 * Load order: session → first graph page (placed, drawn: `ready`) → the remaining pages and the drift
 * list in parallel → the live stream from the first page's cursor.
 */
import { batch, createMemo, createSignal } from 'solid-js'
import { createLayout, refreshClusterStats, type LayoutClient } from '../layout/index.ts'
import { GraphModel, NodeFlag } from '../model/graph-model.ts'
import type { NodeData } from '../model/types.ts'
import type { Scene } from '../scene/index.ts'
import type { Api } from '../data/api.ts'
import { segment } from '../data/api.ts'
import { compareDrifts, DriftStore } from '../data/drifts.ts'
import { applyFilters, distinctValues, driftMatches, isFiltering, type Filters } from '../data/filters.ts'
import { DEFAULT_GROUP_BY, groupPath, type GroupBy } from '../data/grouping.ts'
import { startLive, type ConnectionStatus, type Live } from '../data/live.ts'
import { loadGraph, runPool } from '../data/loader.ts'
import { AddressIndex } from '../data/nodes.ts'
import { canAdmin, openSession } from '../data/session.ts'
import { initialToken, saveToken } from '../data/token.ts'
import type { ChangeEvent, Drift, Page, PipelineFigures, RawNode, Remediation, Resource, Session, StatsSummary } from '../data/types.ts'
import { formatUrlState, parseUrlState } from '../data/url-state.ts'
import type { ImpactItem } from './ImpactList.tsx'
import type { SearchResult } from './SearchBox.tsx'
import type { DriftAction } from './WorkflowButtons.tsx'
import type { ChangeSetLink } from './ChangeSetButtons.tsx'

const DEFAULT_GROUP = DEFAULT_GROUP_BY.join(',')

export type Dashboard = ReturnType<typeof createDashboard>

export function createDashboard(win: Window = window) {
  const model = new GraphModel()
  const drifts = new DriftStore()
  const index = new AddressIndex()
  const initial = parseUrlState(win.location.search)
  // For tests and debugging in the console: the model the canvas draws and the drifts the page knows.
  const exposed = { model, scene: undefined as Scene | undefined, ready: false, driftIds: () => [...drifts.byId.keys()] }
  ;(win as unknown as { __tfdrift: typeof exposed }).__tfdrift = exposed

  const [session, setSession] = createSignal<Session>()
  const [tokenNeeded, setTokenNeeded] = createSignal<{ error?: string }>()
  const [status, setStatus] = createSignal<ConnectionStatus>('offline')
  const [lastOffset, setLastOffset] = createSignal<number>()
  const [metrics, setMetrics] = createSignal<PipelineFigures>()
  const [stats, setStats] = createSignal<StatsSummary>()
  const [remediations, setRemediations] = createSignal<Remediation[]>([])
  const [filters, setFiltersSignal] = createSignal<Filters>(initial.filters)
  const [group, setGroupSignal] = createSignal(initial.group?.join(',') ?? DEFAULT_GROUP)
  const preferred = win.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark'
  const [theme, setThemeSignal] = createSignal<'dark' | 'light'>(initial.theme ?? preferred)
  const [selectedNode, setSelectedNode] = createSignal<string>()
  const [selectedDrift, setSelectedDrift] = createSignal<string>()
  const [structure, setStructure] = createSignal(0)
  const [loadError, setLoadError] = createSignal<string>()
  const [progress, setProgress] = createSignal<{ loaded: number; total: number }>()
  const [panelData, setPanelData] = createSignal<{ resource?: Resource | null; events: ChangeEvent[] }>({ events: [] })

  let api: Api | undefined
  let scene: Scene | undefined
  let layout: LayoutClient | undefined
  let live: Live | undefined
  let firstPagePlaced = false
  const loadedStatuses = new Set<string>()
  const groupBy = () => group().split(',').filter(Boolean) as GroupBy[]
  const place = async () => {
    await layout?.update(model)
    scene?.requestRender()
  }

  // Structure changes (pages, deltas) are counted coarsely for the menus and the filter re-apply.
  let structureTimer: ReturnType<typeof setTimeout> | undefined
  model.subscribe((what) => {
    if (what !== 'structure' || structureTimer) return
    structureTimer = setTimeout(() => {
      structureTimer = undefined
      if (isFiltering(filters())) applyFilters(model, filters(), drifts)
      setStructure((v) => v + 1)
    }, 250)
  })

  // ---- auth, loading, live ----

  async function start(token = initialToken(win)): Promise<void> {
    const result = await openSession(token)
    if (!result.ok) return void setTokenNeeded({ error: result.error })
    if (token) saveToken(token, win)
    batch(() => {
      setTokenNeeded(undefined)
      setSession(result.session)
    })
    api = result.api
    layout ??= createLayout({ worker: true })
    await load()
  }

  async function load(): Promise<void> {
    if (!api) return
    live?.close()
    setLoadError(undefined)
    try {
      const side = Promise.all([loadStats(), loadDrifts('open'), loadRemediations()])
      const result = await loadGraph({
        api, model, index, place, group: groupBy(),
        onFirstPage: () => { firstPagePlaced = true; restoreView(); markReady() },
        onProgress: (loaded, total) => setProgress({ loaded, total }),
      })
      await side
      refreshClusterStats(model)
      if (isFiltering(filters())) applyFilters(model, filters(), drifts)
      model.touch('style')
      if (initial.node && !selectedNode()) selectNode(initial.node, { focus: !initial.camera })
      live = startLive({
        api, model, index, drifts, cursor: result.cursor, group: groupBy, place,
        severityChanged: (slots) => refreshClusterStats(model, slots),
        resync: () => void load(),
        onStatus: (s, offset) => batch(() => { setStatus(s); setLastOffset(offset) }),
        onMetrics: setMetrics,
        onStats: setStats,
        onRemediation: upsertRemediation,
      })
    } catch (e) {
      setLoadError((e as Error).message)
      setStatus('offline')
    }
  }

  async function loadStats() {
    setStats(await api!.get<StatsSummary>('/stats'))
  }

  /** Every drift of one status, 1000 a page (the server's maximum), two requests at a time. */
  async function loadDrifts(statusName: string) {
    if (loadedStatuses.has(statusName)) return
    loadedStatuses.add(statusName)
    const limit = 1000
    const first = await api!.get<Page<Drift>>('/drifts', { status: statusName, page: 1, limit })
    drifts.upsert(first.items)
    const pages = Array.from({ length: Math.max(0, Math.ceil(first.total / limit) - 1) }, (_, i) => i + 2)
    await runPool(pages.map((page) => async () => {
      drifts.upsert((await api!.get<Page<Drift>>('/drifts', { status: statusName, page, limit })).items)
    }), 2)
  }

  async function loadRemediations() {
    const page = await api!.get<Page<Remediation>>('/remediations', { status: 'proposed', limit: 1000 })
    setRemediations(page.items)
  }

  function upsertRemediation(plan: Remediation) {
    setRemediations((list) => [...list.filter((p) => p.id !== plan.id), plan])
  }

  function submitToken(token: string) {
    void start(token)
  }

  // ---- the canvas ----

  function attachScene(s: Scene): () => void {
    scene = s
    exposed.scene = s
    ;(win as unknown as { __tfdriftScene: Scene }).__tfdriftScene = s
    s.setTheme(theme())
    const offs = [
      s.on('select', (arg: unknown) => {
        const slot = slotArg(arg)
        if (slot < 0) clearSelection()
        else selectNode(model.data[slot]!.id, { focus: false })
      }),
      s.on('cluster', (arg: unknown) => {
        const key = typeof arg === 'string' ? arg : (arg as { key?: string })?.key
        if (key) toggleCluster(key)
      }),
      s.on('view', () => writeUrl()),
    ]
    if (firstPagePlaced) { restoreView(); markReady() }
    return () => offs.forEach((off) => off())
  }

  let viewRestored = false
  function restoreView() {
    if (!scene || viewRestored) return
    viewRestored = true
    if (initial.camera) scene.setCamera(initial.camera.x, initial.camera.y, initial.camera.ratio)
    else scene.fit()
  }

  /** Ready once the first page is placed and the scene has had a frame to draw it. */
  function markReady() {
    if (!scene || exposed.ready) return
    scene.requestRender()
    const done = () => { exposed.ready = true }
    if (typeof win.requestAnimationFrame === 'function') win.requestAnimationFrame(() => win.requestAnimationFrame(done))
    else done()
  }

  function toggleCluster(key: string) {
    if (model.collapsed.has(key)) model.collapsed.delete(key)
    else model.collapsed.add(key)
    model.touch('style')
    scene?.requestRender()
  }

  // ---- selection, impact, side panel ----

  let panelRequest = 0
  function selectNode(id: string, opts: { focus: boolean; drift?: string }) {
    const slot = model.slotOf.get(id)
    if (slot === undefined) return
    model.setFlag(NodeFlag.Selected | NodeFlag.Highlighted, false)
    model.setFlag(NodeFlag.Selected, true, [slot])
    const { dependencies } = model.neighbours(slot)
    model.setFlag(NodeFlag.Highlighted, true, [...dependencies, ...model.impact(slot, 2000)])
    model.touch('style')
    if (opts.focus) scene?.focus(slot)
    const node = model.data[slot]!
    batch(() => {
      setSelectedNode(id)
      setSelectedDrift(opts.drift ?? visibleDrifts().find((d) => nodeDrifts(node).some((n) => n.id === d.id))?.id)
    })
    writeUrl()
    void fetchPanel(node, ++panelRequest)
  }

  async function fetchPanel(node: NodeData, request: number) {
    setPanelData({ events: [] })
    if (!api) return
    const raw = (node.raw ?? {}) as RawNode
    const [resource, events] = await Promise.all([
      api.get<Resource>(`/state/resources/${segment(node.address ?? node.id)}`).catch(() => null),
      raw.resource_id ? api.get<Page<ChangeEvent>>('/events', { resource_id: raw.resource_id, limit: 50 }).then((p) => p.items).catch(() => []) : Promise.resolve([]),
    ])
    if (request === panelRequest) setPanelData({ resource, events })
  }

  function clearSelection() {
    model.setFlag(NodeFlag.Selected | NodeFlag.Highlighted, false)
    model.touch('style')
    batch(() => {
      setSelectedNode(undefined)
      setSelectedDrift(undefined)
    })
    writeUrl()
  }

  /** A list row was chosen: select its resource and bring it into view. */
  function selectDrift(drift: Drift) {
    const id = index.lookup(drift.address, drift.type, drift.resource_id)[0]
    if (id) selectNode(id, { focus: true, drift: drift.id })
    else setSelectedDrift(drift.id)
  }

  function jumpTo(id: string) {
    selectNode(id, { focus: true })
  }

  const nodeDrifts = (node: NodeData) => drifts.forNode((node.raw ?? node) as RawNode)

  const selected = createMemo(() => {
    const id = selectedNode()
    structure()
    drifts.version()
    const slot = id === undefined ? undefined : model.slotOf.get(id)
    if (slot === undefined) return undefined
    const node = model.data[slot]!
    const label = (s: number): ImpactItem => ({ id: model.data[s]!.id, label: model.data[s]!.label })
    const { dependencies } = model.neighbours(slot)
    return {
      node,
      drifts: nodeDrifts(node).sort(compareDrifts),
      impact: { dependencies: dependencies.map(label), dependents: model.impact(slot, 2000).map(label) },
    }
  })

  // ---- lists, counts, search, filters ----

  const visibleDrifts = createMemo(() => {
    drifts.version()
    const f = filters()
    // Without a status filter the list shows what needs attention: everything but resolved.
    return [...drifts.byId.values()].filter((d) => driftMatches(d, f) && (f.status.length > 0 || d.status !== 'resolved')).sort(compareDrifts)
  })

  const openCounts = createMemo(() => {
    drifts.version()
    const counts: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 }
    for (const d of drifts.byId.values()) if (d.status === 'open') counts[d.severity] = (counts[d.severity] ?? 0) + 1
    return counts
  })

  const filterOptions = createMemo(() => {
    structure()
    return { provider: distinctValues(model, 'provider'), type: distinctValues(model, 'type'), module: distinctValues(model, 'module') }
  })

  function search(query: string): SearchResult[] {
    model.setFlag(NodeFlag.Matched, false)
    const q = query.toLowerCase()
    const out: SearchResult[] = []
    if (q) {
      const matched: number[] = []
      for (let slot = 0; slot < model.nodeSlots && matched.length < 10_000; slot++) {
        const n = model.data[slot]
        if (!n) continue
        const raw = (n.raw ?? {}) as RawNode
        if (n.label.toLowerCase().includes(q) || n.id.toLowerCase().includes(q) || String(raw.name ?? '').toLowerCase().includes(q) || String(raw.resource_id ?? '').toLowerCase().includes(q)) {
          matched.push(slot)
          if (out.length < 20) out.push({ id: n.id, label: n.label, type: n.type })
        }
      }
      model.setFlag(NodeFlag.Matched, true, matched)
    }
    model.touch('style')
    return out
  }

  function setFilters(f: Filters) {
    setFiltersSignal(f)
    for (const s of f.status) if (api) void loadDrifts(s).then(() => applyFilters(model, filters(), drifts))
    applyFilters(model, f, drifts)
    writeUrl()
  }

  function setGroup(value: string) {
    setGroupSignal(value)
    const by = groupBy()
    for (let slot = 0; slot < model.nodeSlots; slot++) {
      const n = model.data[slot]
      if (n?.raw) model.data[slot] = { ...n, group: groupPath(n.raw as RawNode, by) }
    }
    model.collapsed.clear()
    void layout?.relayout(model).then(() => scene?.requestRender())
    writeUrl()
  }

  function setTheme(t: 'dark' | 'light') {
    setThemeSignal(t)
    scene?.setTheme(t)
    writeUrl()
  }

  // ---- URL ----

  let urlTimer: ReturnType<typeof setTimeout> | undefined
  function writeUrl() {
    clearTimeout(urlTimer)
    urlTimer = setTimeout(() => {
      const view = scene?.view()
      const query = formatUrlState({
        node: selectedNode(),
        camera: view ? { x: view.x, y: view.y, ratio: view.ratio } : initial.camera,
        group: group() === DEFAULT_GROUP ? undefined : groupBy(),
        filters: filters(),
        // Only a theme other than the system's is worth a URL parameter.
        theme: theme() === preferred ? undefined : theme(),
      }, win.location.search)
      if (query !== win.location.search) win.history.replaceState(win.history.state, '', win.location.pathname + query + win.location.hash)
    }, 300)
  }

  // ---- admin actions ----

  async function approve(id: string) {
    upsertRemediation(await api!.post<Remediation>(`/remediations/${segment(id)}/approve`))
  }
  async function reject(id: string, reason: string) {
    upsertRemediation(await api!.post<Remediation>(`/remediations/${segment(id)}/reject`, { reason }))
  }
  async function driftAction(id: string, action: DriftAction, body?: { until?: string; note?: string }) {
    // The server publishes drift.updated too; applying the answer now keeps the panel in step meanwhile.
    drifts.upsert([await api!.post<Drift>(`/drifts/${segment(id)}/${action}`, body)])
  }

  /**
   * One reviewed change for the given drifts (revert, or accept reality), generated by the server and
   * kept there; the zip is fetched with the token and offered as a download link.
   */
  async function changeSet(driftIds: string[], mode: 'revert' | 'accept'): Promise<ChangeSetLink> {
    const set = await api!.post<{ id: string; download: string; steps: unknown[] }>('/remediations/change-sets', { drift_ids: driftIds, mode })
    const zip = await api!.blob(set.download.replace(/^\/api\/v1/, ''))
    return { id: set.id, mode, steps: set.steps.length, url: URL.createObjectURL(zip), file: `tfdrift-${set.id}.zip` }
  }

  function dispose() {
    live?.close()
    layout?.dispose()
  }

  return {
    model, drifts, start, submitToken, attachScene, dispose,
    session, tokenNeeded, status, lastOffset, metrics, stats, remediations, filters, group, theme, loadError, progress, panelData,
    selectedNode, selectedDrift, selected, visibleDrifts, openCounts, filterOptions,
    canAdmin: () => canAdmin(session()),
    selectNode, selectDrift, clearSelection, jumpTo, search, setFilters, setGroup, setTheme, toggleCluster,
    approve, reject, driftAction, changeSet,
  }
}

/** Scene events pass a slot or an object carrying one. */
function slotArg(arg: unknown): number {
  if (typeof arg === 'number') return arg
  const slot = (arg as { slot?: number } | undefined)?.slot
  return typeof slot === 'number' ? slot : -1
}
