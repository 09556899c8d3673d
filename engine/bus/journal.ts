import { TOPICS, type Envelope, type Topic } from '../envelope.ts'

/**
 * Topics whose envelopes an in-process bus keeps in its journal by default: all of them, because a
 * `200` from publish promises the event is durable, whatever its topic.
 */
export const DEFAULT_JOURNAL_TOPICS: readonly Topic[] = TOPICS

/** One stream as the journal last saw it: its last offset and the retained tail of journaled envelopes. */
export interface JournaledStream {
  tenant: string
  topic: Topic
  last: number
  /** Oldest first, each with the bus-clock time (ms) it was published at. */
  envelopes: Array<{ envelope: Envelope; at: number }>
}

/** What the journal holds when the bus starts. */
export interface JournalContents {
  /** The epoch offsets of this journal belong to; created (and stored) when the journal is new. */
  epoch: string
  streams: JournaledStream[]
}

/**
 * Durable memory for the in-process bus, so offsets continue and envelopes stay recoverable after a
 * restart (also after `kill -9`). The SQLite store implements it (`bus_meta`, `bus_offsets`,
 * `bus_journal`). The bus records envelopes as it assigns offsets, then calls `commit()` once per batch
 * (group commit) and only afterwards acknowledges and delivers them: what anyone has seen is durable.
 */
export interface BusJournal {
  /** Buffers a published envelope: its offset always, its content (`json`, the envelope serialised) when given. */
  record(envelope: Envelope, at: number, json: string | undefined): void
  /** Writes everything recorded since the last commit in one transaction; throws (and keeps nothing of the batch) when it cannot. */
  commit(): void
  /** Every stream's last offset and retained envelopes, trimmed to the limits (at most `maxEvents` each, none older than `minAt`). */
  load(maxEvents: number, minAt: number): JournalContents
}

/** The store's bus journal when it has one (the SQLite store does; the memory store does not). */
export function busJournalOf(store: unknown): BusJournal | undefined {
  const candidate = store as { busJournal?: () => BusJournal } | undefined
  return typeof candidate?.busJournal === 'function' ? candidate.busJournal() : undefined
}
