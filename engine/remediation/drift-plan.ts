/**
 * Builds a remediation plan for one drift (the terraform-remediation plugin proposes these; change sets
 * in `change-set.ts` reuse the same pieces):
 * - `unmanaged` → an `import` block; `terraform plan -generate-config-out` writes its configuration;
 * - `missing`   → a `removed` block (Terraform ≥ 1.7) or `terraform state rm` when the address has
 *                 instance keys (a removed block cannot target one instance), or a recreate command;
 * - `modified`  → a targeted `terraform apply` that reverts, or the configuration values that accept.
 * Sensitive values are never printed.
 */
import type { AttributeChange, Drift, RemediationPlan, ResourceInstance, Severity } from '../model.ts'
import { SEVERITIES } from '../model.ts'
import { MASK, maskChange, maskResource } from '../drift/mask.ts'
import { canonicalAddress, comment, formatHcl, hasInstanceKey, hclAttribute, hclKey, hclString, isIdentifier, resourceNameFor, shellQuote } from './hcl.ts'

export interface PlanOptions {
  mode: 'propose' | 'auto_approve'
  /** In `auto_approve` mode, plans for drifts less severe than this are approved automatically. */
  auto_approve_below: Severity
  missing: 'removed' | 'recreate'
  modified: 'revert' | 'accept'
}

/** Import-id formats that differ from the resource id (Terraform provider docs). */
const IMPORT_ID_HINTS: Record<string, string> = {
  aws_iam_role_policy_attachment: '<role-name>/<policy-arn>',
  aws_iam_user_policy_attachment: '<user-name>/<policy-arn>',
  aws_iam_group_policy_attachment: '<group-name>/<policy-arn>',
  aws_iam_role_policy: '<role-name>:<policy-name>',
  aws_lambda_permission: '<function-name>/<statement-id>',
  aws_security_group_rule: '<sg-id>_<type>_<protocol>_<from>_<to>_<source>',
  aws_route_table_association: '<subnet-id>/<route-table-id>',
  aws_lb_target_group_attachment: '(not importable; declare it and let terraform apply attach it)',
}

type Body = Pick<RemediationPlan, 'strategy' | 'content' | 'summary'>

/** The plan for a drift (status and ids filled by `toPlan`). */
export function planBody(drift: Drift, options: PlanOptions): Body {
  switch (drift.kind) {
    case 'unmanaged': return importPlan(drift)
    case 'missing': return options.missing === 'recreate' ? recreatePlan(drift) : removedPlan(drift)
    case 'modified': return options.modified === 'accept' ? acceptPlan(drift) : revertPlan(drift)
  }
}

/** A complete RemediationPlan, auto-approved when the mode and severity say so. */
export function toPlan(drift: Drift, options: PlanOptions, id: string, now: string): RemediationPlan {
  const body = planBody(drift, options)
  const auto = options.mode === 'auto_approve' && SEVERITIES.indexOf(drift.severity) > SEVERITIES.indexOf(options.auto_approve_below)
  return {
    id, drift_id: drift.id, ...body, created_at: now,
    ...(auto ? { status: 'approved' as const, decided_by: 'tfdrift:auto-approve', decided_at: now } : { status: 'proposed' as const }),
  }
}

/** Who made the change, as a review note. */
export function who(drift: Drift): string[] {
  const a = drift.actor
  if (!a?.user && !a?.arn) return []
  const via = [a.event_name, a.source_ip ? `from ${a.source_ip}` : undefined].filter(Boolean).join(' ')
  return [`Changed by ${a.user ?? a.arn}${via ? ` (${via})` : ''}.`]
}

/** The drift's address (and id) for prose. */
export function label(drift: Drift): string {
  const addr = canonicalAddress(drift.address)?.text ?? drift.address
  return addr ? `${addr}${drift.resource_id ? ` (${drift.resource_id})` : ''}` : `${drift.type} ${drift.resource_id ?? '(unknown id)'}`
}

/** The AWS region in the drift's ARN (`arn:aws:ec2:eu-west-1:…`), when there is one. */
function regionOf(drift: Drift): string | undefined {
  const region = drift.provider === 'aws' ? drift.arn?.split(':')[3] : undefined
  return region || undefined
}

/** Where an unmanaged object is imported to: `type.name`, the name derived from its id. */
export function importTarget(drift: Drift): string {
  return `${drift.type}.${resourceNameFor(drift.resource_id, 'unmanaged')}`
}

