/**
 * Schema v6: `delivery_checkpoints` keeps, per delivering transport node and (tenant, topic) stream,
 * the last offset delivered and the bus epoch it belongs to, so a restarted transport resumes after it.
 */
export const up = `
CREATE TABLE delivery_checkpoints (
  node TEXT NOT NULL,
  tenant TEXT NOT NULL,
  topic TEXT NOT NULL,
  epoch TEXT NOT NULL,
  delivered_offset INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (node, tenant, topic)
) WITHOUT ROWID;
`
