/** Filters (severity chips, drift kind/status, provider/type/module menus) and the grouping selector. */
import { For } from 'solid-js'
import type { FilterKey, Filters } from '../data/filters.ts'

const SEVERITY_CHOICES = ['critical', 'high', 'medium', 'low', 'info', 'none']
const KIND_CHOICES = ['modified', 'missing', 'unmanaged']
const STATUS_CHOICES = ['open', 'acknowledged', 'snoozed', 'remediated', 'resolved']

/** Grouping choices (outermost first); the value is the URL's `group=`. */
export const GROUPINGS: Array<{ value: string; label: string }> = [
  { value: 'provider,account,region,module,type', label: 'provider › account › region › module › type' },
  { value: 'provider,account,region,module', label: 'provider › account › region › module' },
  { value: 'provider,account,region,moduleTree', label: 'provider › account › region › module tree' },
  { value: 'provider,account,region', label: 'provider › account › region' },
  { value: 'provider,type', label: 'provider › type' },
  { value: 'module', label: 'module' },
  { value: 'type', label: 'type' },
  { value: 'severity', label: 'severity' },
  { value: 'region', label: 'region' },
  { value: 'account', label: 'account' },
]

export interface FilterBarProps {
  filters: Filters
  options: { provider: string[]; type: string[]; module: string[] }
  onChange: (filters: Filters) => void
  group: string
  onGroup: (value: string) => void
}

export function FilterBar(props: FilterBarProps) {
  const set = (key: FilterKey, values: string[]) => props.onChange({ ...props.filters, [key]: values })
  const toggle = (key: FilterKey, value: string) => {
    const current = props.filters[key]
    set(key, current.includes(value) ? current.filter((v) => v !== value) : [...current, value])
  }
  const menu = (key: FilterKey, label: string, choices: string[]) => (
    <label class="filter">
      {label}
      <select data-testid={`filter-${key}`} aria-label={`Filter by ${label}`} value={props.filters[key][0] ?? ''}
        onChange={(e) => set(key, e.currentTarget.value ? [e.currentTarget.value] : [])}>
        <option value="">any</option>
        <For each={[...new Set([...props.filters[key], ...choices])]}>{(v) => <option value={v}>{v}</option>}</For>
      </select>
    </label>
  )
  return (
    <div class="filterbar" role="toolbar" aria-label="Filters">
      <fieldset class="chips" data-testid="filter-severity">
        <legend class="sr-only">Severity</legend>
        <For each={SEVERITY_CHOICES}>
          {(s) => (
            <button type="button" class={`chip sev-${s}`} aria-pressed={props.filters.severity.includes(s)} data-testid={`filter-severity-${s}`}
              onClick={() => toggle('severity', s)}>{s}</button>
          )}
        </For>
      </fieldset>
      {menu('kind', 'kind', KIND_CHOICES)}
      {menu('status', 'status', STATUS_CHOICES)}
      {menu('provider', 'provider', props.options.provider)}
      {menu('type', 'type', props.options.type)}
      {menu('module', 'module', props.options.module)}
      <label class="filter">
        group by
        <select data-testid="group-select" aria-label="Group by" value={props.group} onChange={(e) => props.onGroup(e.currentTarget.value)}>
          <For each={GROUPINGS.some((g) => g.value === props.group) ? GROUPINGS : [{ value: props.group, label: props.group.replaceAll(',', ' › ') }, ...GROUPINGS]}>
            {(g) => <option value={g.value}>{g.label}</option>}
          </For>
        </select>
      </label>
    </div>
  )
}
