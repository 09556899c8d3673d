/** Wire shapes the dashboard reads from the REST API and the live stream (snake_case, as the server sends them). */

export type SeverityName = 'critical' | 'high' | 'medium' | 'low' | 'info'
export type DriftKind = 'missing' | 'unmanaged' | 'modified'
export type DriftStatus = 'open' | 'acknowledged' | 'snoozed' | 'remediated' | 'resolved'

/** A graph node as `/api/v1/graph/nodes` returns it (drift annotations included). */
export interface RawNode {
  id: string
  label?: string
  address?: string
  type: string
  name?: string
  provider: string
  mode?: string
  module?: string
  resource_id?: string
  arn?: string
  source?: string
  status?: string
  region?: string
  account_id?: string
  drift_severity?: SeverityName | null
  drift_count?: number
  [key: string]: unknown
}

export interface RawEdge {
  id: string
  source: string
  target: string
  kind?: string
}

/** Who made a change, as far as the change event told. */
export interface Actor {
  user?: string
  arn?: string
  account_id?: string
  source_ip?: string
  user_agent?: string
  event_name?: string
  event_id?: string
}

/** One attribute difference; values arrive masked when sensitive. */
export interface DriftChange {
  path: string
  expected?: unknown
  actual?: unknown
  sensitive?: boolean
}

export interface Drift {
  id: string
  kind: DriftKind
  address?: string
  type: string
  provider: string
  resource_id?: string
  arn?: string
  module?: string
  changes?: DriftChange[]
  severity: SeverityName
  actor?: Actor
  detected_at: string
  status: DriftStatus
  status_by?: string
  status_at?: string
  status_note?: string
  snoozed_until?: string
}

export interface StatusChange {
  status?: string
  changed_at?: string
  at?: string
  by?: string
  note?: string
  [key: string]: unknown
}

export interface Remediation {
  id: string
  drift_id: string
  strategy: string
  content: string
  summary: string
  status: 'proposed' | 'approved' | 'rejected' | 'applied' | 'failed' | 'obsolete'
  created_at: string
  decided_by?: string
  decided_at?: string
  reason?: string
}

export interface ChangeEvent {
  id: string
  source: string
  time: string
  event_name: string
  event_source?: string
  resource_id?: string
  region?: string
  actor?: Actor
  error_code?: string
}

export interface Resource {
  address: string
  type: string
  name: string
  provider: string
  module?: string
  resource_id?: string
  arn?: string
  attributes: Record<string, unknown>
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  limit: number
}

/** Where the live stream resumes after a paged read (taken by the server before the read). */
export interface StreamCursor {
  offset: number
  epoch?: string
}

export interface GraphPage<T> extends Page<T> {
  /** Named `streams` by the server; `cursor` accepted too. */
  streams?: { graph?: StreamCursor; drifts?: StreamCursor }
  cursor?: { graph?: StreamCursor; drifts?: StreamCursor }
}

export interface Session {
  tenant: string
  scopes: string[]
  name?: string
  auth: boolean
}

export interface Coverage {
  managed: number
  unmanaged: number
  missing: number
  modified: number
  percent: number
}

export interface StatsSummary {
  drifts: { total: number; by_severity: Record<SeverityName, number>; by_status: Record<string, number>; by_kind: Record<string, number> }
  coverage: Coverage
  resources: number
}

/** The figures the header shows from `metrics.pipeline`. */
export interface PipelineFigures {
  eventsPerSecond: number
  p99LatencyMs: number | null
  clients: number
  busLagMs: number | null
}

/** A `graph.delta` event's data (the server names may still move; see `normaliseDelta`). */
export interface GraphDelta {
  nodes_added: RawNode[]
  nodes_removed: string[]
  edges_added: RawEdge[]
  edges_removed: string[]
  nodes_changed: Array<{ id: string; drift_severity?: SeverityName | null; drift_count?: number }>
}