/** Review notes for adopting an unmanaged object (who made it, import id format, region). */
export function importNotes(drift: Drift): string[] {
  // Only when the id is not already in that composite form.
  const hint = drift.resource_id && /[/:]/.test(drift.resource_id) && !drift.resource_id.startsWith('arn:') ? undefined : IMPORT_ID_HINTS[drift.type]
  const region = regionOf(drift)
  return [
    ...who(drift),
    ...(hint ? [`Import id format for ${drift.type}: ${hint}.`] : []),
    ...(region ? [`It lives in ${region}: add \`provider = aws.<alias for ${region}>\` to the import block if your default provider is in another region.`] : []),
  ]
}

/** The `import` block of an unmanaged object (no resource block: `-generate-config-out` writes it). */
export function importBlock(drift: Drift): string {
  return formatHcl(['import {', `  to = ${importTarget(drift)}`, `  id = ${hclString(drift.resource_id ?? '')}`, '}'].join('\n'))
}

function importPlan(drift: Drift): Body {
  const to = importTarget(drift)
  const content = [
    comment([
      `${drift.type} ${drift.resource_id ?? ''} exists in the cloud but in no Terraform state.`,
      'Adopt it: add this block (and no resource block for it), run `terraform plan -generate-config-out=generated.tf`',
      'so Terraform writes its configuration, review generated.tf, then apply.',
      ...importNotes(drift),
      'Or delete the object if nobody needs it.',
    ]),
    importBlock(drift),
  ].join('\n')
  return { strategy: 'import', content, summary: `Import unmanaged ${drift.type} ${drift.resource_id ?? ''} as ${to}`.trim() }
}

function removedPlan(drift: Drift): Body {
  const addr = canonicalAddress(drift.address)
  const head = [`${label(drift)} is in Terraform state but no longer exists in the cloud.`, ...who(drift)]
  if (!addr) return recreatePlan(drift)
  const target = shellQuote(addr.text)
  if (hasInstanceKey(addr)) {
    // `removed.from` takes a configuration address; it cannot name one instance of a count/for_each.
    const content = [
      comment([...head, 'Stop tracking this one instance (a removed block cannot target a single count/for_each instance),',
        'then remove its key from the configuration so Terraform does not recreate it:']),
      `terraform state rm ${target}`,
      '',
      comment(['Or recreate it as configured:']),
      `terraform apply -target=${target}`,
    ].join('\n')
    return { strategy: 'command', content, summary: `Forget deleted ${addr.text} (terraform state rm) or recreate it` }
  }
  const content = [
    comment([...head, 'Stop managing it (Terraform >= 1.7): add this block and delete the resource block from the configuration.']),
    'removed {',
    `  from = ${addr.text}`,
    '',
    '  lifecycle {',
    '    destroy = false',
    '  }',
    '}',
    '',
    comment(['Or recreate it as configured:', `terraform apply -target=${target}`]),
  ].join('\n')
  return { strategy: 'removed', content, summary: `Remove deleted ${addr.text} from state with a removed block, or recreate it` }
}

function recreatePlan(drift: Drift): Body {
  const addr = canonicalAddress(drift.address)
  const target = addr ? shellQuote(addr.text) : undefined
  const content = [
    comment([`${label(drift)} is in Terraform state but no longer exists in the cloud.`, ...who(drift), 'Recreate it as configured:']),
    target ? `terraform apply -target=${target}` : `terraform apply  # no address known for ${drift.type} ${drift.resource_id ?? ''}`,
  ].join('\n')
  return { strategy: 'command', content, summary: `Recreate deleted ${addr?.text ?? `${drift.type} ${drift.resource_id ?? ''}`} with terraform apply`.trim() }
}

/** True when a masked value still has a masked secret inside (a JSON document): writing it back would set the secret to the mask. */
function holdsMask(value: unknown): boolean {
  return (JSON.stringify(value) ?? '').includes(MASK)
}

