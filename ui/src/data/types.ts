/** Wire shapes the dashboard reads from the REST API and the live stream (snake_case, as the server sends them). */

import type { Actor, AttributeChange, ChangeEvent, Coverage, Drift, DriftKind, DriftStatus, RemediationPlan, Session, Severity } from 'tfdrift/client'

// Drifts, actors, change events, plans, coverage and the session are the engine's own types (one source: engine/model.ts).
export type { Actor, ChangeEvent, Coverage, Drift, DriftKind, DriftStatus, Session }
export type SeverityName = Severity
/** One attribute difference; values arrive masked when sensitive. */
export type DriftChange = AttributeChange
export type Remediation = RemediationPlan

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

export interface StatusChange {
  status?: string
  changed_at?: string
  at?: string
  by?: string
  note?: string
  [key: string]: unknown
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
