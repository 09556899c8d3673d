/**
 * GCP Cloud Audit Log entries (`protoPayload` of type AuditLog, as Logging sinks and Pub/Sub pushes
 * deliver them) → ChangeEvents, through the same mapping table as CloudTrail (provider `google`).
 * Accepted on the cloudtrail source's route so one audit-log ingress serves both clouds.
 */
import type { ChangeEvent } from '../model.ts'
import { newId } from '../ids.ts'
import { mapRecord } from './mapping/extract.ts'
import type { ParseOptions, RecordResult } from './parse.ts'
import { maskSecrets } from '../drift/mask.ts'

const READ_ONLY = /\.(get|list|aggregatedList|getIamPolicy|testIamPermissions)[A-Z]?\w*$|^(Get|List)[A-Z]|\.(Get|List)[A-Z]\w*$/

/** `v1.compute.instances.setMachineType` → `compute.instances.setMachineType` (API-version prefixes). */
export function normalizeMethod(method: string): string {
  return method.replace(/^(v\d+\w*|beta|alpha)\./, '')
}

/** True for a Cloud Audit Log entry (`protoPayload.methodName` present). */
export function isGcpAuditEntry(record: unknown): boolean {
  const p = (record as { protoPayload?: { methodName?: unknown } } | null)?.protoPayload
  return !!p && typeof p.methodName === 'string'
}

/** Judges one audit log entry: a change event, a skip (read-only, failed), or why it is malformed. */
export function parseGcpAuditEntry(record: Record<string, unknown>, options: ParseOptions, receivedAt: string): RecordResult {
  const p = record.protoPayload as Record<string, unknown>
  const method = normalizeMethod(String(p.methodName))
  if (record.timestamp !== undefined && (typeof record.timestamp !== 'string' || Number.isNaN(Date.parse(record.timestamp)))) {
    return { kind: 'invalid', message: `timestamp ${JSON.stringify(record.timestamp)} is not an RFC 3339 time` }
  }
  const logName = typeof record.logName === 'string' ? record.logName : ''
  if (options.read_only === 'skip' && (READ_ONLY.test(method) || logName.endsWith('data_access'))) return { kind: 'skipped', reason: 'read_only', event_name: method }
  const status = p.status as { code?: unknown; message?: unknown } | undefined
  const errorCode = status && typeof status.code === 'number' && status.code !== 0 ? `gcp:${status.code}` : undefined
  if (errorCode && options.failed === 'skip') return { kind: 'skipped', reason: 'failed', event_name: method }
  const serviceName = typeof p.serviceName === 'string' ? p.serviceName : undefined
  const resourceName = typeof p.resourceName === 'string' ? p.resourceName : undefined
  const mapped = mapRecord('google', { eventName: method, ...(serviceName ? { eventSource: serviceName } : {}), ...(resourceName ? { resourceName } : {}), requestParameters: p.request, responseElements: p.response })
  const auth = (p.authenticationInfo ?? {}) as Record<string, unknown>
  const meta = (p.requestMetadata ?? {}) as Record<string, unknown>
  const labels = ((record.resource as { labels?: Record<string, unknown> } | undefined)?.labels ?? {}) as Record<string, unknown>
  const project = typeof labels.project_id === 'string' ? labels.project_id : resourceName?.match(/^projects\/([^/]+)/)?.[1]
  const time = typeof record.timestamp === 'string' ? new Date(record.timestamp).toISOString() : receivedAt
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
  const event: ChangeEvent = {
    id: newId(), source: options.source, time, event_name: method,
    ...(serviceName ? { event_source: serviceName } : {}),
    ...mapped,
    ...(str(labels.zone) ?? str(labels.location) ? { region: str(labels.zone) ?? str(labels.location) } : {}),
    ...(project ? { account_id: project } : {}),
    actor: {
      event_name: method, time,
      ...(str(auth.principalEmail) ? { user: str(auth.principalEmail) } : {}),
      ...(str(meta.callerIp) ? { source_ip: str(meta.callerIp) } : {}),
      ...(str(meta.callerSuppliedUserAgent) ? { user_agent: str(meta.callerSuppliedUserAgent) } : {}),
      ...(str(record.insertId) ? { event_id: str(record.insertId) } : {}),
      ...(project ? { account_id: project } : {}),
    },
    ...(p.request && typeof p.request === 'object' ? { parameters: maskSecrets(p.request) as Record<string, unknown> } : {}),
    ...(errorCode ? { error_code: errorCode } : {}),
  }
  return { kind: 'event', event }
}
