/**
 * Schema v7: `bus_journal` becomes a rowid table again (v3 had made it WITHOUT ROWID). Its rows are
 * whole envelopes (~1 KB), and streams interleave in its key order ((tenant, topic, offset): every
 * `drifts` append lands in the middle of the b-tree, before `events`). In a WITHOUT ROWID table each
 * such insert moves large cells between sibling pages; in a rowid table the row is appended to the
 * table's right edge and only a small key enters the primary-key index. On a journal holding 10k
 * envelopes per stream (the default retention), 1000-row commits cost 40–64 µs per row WITHOUT ROWID
 * and ~7 µs per row as a rowid table; v3's "~10% cheaper" was measured on an empty table.
 */
export const up = `
CREATE TABLE bus_journal_v7 (
  tenant TEXT NOT NULL,
  topic TEXT NOT NULL,
  offset INTEGER NOT NULL,
  at INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  PRIMARY KEY (tenant, topic, offset)
);
INSERT INTO bus_journal_v7 (tenant, topic, offset, at, envelope) SELECT tenant, topic, offset, at, envelope FROM bus_journal ORDER BY tenant, topic, offset;
DROP TABLE bus_journal;
ALTER TABLE bus_journal_v7 RENAME TO bus_journal;
`
