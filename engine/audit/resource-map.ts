/**
 * Which Terraform resource a CloudTrail call touched, and what it set: a thin front over the mapping
 * table (`mappings/*.json`, see mapping/). Ids follow Terraform's import-id format where a type has a
 * composite one (`role/policy-arn`, `role:policy`).
 */
import { mapRecord, typeOfEc2Id, type AuditRecord, type Mapped } from './mapping/extract.ts'
import { mappingTable } from './mapping/table.ts'

export type CloudTrailLike = AuditRecord
export type ResourceRef = Mapped
export { typeOfEc2Id }

/** Reads a dotted path (`requestParameters.instancesSet.items.0.instanceId`); undefined when absent. */
export function at(value: unknown, path: string): unknown {
  let cur = value
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

/** `UpdateFunctionConfiguration20150331v2` → `UpdateFunctionConfiguration` (Lambda's API-version suffixes). */
export function normalizeEventName(name: string): string {
  return name.replace(/\d{8}(v\d+)?$/, '')
}

/** The resource a call touched and the attribute values it set, as far as the mapping table knows. */
export function resourceOf(record: CloudTrailLike): ResourceRef {
  return mapRecord('aws', { ...record, eventName: normalizeEventName(record.eventName) })
}

/** True when the table has an entry for the event. */
export function isMapped(eventName: string): boolean {
  return mappingTable().aws.has(normalizeEventName(eventName))
}
