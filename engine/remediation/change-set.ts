/**
 * A change set: ONE reviewable remediation for many drifts, as Terraform files ordered by the resource
 * graph. Deletions first, dependents before what they depend on (`removed.tf`, `state-rm.sh`); then
 * adoptions and fixes, dependencies first (`imports.tf`, and per `mode` either `revert.sh` — one
 * targeted plan — or `accept-edits.hcl` — the configuration edits that keep the live values). Drifts
 * that cannot be remediated this way are listed in `skipped` with the reason. The HCL comes from the
 * same encoder as the per-drift plans (`hcl.ts`, `drift-plan.ts`); secrets are never written.
 */
import type { Drift, ResourceInstance } from '../model.ts'
import type { ResourceGraph } from '../graph/index.ts'
import { acceptBlock, configLocation, diffLines, importBlock, importNotes, importTarget, label, who } from './drift-plan.ts'
import { canonicalAddress, comment, hasInstanceKey, shellQuote } from './hcl.ts'
import { dependencyRanks, referencedNodes } from './order.ts'

/** What a change set does about modified drifts: put the cloud back (`revert`) or write the live values into the code (`accept`). */
export type ChangeSetMode = 'revert' | 'accept'

export type StepAction = 'state_rm' | 'removed' | 'import' | 'revert' | 'accept'

/** One drift's part of the change set, in the order to apply. */
export interface ChangeSetStep {
  /** 1-based position. */
  order: number
  action: StepAction
  drift_id: string
  kind: Drift['kind']
  type: string
  severity: Drift['severity']
  /** The Terraform address acted on (for an import: where it is imported to). */
  address: string
  resource_id?: string
  /** The file of the change set that holds this step. */
  file: string
  /** Addresses of other steps' resources this one directly depends on (resource graph), which come earlier for creations and later for deletions. */
  depends_on: string[]
}

export interface SkippedDrift { drift_id: string; reason: string }

export interface ChangeSetFile { path: string; content: string }

/** A generated change set (what REST stores and returns; `files` are the zip's content). */
export interface ChangeSet {
  id: string
  mode: ChangeSetMode
  created_at: string
  created_by: string
  drift_ids: string[]
  steps: ChangeSetStep[]
  skipped: SkippedDrift[]
  files: ChangeSetFile[]
}

export interface BuildChangeSetInput {
  id: string
  mode: ChangeSetMode
  created_at: string
  created_by: string
  drifts: Drift[]
  /** The tenant's resource graph (expected snapshots). */
  graph: ResourceGraph
  /** The live object of a drift (observed snapshots), for accepted values and an unmanaged object's references. */
  live?: (drift: Drift) => ResourceInstance | undefined
}

interface Planned { drift: Drift; action: StepAction; address: string; node?: string; rank: number; deps: string[] }

