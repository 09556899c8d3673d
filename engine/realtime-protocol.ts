/**
 * Types of the realtime protocol (ARCHITECTURE.md "Realtime protocol") that the server and the client
 * share. Type-only, so the browser client can import it without pulling in server code.
 */
import type { Topic } from './envelope.ts'
import type { Severity } from './model.ts'

/** A subscription filter, the same for WS and SSE. */
export interface Filter {
  /** Only envelopes whose `data.severity` is at least this severe. */
  severity_min?: Severity
  /** Only envelopes whose `data.type` (or `data.resource_type`) equals this. */
  resource_type?: string
  /** Only envelopes whose `data.provider` equals this. */
  provider?: string
}

/** The `subscribed` reply: replay for a topic started. */
export interface SubscribedInfo {
  topic: Topic
  /** Offset the replay started after. */
  since: number
  /**
   * False when the replay cannot continue exactly after what the client saw: history no longer held
   * `since + 1` (events between `since` and `oldest_offset` are lost), or the client's epoch is not the
   * stream's (the replay then starts at the stream's beginning).
   */
  recovered: boolean
  /** The stream's epoch: send it back with your last offset when you resume. */
  epoch: string
  oldest_offset: number
  last_offset: number
  filter?: Filter
}
