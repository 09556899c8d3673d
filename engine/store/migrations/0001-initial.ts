/**
 * Schema v1. Every row carries its tenant and every index leads with it, so one tenant's queries never
 * touch another's rows. Nested objects live in JSON `data` columns; the columns beside them are the
 * ones the documented filters and orders need.
 */
export const up = `
CREATE TABLE snapshots (
  tenant TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  taken_at TEXT NOT NULL,
  resource_count INTEGER NOT NULL,
  meta TEXT NOT NULL,
  PRIMARY KEY (tenant, pipeline, kind, source)
);

CREATE TABLE resources (
  tenant TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  seq INTEGER NOT NULL,
  address TEXT NOT NULL,
  type TEXT NOT NULL,
  provider TEXT NOT NULL,
  resource_id TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant, pipeline, kind, source, seq)
);
CREATE INDEX resources_by_address ON resources (tenant, kind, address);
CREATE INDEX resources_by_type ON resources (tenant, kind, type, address);

CREATE TABLE change_events (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  time TEXT NOT NULL,
  event_name TEXT NOT NULL,
  resource_id TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX change_events_by_time ON change_events (tenant, time, id);
CREATE INDEX change_events_by_resource ON change_events (tenant, resource_id, time);
CREATE INDEX change_events_by_name ON change_events (tenant, event_name, time);

CREATE TABLE drifts (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  -- detected_at as epoch ms: small index keys in time order (the ISO string stays in data)
  detected_ms INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  type TEXT NOT NULL,
  address TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
);
-- List order is (detected_ms DESC, rowid DESC); rowid is in every index, so these serve it directly.
-- Few indexes on purpose: each one costs insert throughput; low-cardinality filters scan drifts_recent.
CREATE INDEX drifts_recent ON drifts (tenant, detected_ms);
CREATE INDEX drifts_by_type ON drifts (tenant, type, detected_ms);
CREATE INDEX drifts_by_address ON drifts (tenant, address);

-- Match counts per filter combination, kept by the store in the same transaction as the writes: a
-- page's total is a sum over a few hundred groups instead of a count over a million rows.
CREATE TABLE drift_counts (
  tenant TEXT NOT NULL,
  severity INTEGER NOT NULL,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  type TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tenant, severity, status, kind, provider, type)
) WITHOUT ROWID;

CREATE TABLE drift_status_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL,
  drift_id TEXT NOT NULL,
  status TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  by TEXT,
  note TEXT
);
CREATE INDEX drift_status_history_by_drift ON drift_status_history (tenant, drift_id, seq);

CREATE TABLE remediations (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  drift_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX remediations_by_time ON remediations (tenant, created_at, id);
CREATE INDEX remediations_by_status ON remediations (tenant, status, created_at, id);
CREATE INDEX remediations_by_drift ON remediations (tenant, drift_id);
`
