/**
 * `tfdrift/client`: subscribe to a tfdrift server's live events from browsers and Node.
 *
 * @example
 * const client = connect({ url: 'http://localhost:8080', token, topics: ['drifts'], filter: { severity_min: 'high' } })
 * client.on('event', (e) => console.log(e.type, e.data))
 * client.on('gap', (g) => console.warn('missed events on', g.topic))
 * for await (const envelope of client.events()) { … }
 */
import { TfdriftClient, type ConnectOptions } from './client.ts'

export { TfdriftClient, type ClientEvents, type ClientState, type ConnectOptions } from './client.ts'
export { Backoff, type BackoffOptions } from './backoff.ts'
export { Emitter } from './emitter.ts'
export { SseParser, type SseMessage } from './sse-parser.ts'
export type {
  Envelope, Filter, GraphCursor, GraphDelta, GraphEdge, GraphNode, NodeDriftChange, ServerError, Session, StreamPosition, SubscribedInfo, SubscriptionTopic, Topic, TransportKind, WelcomeMessage,
  Actor, AttributeChange, ChangeEvent, Coverage, Drift, DriftKind, DriftStatus, RemediationPlan, RemediationStatus, Severity,
} from './types.ts'

/** Connects (WS first, SSE fallback by default) and keeps the subscription alive until `close()`. */
export function connect(options: ConnectOptions): TfdriftClient {
  const client = new TfdriftClient(options)
  client.start()
  return client
}
