import type Database from 'better-sqlite3'
import { SEVERITIES, type Drift, type Severity } from '../model.ts'
import type { DriftQuery, DriftStatusChange, Page } from './store.ts'
import { decodeCursor, encodeCursor, normalisePage, severityRank } from './paging.ts'
import { detected, mergeFromPipeline, withStatus } from '../drift/workflow.ts'

/** The indexed columns of a drift row, which are also its `drift_counts` group. */
interface Group { severity: number; status: string; kind: string; provider: string; type: string }

/**
 * The drift tables of the SQLite store: upserts with status history; filtered pages in
 * (detected_ms DESC, rowid DESC) order by page number or keyset cursor; totals from `drift_counts`,
 * which this class keeps in step with every write inside the caller's transaction.
 */
export class SqliteDrifts {
  private readonly statements = new Map<string, Database.Statement>()
  private readonly insert: Database.Statement
  private readonly update: Database.Statement
  private readonly groupOf: Database.Statement
  private readonly byId: Database.Statement
  private readonly openRows: Database.Statement
  private readonly addCount: Database.Statement
  private readonly newCount: Database.Statement
  private readonly appendHistory: Database.Statement
  private readonly history: Database.Statement
  /** Count deltas of the writes since the last `applyCounts`, by type, then by the rest of the group. */
  private readonly deltas = new Map<string, Map<string, Group & { n: number }>>()

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(`INSERT INTO drifts (tenant, id, detected_ms, severity, status, kind, provider, type, address, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING`)
    this.update = db.prepare(`UPDATE drifts SET detected_ms = ?, severity = ?, status = ?, kind = ?, provider = ?, type = ?, address = ?, data = ?
      WHERE tenant = ? AND id = ?`)
    this.groupOf = db.prepare('SELECT severity, status, kind, provider, type FROM drifts WHERE tenant = ? AND id = ?')
    this.byId = db.prepare('SELECT data FROM drifts WHERE tenant = ? AND id = ?').pluck()
    this.openRows = db.prepare("SELECT address, severity FROM drifts WHERE tenant = ? AND status = 'open' AND address IS NOT NULL").raw()
    this.addCount = db.prepare('UPDATE drift_counts SET n = n + ? WHERE tenant = ? AND severity = ? AND status = ? AND kind = ? AND provider = ? AND type = ?')
    this.newCount = db.prepare('INSERT INTO drift_counts (tenant, severity, status, kind, provider, type, n) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.appendHistory = db.prepare('INSERT INTO drift_status_history (tenant, drift_id, action, status, changed_at, by, note, until, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    this.history = db.prepare('SELECT drift_id, action, status, changed_at, by, note, until, actor FROM drift_status_history WHERE tenant = ? AND drift_id = ? ORDER BY seq')
  }

  /** Inserts new drifts, merges known ones with their hand-set status; detections, changes and status moves join the history. Call inside a transaction. */
  save(tenant: string, drifts: readonly Drift[], now: string): void {
    const insert = this.insert
    for (let i = 0; i < drifts.length; i++) {
      const d = drifts[i]
      // The hot path: one statement per new drift, its count tallied in memory and written once per batch.
      const severity = severityRank(d.severity)
      const data = JSON.stringify(d)
      if (insert.run(tenant, d.id, Date.parse(d.detected_at), severity, d.status, d.kind, d.provider, d.type, d.address ?? null, data).changes === 1) {
        this.tally(severity, d.status, d.kind, d.provider, d.type, 1)
        this.append(tenant, detected(d))
        continue
      }
      const { drift, entry } = mergeFromPipeline(this.get(tenant, d.id)!, d, now)
      this.replace(tenant, drift, severityRank(drift.severity), JSON.stringify(drift))
      if (entry) this.append(tenant, { drift_id: d.id, ...entry })
    }
    this.applyCounts(tenant)
  }

  get(tenant: string, id: string): Drift | undefined {
    const data = this.byId.get(tenant, id) as string | undefined
    return data === undefined ? undefined : (JSON.parse(data) as Drift)
  }

  /** Sets the status and appends the change to the history; undefined when the drift is unknown. Call inside a transaction. */
  setStatus(tenant: string, change: DriftStatusChange): Drift | undefined {
    const drift = this.get(tenant, change.drift_id)
    if (!drift) return undefined
    const updated = withStatus(drift, change)
    this.write(tenant, updated)
    this.applyCounts(tenant)
    this.append(tenant, { ...change, action: change.action ?? 'status' })
    return updated
  }

  statusHistory(tenant: string, driftId: string): DriftStatusChange[] {
    type Row = { drift_id: string; action: DriftStatusChange['action'] | null; status: DriftStatusChange['status']; changed_at: string; by: string | null; note: string | null; until: string | null; actor: string | null }
    return (this.history.all(tenant, driftId) as Row[]).map((row) => ({
      drift_id: row.drift_id, action: row.action ?? 'status', status: row.status, changed_at: row.changed_at,
      ...(row.by !== null ? { by: row.by } : {}), ...(row.note !== null ? { note: row.note } : {}),
      ...(row.until !== null ? { until: row.until } : {}), ...(row.actor !== null ? { actor: JSON.parse(row.actor) } : {}),
    }))
  }

  private append(tenant: string, e: DriftStatusChange): void {
    this.appendHistory.run(tenant, e.drift_id, e.action ?? 'status', e.status, e.changed_at, e.by ?? null, e.note ?? null, e.until ?? null, e.actor ? JSON.stringify(e.actor) : null)
  }

  /** Address and severity of the open drifts with an address (two columns, no drift JSON parsed). */
  openAddresses(tenant: string): Array<{ address: string; severity: Severity }> {
    return (this.openRows.all(tenant) as Array<[string, number]>).map(([address, rank]) => ({ address, severity: SEVERITIES[rank] ?? SEVERITIES[SEVERITIES.length - 1]! }))
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
    let total: number
    if (query.address !== undefined) {
      filters.push('address = ?'); params.push(query.address)
      total = this.prepare(`SELECT COUNT(*) FROM drifts INDEXED BY drifts_by_address WHERE ${filters.join(' AND ')}`).pluck().get(...params) as number
    } else {
      total = this.prepare(`SELECT COALESCE(SUM(n), 0) FROM drift_counts WHERE ${filters.join(' AND ')}`).pluck().get(...params) as number
    }
    const cursor = decodeCursor(query.cursor)
    if (cursor) {
      // Written so that `detected_ms <= ?` is a range the index can seek to; the OR only breaks ties.
      filters.push('detected_ms <= ? AND (detected_ms < ? OR rowid < ?)')
      params.push(cursor.time, cursor.time, cursor.seq)
    }
    // The planner is told which index to walk: without ANALYZE statistics it may pick one that sorts.
    const index = query.address !== undefined ? 'drifts_by_address' : query.resource_type !== undefined ? 'drifts_by_type' : 'drifts_recent'
    const sql = `SELECT rowid, detected_ms, data FROM drifts WHERE rowid IN (
        SELECT rowid FROM drifts INDEXED BY ${index} WHERE ${filters.join(' AND ')} ORDER BY detected_ms DESC, rowid DESC LIMIT ? OFFSET ?)
      ORDER BY detected_ms DESC, rowid DESC`
    const rows = this.prepare(sql).all(...params, limit + 1, cursor ? 0 : offset) as Array<{ rowid: number; detected_ms: number; data: string }>
    const more = rows.length > limit
    const pageRows = more ? rows.slice(0, limit) : rows
    const last = pageRows.at(-1)
    return {
      items: pageRows.map((row) => JSON.parse(row.data) as Drift),
      total, page, limit,
      ...(more && last ? { next_cursor: encodeCursor({ time: last.detected_ms, seq: last.rowid }) } : {}),
    }
  }

  /** Inserts or updates one drift, noting the count deltas; returns the previous group (undefined when new). */
  private write(tenant: string, d: Drift): Group | undefined {
    const severity = severityRank(d.severity)
    const data = JSON.stringify(d)
    if (this.insert.run(tenant, d.id, Date.parse(d.detected_at), severity, d.status, d.kind, d.provider, d.type, d.address ?? null, data).changes === 1) {
      this.tally(severity, d.status, d.kind, d.provider, d.type, 1)
      return undefined
    }
    return this.replace(tenant, d, severity, data)
  }

  /** Overwrites a known drift's row, moving its count from the old group to the new; returns the old group. */
  private replace(tenant: string, d: Drift, severity: number, data: string): Group {
    const previous = this.groupOf.get(tenant, d.id) as Group
    this.update.run(Date.parse(d.detected_at), severity, d.status, d.kind, d.provider, d.type, d.address ?? null, data, tenant, d.id)
    this.tally(previous.severity, previous.status, previous.kind, previous.provider, previous.type, -1)
    this.tally(severity, d.status, d.kind, d.provider, d.type, 1)
    return previous
  }

  /** Notes a count delta for one group. Keyed by type, then the rest: the type and provider strings are usually shared, so their hashes are cached. */
  private tally(severity: number, status: string, kind: string, provider: string, type: string, by: number): void {
    let byType = this.deltas.get(type)
    if (!byType) { byType = new Map(); this.deltas.set(type, byType) }
    const key = provider + '\u0000' + status + '\u0000' + kind + '\u0000' + severity
    const entry = byType.get(key)
    if (entry) entry.n += by
    else byType.set(key, { severity, status, kind, provider, type, n: by })
  }

  /** Writes the tallied deltas: an UPDATE of the group's row, an INSERT only for a group never seen. */
  private applyCounts(tenant: string): void {
    for (const byType of this.deltas.values()) {
      for (const g of byType.values()) {
        if (g.n === 0) continue
        if (this.addCount.run(g.n, tenant, g.severity, g.status, g.kind, g.provider, g.type).changes === 0) {
          this.newCount.run(tenant, g.severity, g.status, g.kind, g.provider, g.type, g.n)
        }
      }
    }
    this.deltas.clear()
  }

  /** Statements by SQL text: each filter combination is prepared once. */
  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (!statement) { statement = this.db.prepare(sql); this.statements.set(sql, statement) }
    return statement
  }
}
