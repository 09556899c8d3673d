import type Database from 'better-sqlite3'

/** Plugin state in the `plugin_state` table (schema v4): JSON values by (tenant, scope, key). */
export class SqlitePluginState {
  private readonly upsert: Database.Statement
  private readonly remove: Database.Statement
  private readonly select: Database.Statement

  constructor(db: Database.Database) {
    this.upsert = db.prepare('INSERT INTO plugin_state (tenant, scope, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, scope, key) DO UPDATE SET value = excluded.value')
    this.remove = db.prepare('DELETE FROM plugin_state WHERE tenant = ? AND scope = ? AND key = ?')
    this.select = db.prepare('SELECT key, value FROM plugin_state WHERE tenant = ? AND scope = ? ORDER BY key')
  }

  load(tenant: string, scope: string): Map<string, unknown> {
    const rows = this.select.all(tenant, scope) as Array<{ key: string; value: string }>
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]))
  }

  /** Runs inside the store's write transaction. */
  write(tenant: string, scope: string, entries: ReadonlyArray<readonly [string, string | undefined]>): void {
    for (const [key, value] of entries) {
      if (value === undefined) this.remove.run(tenant, scope, key)
      else this.upsert.run(tenant, scope, key, value)
    }
  }
}
