import type Database from 'better-sqlite3'
import type { Envelope, Topic } from '../envelope.ts'
import type { BusJournal, JournaledStream } from '../bus/journal.ts'
import { DEFAULT_HISTORY_LIMITS } from '../bus/limits.ts'

/**
 * The SQLite side of the in-process bus's journal. `record` only buffers (it runs inside `publish`);
 * the owning store calls `write()` inside each flush transaction, so journal writes are batched with
 * every other store write.
 */
export class SqliteJournal implements BusJournal {
  private readonly offsets = new Map<string, { tenant: string; topic: string; last: number }>()
  private entries: Array<[string, string, number, number, string]> = []
  private readonly touched = new Map<string, { tenant: string; topic: string; last: number }>()
  private maxEvents = DEFAULT_HISTORY_LIMITS.max_events
  private readonly s: ReturnType<typeof statements>

  /** `wake(size)` asks the store to schedule a flush (or flush now when its batch is full); `usable()` is false once the store closed. */
  constructor(private readonly db: Database.Database, private readonly wake: (size: number) => void, private readonly usable: () => boolean) {
    this.s = statements(db)
  }

  record(envelope: Envelope, at: number, keep: boolean): void {
    if (!this.usable()) return // shutting down: the bus may outlive the store by a few publishes
    const key = `${envelope.tenant}\u0000${envelope.topic}`
    const stream = this.offsets.get(key)
    if (stream) stream.last = envelope.offset
    else this.offsets.set(key, { tenant: envelope.tenant, topic: envelope.topic, last: envelope.offset })
    if (keep) {
      let json: string | undefined
      try { json = JSON.stringify(envelope) } catch { /* unserialisable data (BigInt, cycle): offsets still continue */ }
      if (json !== undefined) {
        this.entries.push([envelope.tenant, envelope.topic, envelope.offset, at, json])
        this.touched.set(key, this.offsets.get(key)!)
      }
    }
    this.wake(keep ? 1 : 0)
  }

  /** True when something is waiting to be written. */
  get pending(): boolean {
    return this.offsets.size > 0 || this.entries.length > 0
  }

  /** Writes the buffered offsets and envelopes and trims each touched stream to `max_events`. Call inside a transaction. */
  write(): void {
    for (const e of this.entries) this.s.entry.run(...e)
    for (const o of this.offsets.values()) this.s.offset.run(o.tenant, o.topic, o.last)
    for (const t of this.touched.values()) this.s.trim.run(t.tenant, t.topic, t.last - this.maxEvents)
    this.entries = []
    this.offsets.clear()
    this.touched.clear()
  }

  load(maxEvents: number, minAt: number): JournaledStream[] {
    this.maxEvents = maxEvents
    this.db.transaction(() => {
      this.write()
      this.s.trimAge.run(minAt)
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
    return [...streams.values()]
  }
}

function statements(db: Database.Database) {
  return {
    offset: db.prepare('INSERT INTO bus_offsets (tenant, topic, last) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET last = MAX(last, excluded.last)'),
    entry: db.prepare('INSERT OR REPLACE INTO bus_journal (tenant, topic, offset, at, envelope) VALUES (?, ?, ?, ?, ?)'),
    trim: db.prepare('DELETE FROM bus_journal WHERE tenant = ? AND topic = ? AND offset <= ?'),
    trimAge: db.prepare('DELETE FROM bus_journal WHERE at < ?'),
    streams: db.prepare('SELECT tenant, topic, last FROM bus_offsets ORDER BY tenant, topic'),
    rows: db.prepare('SELECT tenant, topic, offset, at, envelope FROM bus_journal ORDER BY tenant, topic, offset'),
  }
}
