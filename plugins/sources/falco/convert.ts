/**
 * Falco alerts (http_output / falcosidekick bodies) → ChangeEvents. CloudTrail-plugin alerts
 * (`source: aws_cloudtrail`, `ct.*` fields) and GCP audit alerts (`gcp.*`) become change events;
 * syscall, Kubernetes-audit and internal alerts are not cloud changes: they become security alerts
 * (`security.alert`), or are skipped when `security_alerts` is off. Output fields may be null or
 * integers (real captures have both), so every field is read defensively.
 */
import { type Actor, type ChangeEvent, type Severity, newId, type ItemResult, MASK, maskSecrets } from 'tfdrift'
import { isReadOnly, normalizeEventName, resourceOf, mapRecord, normalizeMethod } from 'tfdrift/audit'

export interface ConvertOptions {
  failed: 'skip' | 'flag'
  read_only: 'skip' | 'keep'
  /** Non-cloud alerts become security alerts (true) or are skipped as `not_cloud` (false). */
  security_alerts: boolean
}

/** A Falco alert that is not a cloud change, as `security.alert` events carry it (schemas/events/security.alert.schema.json). */
export interface SecurityAlert {
  id: string
  rule: string
  /** Falco's priority, spelled as Falco spells it when it is one of Falco's; as sent otherwise. */
  priority?: string
  /** The priority on tfdrift's scale, so `severity_min` subscriptions apply; absent for an unknown priority. */
  severity?: Severity
  /** Falco's event source (`syscall`, `k8s_audit`, `internal`, a plugin's). */
  source?: string
  time: string
  hostname?: string
  tags: string[]
  output?: string
  /** Secret-looking fields masked as change events' parameters are. */
  output_fields: Record<string, unknown>
}

/** Per-alert outcome: the shared ingest results, plus a security alert. */
export type AlertResult = ItemResult | { kind: 'alert'; alert: SecurityAlert }

type Fields = Record<string, unknown>

/** Falco lower-cases `ct.request.*` keys; the resource table reads CloudTrail's camelCase names. */
const CAMEL: Record<string, string> = {
  instanceid: 'instanceId', instancetype: 'instanceType', groupid: 'groupId', groupname: 'groupName', bucket: 'bucketName', bucketname: 'bucketName',
  functionname: 'functionName', username: 'userName', rolename: 'roleName', policyarn: 'policyArn', policyname: 'policyName', subnetid: 'subnetId',
  vpcid: 'vpcId', volumeid: 'volumeId', keyid: 'keyId', keyname: 'keyName', dbinstanceidentifier: 'dBInstanceIdentifier',
  dbclusteridentifier: 'dBClusterIdentifier', availabilityzone: 'availabilityZone', routetableid: 'routeTableId', networkaclid: 'networkAclId',
  internetgatewayid: 'internetGatewayId', imageid: 'imageId', snapshotid: 'snapshotId', reservationid: 'reservationId', loadbalancerarn: 'loadBalancerArn',
}

/** Converts one alert; never throws. */
export function convertAlert(alert: unknown, options: ConvertOptions, receivedAt: string): AlertResult {
  if (!alert || typeof alert !== 'object' || Array.isArray(alert)) {
    return { kind: 'invalid', message: `a Falco alert must be a JSON object, got ${alert === null ? 'null' : Array.isArray(alert) ? 'an array' : typeof alert}` }
  }
  const a = alert as Record<string, unknown>
  if (a.output_fields !== undefined && (a.output_fields === null || typeof a.output_fields !== 'object' || Array.isArray(a.output_fields))) {
    return { kind: 'invalid', message: 'output_fields must be an object of field name → value' }
  }
  if (a.output_fields === undefined && a.rule === undefined && a.output === undefined) {
    return { kind: 'invalid', message: 'not a Falco alert: it has none of output_fields, rule or output' }
  }
  const fields = (a.output_fields ?? {}) as Fields
  const keys = Object.keys(fields)
  if (a.source === 'aws_cloudtrail' || keys.some((k) => k.startsWith('ct.'))) return fromCloudTrail(a, fields, options, receivedAt)
  if (a.source === 'gcpaudit' || keys.some((k) => k.startsWith('gcp.'))) return fromGcpAudit(a, fields, receivedAt)
  if (options.security_alerts) return securityAlert(a, fields, receivedAt)
  return { kind: 'skipped', reason: 'not_cloud', ...(typeof a.rule === 'string' ? { event_name: a.rule } : {}) }
}

