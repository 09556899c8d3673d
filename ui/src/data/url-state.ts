/**
 * The view in the address bar: `?node=<id>&x=&y=&ratio=&group=a,b&severity=high,critical&…&theme=`,
 * so a link opens the same resource, camera, grouping and filters. Written with replaceState (the
 * camera moves too often for history entries).
 */
import { FILTER_KEYS, emptyFilters, type Filters } from './filters.ts'
import type { GroupBy } from './grouping.ts'

export interface UrlState {
  node?: string
  camera?: { x: number; y: number; ratio: number }
  group?: GroupBy[]
  filters: Filters
  theme?: 'dark' | 'light'
}

const list = (v: string | null): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])

export function parseUrlState(search: string): UrlState {
  const p = new URLSearchParams(search)
  const filters = emptyFilters()
  for (const k of FILTER_KEYS) filters[k] = list(p.get(k))
  const x = Number(p.get('x')), y = Number(p.get('y')), ratio = Number(p.get('ratio'))
  const theme = p.get('theme')
  return {
    ...(p.get('node') ? { node: p.get('node')! } : {}),
    ...(p.has('x') && p.has('y') && p.has('ratio') && [x, y, ratio].every(Number.isFinite) && ratio > 0 ? { camera: { x, y, ratio } } : {}),
    ...(p.get('group') ? { group: list(p.get('group')) as GroupBy[] } : {}),
    filters,
    ...(theme === 'dark' || theme === 'light' ? { theme } : {}),
  }
}

/** The query string for `state`, keeping parameters this module does not own (e.g. `bench`). */
export function formatUrlState(state: UrlState, current = ''): string {
  const p = new URLSearchParams(current)
  for (const k of ['node', 'x', 'y', 'ratio', 'group', 'theme', ...FILTER_KEYS]) p.delete(k)
  if (state.node) p.set('node', state.node)
  if (state.camera) {
    p.set('x', state.camera.x.toFixed(1))
    p.set('y', state.camera.y.toFixed(1))
    p.set('ratio', state.camera.ratio.toPrecision(4))
  }
  if (state.group?.length) p.set('group', state.group.join(','))
  for (const k of FILTER_KEYS) if (state.filters[k].length) p.set(k, state.filters[k].join(','))
  if (state.theme) p.set('theme', state.theme)
  const s = p.toString()
  return s ? `?${s}` : ''
}
