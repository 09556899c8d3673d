/**
 * CloudTrail records → ChangeEvents. Accepts one record, a `{ "Records": [...] }` log file, or an
 * array of records; each record is judged on its own so one bad record never loses the others.
 */
import type { Actor, ChangeEvent } from '../model.ts'
import { newId } from '../ids.ts'
import { maskSecrets } from '../drift/mask.ts'
import { at, normalizeEventName, resourceOf } from './resource-map.ts'
import { isGcpAuditEntry, parseGcpAuditEntry } from './gcp.ts'

export interface ParseOptions {
  /** `skip` (default) drops calls that failed (`errorCode` set); `flag` keeps them with `error_code`. */
  failed: 'skip' | 'flag'
  /** `skip` (default) drops read-only calls (`readOnly: true`, or Describe…/Get…/List… names). */
  read_only: 'skip' | 'keep'
  /** ChangeEvent.source value. */
  source: string
}

export type RecordResult =
  | { kind: 'event'; event: ChangeEvent }
  | { kind: 'skipped'; reason: 'read_only' | 'failed' | 'not_api_call'; event_name: string }
  | { kind: 'invalid'; message: string }

const READ_ONLY = /^(Describe|Get|List|Head|Lookup|BatchGet|Search|Select|Scan|Query|Check|Test|Validate|Estimate|Preview|Simulate)[A-Z]/

/**
 * Splits a request body or file into records: `{Records:[…]}`, an array, or one record; EventBridge
 * events (`"detail-type": "AWS API Call via CloudTrail"`) are unwrapped to their `detail`.
 */
export function recordsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body.map(unwrap)
  if (body && typeof body === 'object' && Array.isArray((body as { Records?: unknown }).Records)) return (body as { Records: unknown[] }).Records
  return [unwrap(body)]
}

function unwrap(item: unknown): unknown {
  if (!item || typeof item !== 'object') return item
  const e = item as Record<string, unknown>
  return typeof e['detail-type'] === 'string' && /CloudTrail/.test(e['detail-type']) && e.detail && typeof e.detail === 'object' ? e.detail : item
}

/** True when the call only reads (by the record's own `readOnly` flag, else by its name). */
export function isReadOnly(eventName: string, readOnly: unknown): boolean {
  if (typeof readOnly === 'boolean') return readOnly
  if (readOnly === 'true' || readOnly === 'false') return readOnly === 'true'
  return READ_ONLY.test(eventName)
}

/** Judges one record: a ChangeEvent, a skip with its reason, or why it is malformed. */
export function parseRecord(record: unknown, options: ParseOptions, receivedAt: string): RecordResult {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return { kind: 'invalid', message: `a CloudTrail record must be a JSON object, got ${describe(record)}` }
  const r = record as Record<string, unknown>
  if (isGcpAuditEntry(r)) return parseGcpAuditEntry(r, options, receivedAt)
  if (typeof r.eventName !== 'string' || !r.eventName) return { kind: 'invalid', message: 'eventName is missing or not a string' }
  if (r.eventTime !== undefined && (typeof r.eventTime !== 'string' || Number.isNaN(Date.parse(r.eventTime)))) {
    return { kind: 'invalid', message: `eventTime ${JSON.stringify(r.eventTime)} is not an ISO-8601 time` }
  }
  if (r.requestParameters !== undefined && r.requestParameters !== null && typeof r.requestParameters !== 'object') {
    return { kind: 'invalid', message: 'requestParameters must be an object or null' }
  }
  const eventName = normalizeEventName(r.eventName)
  if (typeof r.eventType === 'string' && r.eventType !== 'AwsApiCall') return { kind: 'skipped', reason: 'not_api_call', event_name: eventName }
  if (options.read_only === 'skip' && isReadOnly(eventName, r.readOnly)) return { kind: 'skipped', reason: 'read_only', event_name: eventName }
  const errorCode = typeof r.errorCode === 'string' && r.errorCode ? r.errorCode : undefined
  if (errorCode && options.failed === 'skip') return { kind: 'skipped', reason: 'failed', event_name: eventName }

  const account = str(r.recipientAccountId) ?? str(at(r.userIdentity, 'accountId'))
  const region = str(r.awsRegion)
  const resource = resourceOf({
    eventName, eventSource: str(r.eventSource), awsRegion: region, recipientAccountId: account,
    requestParameters: r.requestParameters, responseElements: r.responseElements,
  })
  const eventTime = typeof r.eventTime === 'string' ? new Date(r.eventTime).toISOString() : undefined
  const source = str(r.eventSource)
  // Assigned key by key (not spread from conditional objects): this runs once per ingested record.
  const event: ChangeEvent = { id: newId(), source: options.source, time: eventTime ?? receivedAt, event_name: eventName }
  if (source) event.event_source = source
  Object.assign(event, resource)
  if (region) event.region = region
  if (account) event.account_id = account
  event.actor = actorOf(r, eventName, eventTime)
  if (r.requestParameters && typeof r.requestParameters === 'object') event.parameters = maskSecrets(r.requestParameters) as Record<string, unknown>
  if (errorCode) event.error_code = errorCode
  return { kind: 'event', event }
}

/** Who made the call: the IAM user name, the assumed-role session name, `root`, or the invoking service. */
export function actorOf(r: Record<string, unknown>, eventName: string, time = typeof r.eventTime === 'string' && !Number.isNaN(Date.parse(r.eventTime)) ? new Date(r.eventTime).toISOString() : undefined): Actor {
  const id = (r.userIdentity ?? {}) as Record<string, unknown>
  const arn = str(id.arn)
  let user = str(id.userName)
  if (id.type === 'AssumedRole' && arn) user = arn.split('/').pop()
  else if (id.type === 'Root') user = 'root'
  else if (!user && arn) user = arn.split('/').pop()
  user ??= str(id.invokedBy) ?? str(id.principalId)
  const actor: Actor = { event_name: eventName }
  if (user) actor.user = user
  // The session name says which person behind a shared role made the call.
  if (id.type === 'AssumedRole' && arn) actor.role_session = arn.split('/').pop()!
  if (arn) actor.arn = arn
  const account = str(id.accountId)
  if (account) actor.account_id = account
  const ip = str(r.sourceIPAddress)
  if (ip) actor.source_ip = ip
  const ua = str(r.userAgent)
  if (ua) actor.user_agent = ua
  const eventId = str(r.eventID)
  if (eventId) actor.event_id = eventId
  if (time) actor.time = time
  return actor
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}