/** Falco's priorities by lower-cased name (Falco also accepts `info`): its own spelling and tfdrift's severity. */
const PRIORITIES = new Map<string, [string, Severity]>([
  ['emergency', ['Emergency', 'critical']], ['alert', ['Alert', 'critical']], ['critical', ['Critical', 'critical']], ['error', ['Error', 'high']],
  ['warning', ['Warning', 'medium']], ['notice', ['Notice', 'low']], ['informational', ['Informational', 'info']], ['info', ['Informational', 'info']],
  ['debug', ['Debug', 'info']],
])

/** An RFC 3339 timestamp at the start of a string (falcosidekick's docs post `…046Z+2`). */
const RFC3339_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/

function securityAlert(a: Record<string, unknown>, f: Fields, receivedAt: string): AlertResult {
  const rule = str(a.rule)
  if (!rule) return { kind: 'invalid', message: 'this Falco alert has no `rule`; a security alert is known by the rule that fired' }
  const rawPriority = str(a.priority)
  const priority = rawPriority ? PRIORITIES.get(rawPriority.toLowerCase()) : undefined
  const time = alertTime(a, f, receivedAt)
  // The time is what a reader orders alerts by, not evidence of a change: a bad one costs precision, not the alert.
  const prefix = typeof a.time === 'string' ? RFC3339_PREFIX.exec(a.time)?.[0] : undefined
  const hostname = str(a.hostname) ?? str(f['evt.hostname'])
  const masked = maskSecrets(f) as Fields
  const output = typeof a.output === 'string' ? maskedOutput(a.output, f, masked) : undefined
  const alert: SecurityAlert = {
    id: newId(), rule,
    ...(rawPriority ? { priority: priority?.[0] ?? rawPriority } : {}),
    ...(priority ? { severity: priority[1] } : {}),
    ...(str(a.source) ? { source: str(a.source) } : {}),
    time: time.ok ? time.value : prefix ? new Date(Date.parse(prefix)).toISOString() : receivedAt,
    ...(hostname ? { hostname } : {}),
    tags: Array.isArray(a.tags) ? a.tags.filter((t): t is string => typeof t === 'string') : [],
    ...(output !== undefined ? { output } : {}),
    output_fields: masked,
  }
  return { kind: 'alert', alert }
}

/** Falco's output line repeats field values: a value masked in the fields is masked where the line shows it too. */
function maskedOutput(output: string, fields: Fields, masked: Fields): string {
  let out = output
  for (const [k, v] of Object.entries(fields)) {
    const shown = typeof v === 'number' ? String(v) : v
    if (typeof shown === 'string' && shown !== '' && masked[k] !== v) out = out.split(shown).join(typeof masked[k] === 'string' ? (masked[k] as string) : MASK)
  }
  return out
}

function fromCloudTrail(a: Record<string, unknown>, f: Fields, options: ConvertOptions, receivedAt: string): ItemResult {
  const rawName = f['ct.name']
  if (typeof rawName !== 'string' || !rawName) {
    return { kind: 'invalid', message: `output_fields["ct.name"] is ${rawName === undefined ? 'missing' : JSON.stringify(rawName)}; a CloudTrail alert needs the event name (add ct.name to the rule output)` }
  }
  const time = alertTime(a, f, receivedAt)
  if (!time.ok) return { kind: 'invalid', message: time.message }
  const eventName = normalizeEventName(rawName)
  if (options.read_only === 'skip' && isReadOnly(eventName, f['ct.readonly'])) return { kind: 'skipped', reason: 'read_only', event_name: eventName }
  const errorCode = str(f['ct.error'])
  if (errorCode && options.failed === 'skip') return { kind: 'skipped', reason: 'failed', event_name: eventName }

  const request = withPrefixed(jsonObject(f['ct.request']), f, 'ct.request.')
  const response = withPrefixed(jsonObject(f['ct.response']), f, 'ct.response.')
  const region = str(f['ct.region'])
  const account = str(f['ct.user.accountid']) ?? str(f['ct.recipientaccountid'])
  const resource = resourceOf({ eventName, eventSource: str(f['ct.src']), awsRegion: region, recipientAccountId: account, requestParameters: request, responseElements: response })
  const listed = resourceArn(f['ct.resources'])
  if (listed && !resource.arn) resource.arn = listed
  if (listed && !resource.resource_id) resource.resource_id = listed.split(/[:/]/).pop()!
  const actor: Actor = { event_name: eventName }
  const user = str(f['ct.user']) ?? str(f['ct.user.principalid'])
  if (user) actor.user = user
  if (str(f['ct.user.arn'])) actor.arn = str(f['ct.user.arn'])
  const session = /:assumed-role\/[^/]+\/(.+)$/.exec(str(f['ct.user.arn']) ?? '')?.[1]
  if (session) actor.role_session = session
  actor.time = time.value
  if (account) actor.account_id = account
  if (str(f['ct.srcip'])) actor.source_ip = str(f['ct.srcip'])
  if (str(f['ct.useragent'])) actor.user_agent = str(f['ct.useragent'])
  if (str(f['ct.id'])) actor.event_id = str(f['ct.id'])
  // Assigned key by key (not spread from conditional objects): this runs once per ingested alert.
  const event: ChangeEvent = { id: newId(), source: 'falco', time: time.value, event_name: eventName }
  const src = str(f['ct.src'])
  if (src) event.event_source = src
  Object.assign(event, resource)
  if (region) event.region = region
  if (account) event.account_id = account
  event.actor = actor
  for (const _ in request) { event.parameters = maskSecrets(request) as Record<string, unknown>; break }
  if (errorCode) event.error_code = errorCode
  return { kind: 'event', event }
}

