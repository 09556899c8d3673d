import type Database from 'better-sqlite3'
import type { Envelope, Topic } from '../envelope.ts'
import type { BusJournal, JournalContents, JournaledStream } from '../bus/journal.ts'
import { DEFAULT_HISTORY_LIMITS } from '../bus/limits.ts'
import { TfdriftError } from '../errors.ts'
import { newEpoch } from '../ids.ts'

interface StreamMark { tenant: string; topic: string; last: number; kept: boolean }

/** Envelopes a stream may hold past `max_events` before it is trimmed: trimming in chunks keeps a DELETE out of most commits. */
const TRIM_SLACK = 1024

/**
 * The SQLite side of the in-process bus's journal. `record` only buffers (it runs inside `publish`);
 * `commit` writes the buffer in its own transaction, apart from the store's batched writes, so the bus
 * can acknowledge a publish as soon as its group is on disk. In WAL mode with `synchronous=NORMAL` a
 * committed transaction survives the process being killed (not a power cut: that needs `FULL`).
 */
export class SqliteJournal implements BusJournal {
  private readonly marks = new Map<string, StreamMark>()
  /** Per stream: the offset up to which the journal was last trimmed. */
  private readonly trimmed = new Map<string, number>()
  private entries: Array<[string, string, number, number, string]> = []
  private maxEvents = DEFAULT_HISTORY_LIMITS.max_events
  private readonly s: ReturnType<typeof statements>
  private readonly writeAll: () => void

  /** `usable()` is false once the store closed. */
  constructor(private readonly db: Database.Database, private readonly usable: () => boolean) {
    this.s = statements(db)
    this.writeAll = db.transaction(() => this.write())
  }

  record(envelope: Envelope, at: number, json: string | undefined): void {
    const key = `${envelope.tenant}\u0000${envelope.topic}`
    const mark = this.marks.get(key)
    if (mark) mark.last = envelope.offset
    else this.marks.set(key, { tenant: envelope.tenant, topic: envelope.topic, last: envelope.offset, kept: false })
    if (json !== undefined) {
      this.entries.push([envelope.tenant, envelope.topic, envelope.offset, at, json])
      this.marks.get(key)!.kept = true
    }
  }

  commit(): void {
    if (this.marks.size === 0) return
    try {
      if (!this.usable()) throw new TfdriftError('TFD_ERR_STORE_CLOSED', 'The store is closed; the bus cannot journal after shutdown started.')
      this.writeAll()
    } finally {
      // A failed batch is not retried here: the bus takes its offsets back and rejects its publishes.
      this.entries = []
      this.marks.clear()
    }
  }

  load(maxEvents: number, minAt: number): JournalContents {
    this.maxEvents = maxEvents
    const epoch = this.db.transaction(() => {
      this.s.trimAge.run(minAt)
      const stored = this.s.epoch.get() as string | undefined
      if (stored !== undefined) return stored
      const fresh = newEpoch()
      this.s.setEpoch.run(fresh)
      return fresh
    })()
    const streams = new Map<string, JournaledStream>()
    for (const row of this.s.streams.all() as Array<{ tenant: string; topic: Topic; last: number }>) {
      streams.set(`${row.tenant}\u0000${row.topic}`, { tenant: row.tenant, topic: row.topic, last: row.last, envelopes: [] })
    }
    for (const row of this.s.rows.all() as Array<{ tenant: string; topic: Topic; offset: number; at: number; envelope: string }>) {
      const key = `${row.tenant}\u0000${row.topic}`
      let stream = streams.get(key)
      if (!stream) { stream = { tenant: row.tenant, topic: row.topic, last: row.offset, envelopes: [] }; streams.set(key, stream) }
      stream.last = Math.max(stream.last, row.offset)
      stream.envelopes.push({ envelope: JSON.parse(row.envelope) as Envelope, at: row.at })
    }
    for (const stream of streams.values()) {
      // Keep only the newest contiguous run: an envelope before a gap could not be replayed without skipping.
      const tail = stream.envelopes.slice(-maxEvents)
      let start = tail.length
      while (start > 0 && tail[start - 1].envelope.offset === (start === tail.length ? stream.last : tail[start].envelope.offset - 1)) start--
      stream.envelopes = tail.slice(start)
    }
    return { epoch, streams: [...streams.values()] }
  }

  /** Writes the buffered offsets and envelopes; a stream past `max_events` by TRIM_SLACK is trimmed back to it. */
  private write(): void {
    for (const e of this.entries) this.s.entry.run(...e)
    for (const [key, m] of this.marks) {
      this.s.offset.run(m.tenant, m.topic, m.last)
      const keepFrom = m.last - this.maxEvents
      if (m.kept && keepFrom - (this.trimmed.get(key) ?? 0) >= TRIM_SLACK) {
        this.s.trim.run(m.tenant, m.topic, keepFrom)
        this.trimmed.set(key, keepFrom)
      }
    }
  }
}

function statements(db: Database.Database) {
  return {
    offset: db.prepare('INSERT INTO bus_offsets (tenant, topic, last) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET last = MAX(last, excluded.last)'),
    entry: db.prepare('INSERT OR REPLACE INTO bus_journal (tenant, topic, offset, at, envelope) VALUES (?, ?, ?, ?, ?)'),
    trim: db.prepare('DELETE FROM bus_journal WHERE tenant = ? AND topic = ? AND offset <= ?'),
    trimAge: db.prepare('DELETE FROM bus_journal WHERE at < ?'),
    epoch: db.prepare("SELECT value FROM bus_meta WHERE key = 'epoch'").pluck(),
    setEpoch: db.prepare("INSERT INTO bus_meta (key, value) VALUES ('epoch', ?)"),
    streams: db.prepare('SELECT tenant, topic, last FROM bus_offsets ORDER BY tenant, topic'),
    rows: db.prepare('SELECT tenant, topic, offset, at, envelope FROM bus_journal ORDER BY tenant, topic, offset'),
  }
}
