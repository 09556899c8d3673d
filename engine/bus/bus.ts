import type { Observable } from 'rxjs'
import type { Envelope, Publication, Topic } from '../envelope.ts'

/**
 * The event bus: ordered topics per tenant, with bounded history for replay by offset.
 * Implementations: in-process (`memory-bus.ts`), Redis streams (`redis-bus.ts`). Both pass
 * `test/bus/bus-contract.test.ts`.
 */
export interface Bus {
  /**
   * Assigns id/offset/time, appends to history, delivers to live subscribers; resolves with the envelope
   * once it is durable in the bus (and its journal, if any). Live subscribers and history readers never
   * see an envelope before it is durable, so a crash cannot take back what anyone has seen.
   */
  publish<T>(publication: Publication<T>): Promise<Envelope<T>>
  /**
   * Publishes several publications as one unit: every one is durable, or none is published (a retry
   * after a failure cannot duplicate part of the batch). Resolves with the envelopes in input order.
   */
  publishBatch(publications: readonly Publication[]): Promise<Envelope[]>
  /**
   * Live envelopes of a (tenant, topic) stream, in offset order. Delivery to one subscriber never
   * waits for another; a subscriber that needs bounding bounds itself (transports do).
   */
  live(tenant: string, topic: Topic): Observable<Envelope>
  /** Live envelopes of every topic of every tenant (for in-process plugins and the store writer). */
  liveAll(): Observable<Envelope>
  /**
   * History after `afterOffset` (exclusive), oldest first, at most `limit` envelopes.
   * `complete` is false when history no longer holds `afterOffset + 1` (the gap cannot be recovered).
   */
  history(tenant: string, topic: Topic, afterOffset: number, limit?: number): Promise<HistoryPage>
  /** Last offset assigned on a stream (0 when nothing was published). */
  lastOffset(tenant: string, topic: Topic): Promise<number>
  /** The stream's last offset and its epoch (see `HistoryPage.epoch`). */
  position(tenant: string, topic: Topic): Promise<StreamPosition>
  close(): Promise<void>
}

export interface HistoryPage {
  envelopes: Envelope[]
  /** False when the oldest retained offset is past `afterOffset + 1`. */
  complete: boolean
  /** Offset of the oldest envelope still retained (0 if none). */
  oldest_offset: number
  last_offset: number
  /**
   * The stream's epoch: offsets are comparable only within one epoch. It changes whenever continuity
   * cannot be proven (an in-process bus without a journal restarted, a Redis stream lost its data), so a
   * client resuming with an offset of another epoch is told `recovered: false` instead of skipping or
   * repeating envelopes.
   */
  epoch: string
}

export interface StreamPosition {
  last_offset: number
  epoch: string
}

export interface BusHistoryLimits {
  /** Max envelopes retained per (tenant, topic). */
  max_events: number
  /** Max age retained, in milliseconds. */
  max_age_ms: number
}
