/** Wire types of the realtime protocol (ARCHITECTURE.md "Realtime protocol"), as the client sees them. */
import type { Envelope, SubscriptionTopic, Topic } from '../envelope.ts'
import type { Filter, SubscribedInfo } from '../realtime-protocol.ts'
import type { GraphDelta, NodeDriftChange } from '../graph/delta.ts'
import type { GraphEdge } from '../graph/graph.ts'
import type { MarkedNode } from '../graph/drift-marks.ts'

export type { Envelope, Filter, SubscribedInfo, SubscriptionTopic, Topic }
/** `graph.delta` data (topic `graph`), its node (with drift annotation) and edge, as the server sends them. */
export type { GraphDelta, NodeDriftChange, GraphEdge }
// The domain objects the stream and the REST API carry (type-only: nothing of the engine is bundled).
export type { Actor, AttributeChange, ChangeEvent, Coverage, Drift, DriftKind, DriftStatus, RemediationPlan, RemediationStatus, Severity } from '../model.ts'
export type GraphNode = MarkedNode

/** Where a stream stood when a REST graph read began: resume after `offset` within `epoch`. */
export interface StreamPosition {
  offset: number
  epoch: string
}

/** `cursor` of `GET /api/v1/graph`, `/graph/nodes` and `/graph/edges`: the `graph` and `drifts` streams before the read. */
export interface GraphCursor {
  graph: StreamPosition
  drifts: StreamPosition
}

/** `GET /api/v1/session`. */
export interface Session {
  tenant: string
  scopes: Array<'read' | 'publish' | 'admin'>
  name?: string
  /** False when the server checks no credentials (the open demo). */
  auth: boolean
}

export type TransportKind = 'ws' | 'sse'

/** `welcome`: first WS message after the upgrade. */
export interface WelcomeMessage {
  type: 'welcome'
  client_id: string
  tenant: string
  protocol: number
  topics: string[]
  limits: Record<string, number>
}


/** A server `error` message (WS) or error response body (SSE/HTTP). */
export interface ServerError {
  code: string
  message: string
  /** HTTP status when the error came from an HTTP response or a refused upgrade. */
  status?: number
  topic?: Topic
}

/** What a transport reports to the client; `closed` is called exactly once. */
export interface TransportHandlers {
  opened(info: { transport: TransportKind; welcome?: WelcomeMessage }): void
  subscribed(info: SubscribedInfo): void
  event(envelope: Envelope): void
  error(error: ServerError): void
  /** `opened` tells whether the connection got as far as `opened()`; `error` is why it failed, when known. */
  closed(info: { opened: boolean; code?: number; reason: string; error?: ServerError }): void
}

/** What the client needs to open a transport. */
export interface TransportRequest {
  /** `http(s)://host:port` base URL. */
  base: string
  token?: string
  topics: Topic[]
  filter?: Filter
  /** Per-topic resume offset (exclusive); missing topics start live. */
  since: Map<Topic, number>
  /** Per-topic epoch of those offsets, as the server last said in `subscribed`. */
  epochs: Map<Topic, string>
}

export interface Transport {
  readonly kind: TransportKind
  /** (Re)subscribes one topic; WS only (SSE subscribes by URL). */
  resubscribe?(topic: Topic, since: number | undefined, epoch?: string): void
  close(): void
}
