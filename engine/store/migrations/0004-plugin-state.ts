/**
 * Schema v4: `plugin_state` keeps what plugins need to continue after a restart (the drift tracker's
 * open drifts and sources, the remediation plugin's last plan per drift), as JSON values by key within
 * a scope the plugin names.
 */
export const up = `
CREATE TABLE plugin_state (
  tenant TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (tenant, scope, key)
) WITHOUT ROWID;
`
