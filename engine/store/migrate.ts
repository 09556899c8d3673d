import type Database from 'better-sqlite3'
import { TfdriftError } from '../errors.ts'
import { MIGRATIONS, type Migration } from './migrations/index.ts'

/**
 * Brings a database up to the newest schema: each pending migration runs in its own transaction and
 * is recorded in `schema_migrations`. A database newer than this code is refused (TFD_ERR_STORE_SCHEMA_NEWER)
 * rather than written with an older idea of the schema. Returns the versions applied now.
 */
export function migrate(db: Database.Database, now: () => string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) {
    throw new TfdriftError('TFD_ERR_STORE_SCHEMA_NEWER',
      `The store database is at schema version ${current} but this tfdrift knows only up to ${latest}.`)
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  const applied: number[] = []
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      // Another process may have applied it between our read and this write lock.
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) return
      db.exec(migration.up)
      record.run(migration.version, migration.name, now())
    }).immediate()
    applied.push(migration.version)
  }
  return applied
}

/** The schema version a database is at (0 for a new one). */
export function schemaVersion(db: Database.Database): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (!exists) return 0
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0
}
