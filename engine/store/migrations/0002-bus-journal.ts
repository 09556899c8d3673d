/**
 * Schema v2: the in-process bus's journal. `bus_offsets` keeps every stream's last offset so offsets
 * continue after a restart; `bus_journal` keeps the retained tail of persisted topics (drifts,
 * remediations) so clients recover them by offset from a restarted server.
 */
export const up = `
CREATE TABLE bus_offsets (
  tenant TEXT NOT NULL,
  topic TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (tenant, topic)
) WITHOUT ROWID;

CREATE TABLE bus_journal (
  tenant TEXT NOT NULL,
  topic TEXT NOT NULL,
  offset INTEGER NOT NULL,
  at INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  PRIMARY KEY (tenant, topic, offset)
);
`