/** Builds the change set of `drifts`; pure (the caller selects drifts and loads graph and live objects). */
export function buildChangeSet(input: BuildChangeSetInput): ChangeSet {
  const { graph, mode } = input
  const ranks = dependencyRanks(graph)
  const skipped: SkippedDrift[] = []
  const planned: Planned[] = []
  for (const drift of input.drifts) {
    if (drift.status === 'resolved') { skipped.push({ drift_id: drift.id, reason: 'resolved: nothing left to remediate' }); continue }
    if (drift.kind === 'unmanaged') {
      if (!drift.resource_id) { skipped.push({ drift_id: drift.id, reason: 'unmanaged object without a cloud id: nothing to import' }); continue }
      // After everything it references, so that its generated configuration can refer to them.
      const deps = referencedNodes(graph, input.live?.(drift)?.attributes)
      const rank = deps.reduce((max, id) => Math.max(max, (ranks.get(id) ?? -1) + 0.5), -0.5)
      planned.push({ drift, action: 'import', address: importTarget(drift), rank, deps })
      continue
    }
    const addr = canonicalAddress(drift.address)
    if (!addr) { skipped.push({ drift_id: drift.id, reason: `no Terraform address${drift.address ? ` (${JSON.stringify(drift.address)} does not parse)` : ''}: nothing to target` }); continue }
    const node = nodeOf(graph, drift, addr.text)
    const rank = node !== undefined ? ranks.get(node) ?? Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER
    const deps = node !== undefined ? [...new Set(graph.dependencies.get(node) ?? [])] : []
    const action: StepAction = drift.kind === 'missing' ? (hasInstanceKey(addr) ? 'state_rm' : 'removed') : mode
    planned.push({ drift, action, address: addr.text, ...(node !== undefined ? { node } : {}), rank, deps })
  }
  const byAddress = (a: Planned, b: Planned) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
  const deletions = planned.filter((p) => p.action === 'removed' || p.action === 'state_rm').sort((a, b) => b.rank - a.rank || byAddress(a, b))
  const creations = planned.filter((p) => p.action !== 'removed' && p.action !== 'state_rm').sort((a, b) => a.rank - b.rank || byAddress(a, b))
  const ordered = [...deletions, ...creations]

  const inSet = new Map(ordered.filter((p) => p.node !== undefined).map((p) => [p.node!, p.address] as const))
  const steps: ChangeSetStep[] = ordered.map((p, i) => ({
    order: i + 1, action: p.action, drift_id: p.drift.id, kind: p.drift.kind, type: p.drift.type, severity: p.drift.severity,
    address: p.address, ...(p.drift.resource_id ? { resource_id: p.drift.resource_id } : {}), file: FILE[p.action],
    depends_on: p.deps.flatMap((d) => (inSet.has(d) && d !== p.node ? [inSet.get(d)!] : [])),
  }))
  const files = renderFiles(input, ordered, steps, skipped)
  return { id: input.id, mode, created_at: input.created_at, created_by: input.created_by, drift_ids: input.drifts.map((d) => d.id), steps, skipped, files }
}

const FILE: Record<StepAction, string> = {
  state_rm: 'state-rm.sh', removed: 'removed.tf', import: 'imports.tf', revert: 'revert.sh', accept: 'accept-edits.hcl',
}

function nodeOf(graph: ResourceGraph, drift: Drift, address: string): string | undefined {
  if (graph.node(address)) return address
  if (drift.address && graph.node(drift.address)) return drift.address
  const byId = drift.resource_id ? graph.findByTypeId(drift.type, drift.resource_id) : []
  return byId.length === 1 ? byId[0]!.id : undefined
}

function heading(p: Planned, step: ChangeSetStep): string {
  return `Step ${step.order} — drift ${p.drift.id} (${p.drift.kind}, ${p.drift.severity}): ${label(p.drift)}`
}

