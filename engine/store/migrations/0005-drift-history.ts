/**
 * Schema v5: `drift_status_history` becomes a drift's whole history — detections and updates beside
 * status changes (`action`; NULL in rows written before v5 means a status change) — and keeps the actor
 * of a change event (JSON) and a snooze's end (`until`).
 */
export const up = `
ALTER TABLE drift_status_history ADD COLUMN action TEXT;
ALTER TABLE drift_status_history ADD COLUMN actor TEXT;
ALTER TABLE drift_status_history ADD COLUMN until TEXT;
`