function fromGcpAudit(a: Record<string, unknown>, f: Fields, receivedAt: string): ItemResult {
  const method = str(f['gcp.methodName'])
  if (!method) return { kind: 'invalid', message: 'output_fields["gcp.methodName"] is missing; a GCP audit alert needs the method name' }
  const time = alertTime(a, f, receivedAt)
  if (!time.ok) return { kind: 'invalid', message: time.message }
  const eventName = normalizeMethod(method)
  const resourceName = str(f['gcp.resourceName']) ?? str(f['gcp.resource.name'])
  const serviceName = str(f['gcp.serviceName'])
  // The same mapping table as raw audit log entries: type, Terraform id, operation and attribute values.
  const mapped = mapRecord('google', { eventName, ...(serviceName ? { eventSource: serviceName } : {}), ...(resourceName ? { resourceName } : {}), requestParameters: jsonObject(f['gcp.request']) })
  const resourceId = mapped.resource_id ?? resourceName
  const user = str(f['gcp.principalEmail']) ?? str(f['gcp.authenticationInfo.principalEmail'])
  const project = str(f['gcp.projectId']) ?? resourceId?.match(/^projects\/([^/]+)/)?.[1]
  const zone = resourceId?.match(/\/zones\/([a-z]+-[a-z]+\d+)-[a-z]\//)?.[1]
  const event: ChangeEvent = {
    id: newId(), source: 'falco', time: time.value, event_name: eventName,
    ...(str(f['gcp.serviceName']) ? { event_source: str(f['gcp.serviceName']) } : {}),
    ...mapped,
    ...(resourceId ? { resource_id: resourceId } : {}),
    ...(zone ? { region: zone } : {}),
    ...(project ? { account_id: project } : {}),
    actor: { event_name: eventName, ...(user ? { user } : {}), ...(str(f['gcp.callerIp']) ? { source_ip: str(f['gcp.callerIp']) } : {}) },
  }
  return { kind: 'event', event }
}

/** The alert's time: `time` (RFC 3339, ns precision), else `evt.time*` (ns since epoch), else when received. */
function alertTime(a: Record<string, unknown>, f: Fields, receivedAt: string): { ok: true; value: string } | { ok: false; message: string } {
  if (a.time !== undefined) {
    const ms = typeof a.time === 'string' ? Date.parse(a.time) : Number.NaN
    if (Number.isNaN(ms)) return { ok: false, message: `time ${JSON.stringify(a.time)} is not an RFC 3339 timestamp` }
    return { ok: true, value: new Date(ms).toISOString() }
  }
  for (const k of ['evt.time', 'evt.time.iso8601']) {
    const v = f[k]
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return { ok: true, value: new Date(Math.floor(v / 1e6)).toISOString() }
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return { ok: true, value: new Date(Date.parse(v)).toISOString() }
  }
  return { ok: true, value: receivedAt }
}

/** `base` with the `prefix…` fields laid over it (camel-cased); `base` itself when there are none. */
function withPrefixed(base: Record<string, unknown>, f: Fields, prefix: string): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const k in f) {
    const v = f[k]
    if (!k.startsWith(prefix) || v === null || v === undefined || v === '' || v === '<NA>') continue
    const name = k.slice(prefix.length)
    Object.defineProperty((out ??= { ...base }), Object.hasOwn(CAMEL, name) ? CAMEL[name]! : name, { value: v, enumerable: true, writable: true, configurable: true })
  }
  return out ?? base
}

function jsonObject(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  if (typeof v !== 'string' || !v.startsWith('{')) return {}
  try {
    const parsed = JSON.parse(v) as unknown
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {} // Falco truncates long fields; a cut-off document carries nothing reliable
  }
}

function resourceArn(v: unknown): string | undefined {
  const text = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : ''
  return /arn:aws[\w-]*:[^\s,;"]+/.exec(text)?.[0]
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '' && v !== '<NA>') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}