function renderFiles(input: BuildChangeSetInput, ordered: Planned[], steps: ChangeSetStep[], skipped: SkippedDrift[]): ChangeSetFile[] {
  const of = (action: StepAction) => ordered.flatMap((p, i) => (p.action === action ? [[p, steps[i]!] as const] : []))
  const files: ChangeSetFile[] = []
  const head = (what: string) => comment([`tfdrift change set ${input.id} (${input.mode}), generated ${input.created_at} for ${input.created_by}.`, what, 'Steps are in dependency order; see README.md.'])

  const removed = of('removed')
  if (removed.length) {
    files.push({ path: 'removed.tf', content: tf([head('Resources gone from the cloud: stop managing them without destroying anything (Terraform >= 1.7), then delete their resource blocks.'),
      ...removed.map(([p, s]) => `${comment([heading(p, s), ...who(p.drift)])}\nremoved {\n  from = ${p.address}\n\n  lifecycle {\n    destroy = false\n  }\n}`)]) })
  }
  const stateRm = of('state_rm')
  if (stateRm.length) {
    files.push({ path: 'state-rm.sh', content: sh([comment(['Instances gone from the cloud (a removed block cannot name one count/for_each instance): forget them,', 'then remove their keys from the configuration so Terraform does not recreate them.']),
      ...stateRm.map(([p, s]) => `${comment([heading(p, s)])}\nterraform state rm ${shellQuote(p.address)}`)]) })
  }
  const imports = of('import')
  if (imports.length) {
    files.push({ path: 'imports.tf', content: tf([head('Objects that exist in the cloud but in no state: adopt them. Run `terraform plan -generate-config-out=generated.tf`; Terraform writes their configuration there. Review it before applying.'),
      ...imports.map(([p, s]) => `${comment([heading(p, s), ...importNotes(p.drift)])}\n${importBlock(p.drift)}`)]) })
  }
  const reverts = of('revert')
  if (reverts.length) {
    const plan = 'tfdrift-revert.tfplan'
    const targets = reverts.map(([p]) => `  -target=${shellQuote(p.address)}`)
    files.push({ path: 'revert.sh', content: sh([
      comment(['Put these resources back as configured: one plan limited to them (Terraform orders the targets itself).', ...reverts.flatMap(([p, s]) => ['', heading(p, s), ...diffLines(p.drift)])]),
      `terraform plan -out=${plan} \\\n${targets.join(' \\\n')}`,
      `echo 'Review the plan above; apply it with: terraform apply ${plan}'`]) })
  }
  const accepts = of('accept')
  if (accepts.length) {
    files.push({ path: 'accept-edits.hcl', content: tf([head('Keep the live values: merge each block into the resource block it names (these are edits, not a module; Terraform does not load *.hcl). Then `terraform plan` should show no changes for them.'),
      ...accepts.map(([p, s]) => `${comment([heading(p, s), ...diffLines(p.drift), ...who(p.drift), `In ${configLocation(p.drift)}:`])}\n${acceptBlock(p.drift, input.live?.(p.drift))}`)]) })
  }
  files.unshift({ path: 'README.md', content: readme(input, steps, skipped, files.map((f) => f.path)) })
  return files
}

function tf(parts: string[]): string {
  return `${parts.join('\n\n')}\n`
}

function sh(parts: string[]): string {
  return `#!/bin/sh\n# Generated by tfdrift; run from the Terraform root module's directory.\nset -eu\n\n${parts.join('\n\n')}\n`
}

function readme(input: BuildChangeSetInput, steps: ChangeSetStep[], skipped: SkippedDrift[], paths: string[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
  const order = [
    paths.includes('state-rm.sh') ? '- `sh state-rm.sh` — forget instances gone from the cloud.' : '',
    paths.includes('removed.tf') ? '- Copy `removed.tf` into the root module and delete the resource blocks it names.' : '',
    paths.includes('imports.tf') ? '- Copy `imports.tf` into the root module and run `terraform plan -generate-config-out=generated.tf`; review `generated.tf`.' : '',
    paths.includes('accept-edits.hcl') ? '- Merge the blocks of `accept-edits.hcl` into the resource blocks they name.' : '',
    paths.includes('revert.sh') ? '- `sh revert.sh` — a plan limited to the drifted resources; apply it after review.' : '',
    '- Run `terraform plan` and review the whole plan before `terraform apply`.',
  ].filter(Boolean)
  return [
    `# tfdrift change set ${input.id}`,
    '',
    `Mode: **${input.mode}** (${input.mode === 'revert' ? 'modified resources are put back as configured' : 'the configuration takes the live values of modified resources'}). Generated ${input.created_at} by ${cell(input.created_by)} for ${input.drifts.length} drift(s).`,
    '',
    'Deletions come first, dependents before what they depend on; then imports and fixes, dependencies first (the resource graph of the state).',
    '',
    '## How to apply',
    '',
    ...order,
    '',
    '## Steps',
    '',
    '| # | action | address | drift | severity | file |',
    '|---|---|---|---|---|---|',
    ...steps.map((s) => `| ${s.order} | ${s.action} | \`${cell(s.address)}\` | ${cell(s.drift_id)} | ${s.severity} | ${s.file} |`),
    ...(skipped.length ? ['', '## Skipped', '', ...skipped.map((s) => `- ${cell(s.drift_id)}: ${cell(s.reason)}`)] : []),
    '',
  ].join('\n')
}