function show(v: unknown): string {
  if (v === MASK) return MASK
  const text = JSON.stringify(v) ?? 'null'
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/** The changes, masked, one `path: expected → actual` line each. */
export function diffLines(drift: Drift): string[] {
  // Masked again: drifts from other analyzers may arrive unmasked.
  const changes = (drift.changes ?? []).map(maskChange)
  if (!changes.length) return ['(no attribute details)']
  return changes.map((c) => `  ${c.path}: ${show(c.expected)} → ${show(c.actual)}`)
}

function revertPlan(drift: Drift): Body {
  const addr = canonicalAddress(drift.address)
  const target = addr ? `terraform apply -target=${shellQuote(addr.text)}` : `terraform apply  # no address known for ${drift.type} ${drift.resource_id ?? ''}`
  const content = [
    comment([`${label(drift)} differs from its Terraform configuration:`, ...diffLines(drift), ...who(drift), 'Put it back as configured (review the plan Terraform shows before confirming):']),
    target,
  ].join('\n')
  const paths = (drift.changes ?? []).map((c) => c.path)
  return { strategy: 'revert', content, summary: `Revert ${paths.length ? paths.slice(0, 3).join(', ') + (paths.length > 3 ? '…' : '') : 'changes'} on ${addr?.text ?? drift.resource_id ?? drift.type}` }
}

/** Where the configuration of a drifted resource is: `module x, resource "t" "n"`. */
export function configLocation(drift: Drift): string {
  const addr = canonicalAddress(drift.address)
  return addr ? `${addr.module ? `module ${addr.module}, ` : ''}resource ${hclString(addr.type)} ${hclString(addr.name)}` : `${drift.type} ${drift.resource_id ?? ''}`.trim()
}

/**
 * The `resource` block of the configuration edits that keep the live values of a modified drift: each
 * changed top-level argument with its live value (from `live`, the observed object, when given, so a
 * changed map key or block element is written as the whole argument; otherwise from the change).
 * Sensitive values and values holding masked secrets become comments saying to set them from a secret
 * store. Lists of objects are written as nested blocks. fmt-clean.
 */
export function acceptBlock(drift: Drift, live?: ResourceInstance): string {
  const addr = canonicalAddress(drift.address)
  const masked = live ? maskResource(live).attributes : undefined
  const groups = new Map<string, AttributeChange[]>()
  for (const c of (drift.changes ?? []).map(maskChange)) {
    const top = c.path.split('.')[0]!
    const list = groups.get(top)
    if (list) list.push(c)
    else groups.set(top, [c])
  }
  const lines: string[] = []
  for (const [name, changes] of groups) {
    const whole = changes.find((c) => c.path === name)
    if (changes.some((c) => c.sensitive)) lines.push(`  # ${name}: changed to a sensitive value; set it from your secret store, never inline`)
    else if (!isIdentifier(name)) lines.push(`  # ${JSON.stringify(name)}: not an argument name HCL can write; edit it by hand`)
    else if (masked && Object.hasOwn(masked, name)) lines.push(...argument(name, masked[name], '  '))
    else if (whole) lines.push(...argument(name, whole.actual, '  '))
    else for (const c of changes) lines.push(`  # ${c.path} = ${show(c.actual)} (merge into ${name}; the live object was not available)`)
  }
  return formatHcl([
    `resource ${hclString(addr?.type ?? drift.type)} ${hclString(addr?.name ?? resourceNameFor(drift.resource_id, 'resource'))} {`,
    ...(lines.length ? lines : ['  # no attribute details']),
    '}',
  ].join('\n'))
}

/** An argument as HCL lines: masked secrets as a comment, lists of objects as nested blocks, else `name = value`. */
function argument(name: string, value: unknown, indent: string): string[] {
  if (holdsMask(value)) return [`${indent}# ${name}: holds secrets (masked here); set it from your secret store, never inline`]
  if (isBlockList(value)) return value.flatMap((item) => block(name, item, indent))
  return [hclAttribute(name, value, indent)]
}

/** A nested block; null arguments (unset) and empty block lists are left out. */
function block(name: string, body: Record<string, unknown>, indent: string): string[] {
  const inner = `${indent}  `
  const lines: string[] = []
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0 && isIdentifier(k))) continue
    if (!isIdentifier(k)) lines.push(`${inner}# ${JSON.stringify(k)} = ${show(v)}`)
    else lines.push(...argument(k, v, inner))
  }
  return [`${indent}${hclKey(name)} {`, ...lines, `${indent}}`]
}

/** Terraform state holds nested blocks as lists of objects. */
function isBlockList(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
}

function acceptPlan(drift: Drift): Body {
  const addr = canonicalAddress(drift.address)
  const content = [
    comment([`${label(drift)} differs from its Terraform configuration:`, ...diffLines(drift), ...who(drift),
      `Keep the live values: update the configuration (${configLocation(drift)}) as below, then check that \`terraform plan\` shows no changes.`]),
    acceptBlock(drift),
  ].join('\n')
  return { strategy: 'accept', content, summary: `Accept live values on ${addr?.text ?? drift.resource_id ?? drift.type} by updating the configuration` }
}
