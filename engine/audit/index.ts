/**
 * `tfdrift/audit`: cloud audit records → ChangeEvents, for source plugins that receive them in any
 * wrapping (CloudTrail log files and pushes, EventBridge, Falco alerts carrying a CloudTrail record, GCP
 * Cloud Audit Logs). One mapping table (`mappings/*.json`, validated against `mapping/mapping.schema.json`)
 * says which Terraform resource an API call touched and which attributes it set; every source that sees
 * such a record maps it the same way, so the table lives here rather than in one plugin's folder.
 */
export { parseRecord, recordsOf, isReadOnly, actorOf } from './parse.ts'
export type { ParseOptions, RecordResult } from './parse.ts'
export { normalizeMethod, isGcpAuditEntry, parseGcpAuditEntry } from './gcp.ts'
export { normalizeEventName, resourceOf, isMapped, typeOfEc2Id } from './resource-map.ts'
export type { CloudTrailLike, ResourceRef } from './resource-map.ts'
export { mapRecord } from './mapping/extract.ts'
export type { AuditRecord, Mapped } from './mapping/extract.ts'
export { mappingTable, loadMappings, MAPPINGS_DIR } from './mapping/table.ts'
export type { MappingEntry, MappingFile, MappingTable } from './mapping/table.ts'
export { mappingCoverage, renderCoverage } from './mapping/coverage.ts'
export type { CoverageRow, Coverage as MappingCoverage } from './mapping/coverage.ts'
