/**
 * Declarative severity rules: resource types × attribute patterns × drift kinds → severity. User
 * rules come first and the first match wins; the defaults below encode what usually matters most
 * (security groups, IAM, KMS, encryption and public access are high or critical; tags are low).
 * For a `modified` drift each change is rated and the most severe rating is the drift's.
 */
import { SEVERITIES, type DriftKind, type Severity } from '../model.ts'

/** One rule; omitted fields match anything. Globs: `*` any characters, `?` one. */
export interface SeverityRule {
  /** Resource type glob, e.g. `aws_security_group*`. */
  type?: string | string[]
  /** Attribute path glob on the dotted path, e.g. `ingress.*` or `*encrypt*`; rules with it only rate changes. */
  attribute?: string | string[]
  kind?: DriftKind | DriftKind[]
  severity: Severity
}

const SECURITY_TYPES = [
  'aws_security_group*', 'aws_vpc_security_group_*', 'aws_network_acl*', 'aws_iam_*', 'aws_kms_*',
  'aws_s3_bucket_public_access_block', 'aws_s3_bucket_policy', 'aws_s3_account_public_access_block',
  'aws_s3_bucket_acl', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_secretsmanager_*',
  'aws_ebs_encryption_by_default', 'aws_lambda_permission', 'aws_organizations_policy*',
  'google_*_iam_*', 'google_compute_firewall', 'google_kms_*', 'google_service_account*',
  'azurerm_network_security_*', 'azurerm_role_*', 'azurerm_key_vault*', 'azurerm_firewall*',
  'kubernetes_*role*', 'kubernetes_secret*', 'kubernetes_network_policy*',
]

/** The built-in rules, applied after the user's. */
export const DEFAULT_SEVERITY_RULES: SeverityRule[] = [
  // Attribute-level: what opens or weakens access.
  { attribute: ['*policy*', 'ingress*', 'egress*', 'security_rule*', '*cidr_blocks*', 'source_ranges*'], type: SECURITY_TYPES, severity: 'critical' },
  { attribute: ['block_public_*', 'ignore_public_acls', 'restrict_public_buckets', 'publicly_accessible', '*public_access*', 'acl', 'grant*'], severity: 'critical' },
  { attribute: ['*encrypt*', '*kms_key*', 'server_side_encryption*', 'storage_encrypted', 'sse_*', '*deletion_protection*'], severity: 'high' },
  { attribute: ['*policy*', 'assume_role_policy', 'role', 'role_arn', 'iam_instance_profile', 'security_groups*', 'vpc_security_group_ids*', 'security_group_ids*'], severity: 'high' },
  { attribute: ['tags.*', 'tags_all.*', 'labels.*', 'tags', 'tags_all', 'labels', 'description'], severity: 'low' },
  { type: SECURITY_TYPES, attribute: '*', severity: 'high' },
  { attribute: '*', kind: 'modified', severity: 'medium' },
  // Resource-level.
  { type: SECURITY_TYPES, kind: ['missing', 'unmanaged'], severity: 'high' },
  { kind: 'missing', severity: 'high' },
  { kind: 'unmanaged', severity: 'medium' },
  { kind: 'modified', severity: 'medium' },
]

interface CompiledRule {
  types?: RegExp[]
  attributes?: RegExp[]
  kinds?: DriftKind[]
  severity: Severity
}

function glob(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\/-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$')
}
function list<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v]
}

function compile(rule: SeverityRule): CompiledRule {
  if (!SEVERITIES.includes(rule.severity)) throw new Error(`unknown severity "${rule.severity}" (use one of ${SEVERITIES.join(', ')})`)
  return { types: list(rule.type)?.map(glob), attributes: list(rule.attribute)?.map(glob), kinds: list(rule.kind), severity: rule.severity }
}

/** Rates drifts with user rules first, then the defaults. */
export class SeverityRater {
  private readonly rules: CompiledRule[]
  constructor(userRules: SeverityRule[] = [], useDefaults = true) {
    this.rules = [...userRules, ...(useDefaults ? DEFAULT_SEVERITY_RULES : [])].map(compile)
  }

  /** Answers by type, then `kind attribute`: rules are fixed once built, and a burst of events asks the same few questions. */
  private readonly memo = new Map<string, Map<string, Severity | null>>()

  private match(type: string, kind: DriftKind, attribute: string | undefined): Severity | undefined {
    let byType = this.memo.get(type)
    if (!byType) {
      // Bounded: types are a closed set in practice, but a forged event stream could name endless ones.
      if (this.memo.size >= 10_000) this.memo.clear()
      this.memo.set(type, (byType = new Map()))
    }
    const key = attribute === undefined ? kind : kind + ' ' + attribute
    let hit = byType.get(key)
    if (hit === undefined) {
      if (byType.size >= 10_000) byType.clear()
      byType.set(key, (hit = this.matchRules(type, kind, attribute) ?? null))
    }
    return hit ?? undefined
  }

  private matchRules(type: string, kind: DriftKind, attribute: string | undefined): Severity | undefined {
    for (const r of this.rules) {
      if (r.kinds && !r.kinds.includes(kind)) continue
      if (r.types && !r.types.some((t) => t.test(type))) continue
      if (r.attributes) {
        if (attribute === undefined || !r.attributes.some((a) => a.test(attribute))) continue
      }
      return r.severity
    }
    return undefined
  }

  /** The severity of a drift of `kind` on `type`, given the dotted paths of its changes (modified only). */
  rate(type: string, kind: DriftKind, changedPaths: string[] = []): Severity {
    if (kind === 'modified' && changedPaths.length > 0) {
      let best = SEVERITIES.length - 1
      for (const p of changedPaths) {
        const s = this.match(type, kind, p) ?? this.match(type, kind, undefined) ?? 'medium'
        best = Math.min(best, SEVERITIES.indexOf(s))
      }
      return SEVERITIES[best]!
    }
    return this.match(type, kind, undefined) ?? 'medium'
  }
}

/** True when `severity` is at least as severe as `min`. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(min)
}
