/**
 * The domain model shared by every plugin kind: resources and snapshots (discovery), change events
 * (sources), drifts (analysis) and remediation plans (remediation). Keys are snake_case because these
 * objects travel as-is inside event envelopes; the JSON Schemas in `schemas/` describe the same shapes.
 */

/** Severity order matters: index 0 is the most severe. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

/** One Terraform resource instance (or one live cloud object) with its attributes. */
export interface ResourceInstance {
  /** Full Terraform address including module path and index key: `module.a["x"].aws_subnet.b[0]`. Empty for unmanaged live objects. */
  address: string
  mode: 'managed' | 'data'
  type: string
  name: string
  /** Module path (`module.a["x"].module.b`), absent for the root module. */
  module?: string
  index_key?: string | number
  /** Provider short name (`aws`, `azurerm`, `google`), derived from the provider address. */
  provider: string
  /** The provider address as written in state (`provider["registry.terraform.io/hashicorp/aws"]`). */
  provider_address?: string
  /** The cloud-side identifier (`attributes.id`). */
  resource_id?: string
  arn?: string
  attributes: Record<string, unknown>
  /** Attribute paths marked sensitive in state; each path is a list of keys / indexes. */
  sensitive_paths?: Array<Array<string | number>>
  /** Addresses this instance depends on (from state `dependencies`). */
  dependencies?: string[]
  status?: 'tainted'
  /** Set for deposed objects (create_before_destroy leftovers). */
  deposed?: string
  schema_version?: number
  /** Resource identity (Terraform 1.12+ `identity`), when the provider records one. */
  identity?: Record<string, unknown>
  /** The address this instance had before a `moved` block (plan JSON `previous_address`). */
  previous_address?: string
  /** Attribute paths whose value is unknown (plan `after_unknown`); never compared. */
  unknown_paths?: Array<Array<string | number>>
  /**
   * Set by live observers (provider plugins) that read some of a type's attributes: only the top-level
   * attributes both this and the expected instance hold are compared; the rest is never reported changed.
   */
  partial?: boolean
}

/** A point-in-time set of resources: what Terraform expects, or what is observed live. */
export interface Snapshot {
  kind: 'expected' | 'observed'
  /** Where it came from (file path, `s3://bucket/key`, URL). Never contains credentials. */
  source: string
  taken_at: string
  serial?: number
  lineage?: string
  terraform_version?: string
  resources: ResourceInstance[]
  /**
   * For observed snapshots: resource types the observer enumerated completely. A resource of a type
   * outside this list is never reported `missing` or `unmanaged`, only compared when found.
   * Absent means "everything the expected side holds was looked for".
   */
  covered_types?: string[]
  outputs?: Record<string, { value: unknown; sensitive?: boolean; type?: unknown }>
  /** Terraform state format version the snapshot was read from (3 = legacy flatmap, values are strings). */
  state_version?: number
  /** Terraform `check_results` as recorded in state (custom conditions / check blocks). */
  check_results?: unknown[]
}

/** Who made a change, as far as the change event tells. */
export interface Actor {
  user?: string
  arn?: string
  account_id?: string
  source_ip?: string
  user_agent?: string
  event_name?: string
  event_id?: string
  /** Session name of an assumed role (`alice@corp.example` in `assumed-role/Admin/alice@corp.example`). */
  role_session?: string
  /** When the call was made (the event's time). */
  time?: string
}

/** What a mutating call did to its resource, in Terraform terms (from the event mapping files). */
export type EventOperation = 'create' | 'update' | 'delete' | 'action'

/**
 * A Terraform attribute value a call set. `mode` add/remove: the value's items join or leave the
 * state's list (a security group rule). Sensitive values travel only as a SHA-256 `digest` of their JSON.
 */
export interface EventAttribute {
  path: string
  value?: unknown
  mode?: 'add' | 'remove'
  sensitive?: boolean
  digest?: string
}

/** Another Terraform type that holds the same setting (aws_s3_bucket's inline versioning). */
export interface EventTarget {
  resource_type: string
  resource_id?: string
  attributes?: EventAttribute[]
}

/** An out-of-band change reported by a source (Falco alert, CloudTrail record, webhook). */
export interface ChangeEvent {
  id: string
  source: string
  time: string
  event_name: string
  event_source?: string
  resource_type?: string
  resource_id?: string
  arn?: string
  region?: string
  account_id?: string
  actor?: Actor
  /** Request parameters as the cloud recorded them (secrets masked). */
  parameters?: Record<string, unknown>
  error_code?: string
  /** create / update / delete / action, when the mapping knows the call. */
  operation?: EventOperation
  /** Terraform attribute values the call set, at Terraform attribute paths. */
  attributes?: EventAttribute[]
  /** Other types that may manage the same setting; the drift analyzer uses the first a state manages. */
  alternatives?: EventTarget[]
}

export interface AttributeChange {
  /** Dotted attribute path, list indexes as numbers: `ingress.0.cidr_blocks`. */
  path: string
  expected: unknown
  actual: unknown
  sensitive: boolean
}

export type DriftKind = 'missing' | 'unmanaged' | 'modified'
/** `snoozed`: hidden from the open list until `snoozed_until`, then open again (or sooner, if the drift changes). */
export type DriftStatus = 'open' | 'acknowledged' | 'snoozed' | 'remediated' | 'resolved'

export interface Drift {
  id: string
  kind: DriftKind
  /** Terraform address; for `unmanaged` drifts the type and id identify the object instead. */
  address?: string
  type: string
  provider: string
  resource_id?: string
  arn?: string
  module?: string
  changes?: AttributeChange[]
  severity: Severity
  actor?: Actor
  detected_at: string
  status: DriftStatus
  /** Source of the expected side (state file) — lets users find which state to fix. */
  state_source?: string
  /** When a resolved drift was seen gone (set on `drift.resolved`). */
  resolved_at?: string
  /** Who put it back, when a change event after the cause touched the resource (set on `drift.resolved`). */
  resolved_by?: Actor
  /** Who set the current status by hand (a principal's token name, or `tfdrift:*` for automatic reopening). */
  status_by?: string
  /** When the current status was set by hand. */
  status_at?: string
  /** Why, as the person who set the status wrote it. */
  status_note?: string
  /** Set while `snoozed`: when the drift reopens by itself. */
  snoozed_until?: string
  /** What the drift rests on: a change event seen (before any snapshot confirmed it), or a snapshot comparison. */
  evidence?: 'event' | 'snapshot'
}

/** `obsolete`: nobody decided it and it no longer applies (its drift resolved, or a newer plan replaced it). */
export type RemediationStatus = 'proposed' | 'approved' | 'rejected' | 'applied' | 'failed' | 'obsolete'

export interface RemediationPlan {
  id: string
  drift_id: string
  strategy: 'import' | 'removed' | 'revert' | 'accept' | 'command'
  /** HCL, shell or prose, depending on the strategy. */
  content: string
  summary: string
  status: RemediationStatus
  created_at: string
  decided_by?: string
  decided_at?: string
  /** Why it was rejected, as the reviewer wrote it. */
  reason?: string
}

/** Drift coverage as driftctl defines it: managed / (managed + unmanaged + missing). */
export interface Coverage {
  managed: number
  unmanaged: number
  missing: number
  modified: number
  percent: number
}
