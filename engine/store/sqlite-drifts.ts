import type Database from 'better-sqlite3'
import type { Drift } from '../model.ts'
import type { DriftQuery, DriftStatusChange, Page } from './store.ts'
import { decodeCursor, encodeCursor, normalisePage, severityRank } from './paging.ts'

/**
 * The drift tables of the SQLite store: upserts with status history, filtered keyset/offset pages
 * whose totals come from the trigger-kept `drift_counts` table instead of counting rows.
 */
export class SqliteDrifts {
  private readonly statements = new Map<string, Database.Statement>()
  private readonly insert: Database.Statement
  private readonly update: Database.Statement
  private readonly statusOf: Database.Statement
  private readonly byId: Database.Statement
  private readonly appendHistory: Database.Statement
  private readonly history: Database.Statement

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(`INSERT INTO drifts (tenant, id, detected_at, severity, status, kind, provider, type, address, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING`)
    this.update = db.prepare(`UPDATE drifts SET detected_at = ?, severity = ?, status = ?, kind = ?, provider = ?, type = ?, address = ?, data = ?
      WHERE tenant = ? AND id = ?`)
    this.statusOf = db.prepare('SELECT status FROM drifts WHERE tenant = ? AND id = ?').pluck()
    this.byId = db.prepare('SELECT data FROM drifts WHERE tenant = ? AND id = ?').pluck()
    this.appendHistory = db.prepare('INSERT INTO drift_status_history (tenant, drift_id, status, changed_at, by, note) VALUES (?, ?, ?, ?, ?, ?)')
    this.history = db.prepare('SELECT drift_id, status, changed_at, by, note FROM drift_status_history WHERE tenant = ? AND drift_id = ? ORDER BY seq')
  }

  /** Inserts new drifts, updates known ones; a status that changes on update is appended to the history. Call inside a transaction. */
  save(tenant: string, drifts: readonly Drift[], now: string): void {
    for (const d of drifts) {
      const previous = this.write(tenant, d)
      if (previous !== undefined && previous !== d.status) this.appendHistory.run(tenant, d.id, d.status, now, null, 'updated by the pipeline')
    }
  }

  /** Inserts or updates one drift; returns its previous status (undefined when it is new). */
  private write(tenant: string, d: Drift): string | undefined {
    const data = JSON.stringify(d)
    const rank = severityRank(d.severity)
    const address = d.address ?? null
    if (this.insert.run(tenant, d.id, d.detected_at, rank, d.status, d.kind, d.provider, d.type, address, data).changes === 1) return undefined
    const previous = this.statusOf.get(tenant, d.id) as string | undefined
    this.update.run(d.detected_at, rank, d.status, d.kind, d.provider, d.type, address, data, tenant, d.id)
    return previous
  }

  get(tenant: string, id: string): Drift | undefined {
    const data = this.byId.get(tenant, id) as string | undefined
    return data === undefined ? undefined : (JSON.parse(data) as Drift)
  }

  /** Sets the status and appends the change to the history; undefined when the drift is unknown. Call inside a transaction. */
  setStatus(tenant: string, change: DriftStatusChange): Drift | undefined {
    const drift = this.get(tenant, change.drift_id)
    if (!drift) return undefined
    const updated: Drift = { ...drift, status: change.status }
    this.write(tenant, updated)
    this.appendHistory.run(tenant, change.drift_id, change.status, change.changed_at, change.by ?? null, change.note ?? null)
    return updated
  }

  statusHistory(tenant: string, driftId: string): DriftStatusChange[] {
    return (this.history.all(tenant, driftId) as Array<{ drift_id: string; status: DriftStatusChange['status']; changed_at: string; by: string | null; note: string | null }>)
      .map((row) => ({ drift_id: row.drift_id, status: row.status, changed_at: row.changed_at, ...(row.by !== null ? { by: row.by } : {}), ...(row.note !== null ? { note: row.note } : {}) }))
  }

  list(tenant: string, query: DriftQuery): Page<Drift> {
    const { page, limit, offset } = normalisePage(query)
    const filters: string[] = ['tenant = ?']
    const params: unknown[] = [tenant]
    if (query.severity !== undefined) { filters.push('severity = ?'); params.push(severityRank(query.severity)) }
    if (query.severity_min !== undefined) { filters.push('severity <= ?'); params.push(severityRank(query.severity_min)) }
    if (query.status !== undefined) { filters.push('status = ?'); params.push(query.status) }
    if (query.kind !== undefined) { filters.push('kind = ?'); params.push(query.kind) }
    if (query.provider !== undefined) { filters.push('provider = ?'); params.push(query.provider) }
    if (query.resource_type !== undefined) { filters.push('type = ?'); params.push(query.resource_type) }
    const total = query.address !== undefined
      ? this.count(filters, params, query.address)
      : (this.prepare(`SELECT COALESCE(SUM(n), 0) FROM drift_counts WHERE ${filters.join(' AND ')}`).pluck().get(...params) as number)
    if (query.address !== undefined) { filters.push('address = ?'); params.push(query.address) }
    const cursor = decodeCursor(query.cursor)
    if (cursor) { filters.push('(detected_at < ? OR (detected_at = ? AND id < ?))'); params.push(cursor.detected_at, cursor.detected_at, cursor.id) }
    // Rowids come from an index-only scan; only the rows of this page are read from the table.
    const sql = `SELECT data FROM drifts WHERE rowid IN (
        SELECT rowid FROM drifts WHERE ${filters.join(' AND ')} ORDER BY detected_at DESC, id DESC LIMIT ? OFFSET ?)
      ORDER BY detected_at DESC, id DESC`
    const rows = this.prepare(sql).pluck().all(...params, limit + 1, cursor ? 0 : offset) as string[]
    const more = rows.length > limit
    const items = (more ? rows.slice(0, limit) : rows).map((row) => JSON.parse(row) as Drift)
    const last = items.at(-1)
    return { items, total, page, limit, ...(more && last ? { next_cursor: encodeCursor(last) } : {}) }
  }

  private count(filters: string[], params: unknown[], address: string): number {
    return this.prepare(`SELECT COUNT(*) FROM drifts WHERE ${filters.join(' AND ')} AND address = ?`).pluck().get(...params, address) as number
  }

  /** Statements by SQL text: each filter combination is prepared once. */
  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (!statement) { statement = this.db.prepare(sql); this.statements.set(sql, statement) }
    return statement
  }
}
