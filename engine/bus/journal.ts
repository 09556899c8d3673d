import type { Envelope, Topic } from '../envelope.ts'

/** Topics whose envelopes an in-process bus keeps in its journal by default: what must survive a restart. */
export const DEFAULT_JOURNAL_TOPICS: readonly Topic[] = ['drifts', 'remediations']

/** One stream as the journal last saw it: its last offset and the retained tail of journaled envelopes. */
export interface JournaledStream {
  tenant: string
  topic: Topic
  last: number
  /** Oldest first, each with the bus-clock time (ms) it was published at. */
  envelopes: Array<{ envelope: Envelope; at: number }>
}

/**
 * Durable memory for the in-process bus, so offsets continue and persisted topics stay recoverable
 * after a restart. The SQLite store implements it (`bus_offsets` + `bus_journal` tables). Writes are
 * buffered by the implementation; `record` must be cheap and must never throw into the publisher.
 */
export interface BusJournal {
  /** Notes a published envelope: its offset always, its content when `keep` (a journaled topic). */
  record(envelope: Envelope, at: number, keep: boolean): void
  /** Every stream's last offset and retained envelopes, trimmed to the limits (at most `maxEvents` each, none older than `minAt`). */
  load(maxEvents: number, minAt: number): JournaledStream[]
}

/** The store's bus journal when it has one (the SQLite store does; the memory store does not). */
export function busJournalOf(store: unknown): BusJournal | undefined {
  const candidate = store as { busJournal?: () => BusJournal } | undefined
  return typeof candidate?.busJournal === 'function' ? candidate.busJournal() : undefined
}
