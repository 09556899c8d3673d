/**
 * What only the SQLite store has: durability across reopen, versioned migrations, batched writes and
 * the default path. Real files in a temp dir; a second raw connection observes what is on disk.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../engine/store/sqlite-store.ts'
import { openStore, DEFAULT_SQLITE_PATH } from '../../engine/store/open.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { MIGRATIONS } from '../../engine/store/migrations/index.ts'
import { migrate, schemaVersion } from '../../engine/store/migrate.ts'
import { drift, event, plan, resource, snapshot } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const file = () => join(dir, `s${++n}.db`)
const countOnDisk = (path: string) => {
  const raw = new Database(path, { readonly: true })
  try { return (raw.prepare('SELECT COUNT(*) AS c FROM drifts').get() as { c: number }).c } finally { raw.close() }
}

describe('SqliteStore', () => {
  it('keeps everything across close and reopen, in WAL mode, migrating only once', async () => {
    const path = file()
    const first = new SqliteStore({ path })
    await first.saveSnapshot('acme', 'prod', snapshot('expected', 'a.tfstate', [resource('aws_vpc.main')]))
    await first.saveChangeEvents('acme', [event('e1')])
    await first.saveDrifts('acme', [drift('d1'), drift('d2', { severity: 'critical' })])
    await first.setDriftStatus('acme', { drift_id: 'd1', status: 'acknowledged', changed_at: '2026-11-22T10:01:00.000Z', by: 'alice' })
    await first.saveRemediations('acme', [plan('p1')])
    await first.close()

    const second = new SqliteStore({ path })
    expect((await second.latestSnapshots('acme'))[0].resources[0].address).toBe('aws_vpc.main')
    expect((await second.getChangeEvent('acme', 'e1'))?.event_name).toBe('AuthorizeSecurityGroupIngress')
    expect((await second.listDrifts('acme', { severity_min: 'critical' })).items.map((d) => d.id)).toEqual(['d2'])
    expect((await second.driftHistory('acme', 'd1')).map((h) => [h.action, h.status, h.by])).toEqual([['detected', 'open', undefined], ['status', 'acknowledged', 'alice']])
    expect((await second.getRemediation('acme', 'p1'))?.status).toBe('proposed')
    expect(await second.getDrift('beta', 'd1')).toBeUndefined()
    await second.close()

    const raw = new Database(path)
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })))
    expect(raw.prepare("SELECT COUNT(*) AS c FROM drifts WHERE tenant = 'acme'").get()).toEqual({ c: 2 })
    expect(migrate(raw, () => 'now')).toEqual([])
    raw.close()
  })

  it('applies pending migrations in order and records them', () => {
    const raw = new Database(':memory:')
    const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'add_note', up: 'ALTER TABLE drifts ADD COLUMN note TEXT;' }]
    expect(migrate(raw, () => 't0')).toEqual(MIGRATIONS.map((m) => m.version))
    expect(migrate(raw, () => 't1', extra)).toEqual([MIGRATIONS.length + 1])
    expect(schemaVersion(raw)).toBe(MIGRATIONS.length + 1)
    expect(raw.prepare('SELECT note FROM drifts').all()).toEqual([])
    // A failing migration leaves nothing half-applied.
    const broken = [...extra, { version: extra.length + 1, name: 'broken', up: 'CREATE TABLE ok_part (x); SELECT nope FROM nowhere;' }]
    expect(() => migrate(raw, () => 't2', broken)).toThrow()
    expect(schemaVersion(raw)).toBe(extra.length)
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_part'").all()).toEqual([])
    raw.close()
  })

  it('upgrades a v6 journal to a rowid table and keeps its envelopes', async () => {
    // WITHOUT ROWID made every ~1 KB envelope insert move large cells between pages (40–50 µs a row on a full journal).
    const path = file()
    const raw = new Database(path)
    migrate(raw, () => 't0', MIGRATIONS.filter((m) => m.version <= 6))
    const insert = raw.prepare('INSERT INTO bus_journal (tenant, topic, offset, at, envelope) VALUES (?, ?, ?, ?, ?)')
    for (const [topic, offset] of [['drifts', 1], ['drifts', 2], ['events', 1]] as const) insert.run('acme', topic, offset, 1000 + offset, JSON.stringify({ topic, offset }))
    raw.close()

    await new SqliteStore({ path }).close()
    const after = new Database(path, { readonly: true })
    expect(after.prepare("SELECT sql FROM sqlite_master WHERE name = 'bus_journal'").pluck().get()).not.toMatch(/WITHOUT ROWID/i)
    expect(after.prepare('SELECT topic, offset, at, envelope FROM bus_journal ORDER BY topic, offset').all()).toEqual([
      { topic: 'drifts', offset: 1, at: 1001, envelope: '{"topic":"drifts","offset":1}' },
      { topic: 'drifts', offset: 2, at: 1002, envelope: '{"topic":"drifts","offset":2}' },
      { topic: 'events', offset: 1, at: 1001, envelope: '{"topic":"events","offset":1}' },
    ])
    after.close()
  })

  it('refuses a database written by a newer schema with a coded error', async () => {
    const path = file()
    await new SqliteStore({ path }).close()
    const raw = new Database(path)
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run()
    raw.close()
    expect(() => new SqliteStore({ path })).toThrow(expect.objectContaining({ code: 'TFD_ERR_STORE_SCHEMA_NEWER' }))
  })

  it('refuses a file that is not a database with TFD_ERR_STORE_OPEN', () => {
    const path = file()
    writeFileSync(path, 'this is not sqlite, just some text that is long enough to have a header '.repeat(20))
    expect(() => new SqliteStore({ path })).toThrow(expect.objectContaining({ code: 'TFD_ERR_STORE_OPEN' }))
  })

  it('buffers writes until the batch fills, the interval passes or flush() is called', async () => {
    const path = file()
    const store = new SqliteStore({ path, batch_size: 100, flush_interval_ms: 60_000 })
    await store.saveDrifts('acme', Array.from({ length: 40 }, (_, i) => drift(`a${i}`)))
    expect(countOnDisk(path)).toBe(0)
    await store.saveDrifts('acme', Array.from({ length: 60 }, (_, i) => drift(`b${i}`)))
    expect(countOnDisk(path)).toBe(100)
    await store.saveDrifts('acme', [drift('c1')])
    expect(countOnDisk(path)).toBe(100)
    await store.flush()
    expect(countOnDisk(path)).toBe(101)
    await store.saveDrifts('acme', [drift('c2')])
    expect((await store.getDrift('acme', 'c2'))?.id).toBe('c2') // reads see this process's own writes
    await store.close()

    const timed = new SqliteStore({ path, flush_interval_ms: 5 })
    await timed.saveDrifts('acme', [drift('t1')])
    const deadline = Date.now() + 5000
    while (countOnDisk(path) < 103 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    expect(countOnDisk(path)).toBe(103)
    await timed.close()
  })

  it('keeps drift_counts equal to a GROUP BY over drifts through mixed batches of new drifts, updates and repeats', async () => {
    const path = file()
    const store = new SqliteStore({ path, batch_size: 1_000_000 })
    const severities = ['critical', 'high', 'medium', 'low', 'info'] as const
    const statuses = ['open', 'acknowledged', 'resolved'] as const
    const make = (i: number, round: number) => drift(`d${i}`, {
      severity: severities[(i + round) % 5], status: statuses[(i * 7 + round) % 3], provider: ['aws', 'google'][(i + round) % 2],
      type: `t${(i * 3 + round) % 4}`, kind: (['modified', 'missing', 'unmanaged'] as const)[i % 3],
    })
    await store.saveDrifts('acme', Array.from({ length: 300 }, (_, i) => make(i, 0)))
    // One buffered batch: updates that move drifts between groups, new ids, and an id written twice.
    await store.saveDrifts('acme', [...Array.from({ length: 200 }, (_, i) => make(i + 150, 1)), make(7, 2), make(7, 3)])
    await store.saveDrifts('beta', [make(1, 0)])
    await store.setDriftStatus('acme', { drift_id: 'd3', status: 'resolved', changed_at: '2026-11-22T12:00:00.000Z' })
    await store.flush()
    const raw = new Database(path, { readonly: true })
    const counted = raw.prepare('SELECT tenant, severity, status, kind, provider, type, n FROM drift_counts WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6').all()
    const grouped = raw.prepare('SELECT tenant, severity, status, kind, provider, type, COUNT(*) AS n FROM drifts GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6').all()
    raw.close()
    expect(grouped.length).toBeGreaterThan(20)
    expect(counted).toEqual(grouped)
    expect((await store.listDrifts('acme', {})).total).toBe(350)
    expect((await store.listDrifts('acme', { status: 'resolved', provider: 'google' })).total)
      .toBe((await store.listDrifts('acme', { status: 'resolved', provider: 'google', limit: 1000 })).items.length)
    await store.close()
  })

  it('openStore: default path under cwd (directory created), relative paths, memory kind', async () => {
    const cwd = join(dir, 'project')
    const store = await openStore({ kind: 'sqlite' }, { cwd })
    await store.saveDrifts('acme', [drift('o1')])
    await store.close()
    expect(existsSync(join(cwd, DEFAULT_SQLITE_PATH))).toBe(true)
    const custom = await openStore({ kind: 'sqlite', path: 'data/x.db' }, { cwd })
    await custom.close()
    expect(existsSync(join(cwd, 'data/x.db'))).toBe(true)
    const reopened = await openStore(undefined, { cwd })
    expect((await reopened.getDrift('acme', 'o1'))?.id).toBe('o1')
    await reopened.close()
    expect(await openStore({ kind: 'memory' }, { cwd })).toBeInstanceOf(MemoryStore)
  })
})
