/** SARIF 2.1.0 for code-scanning UIs: one rule per drift kind, one result per drift, located in its state file. */
import type { Drift, Severity } from '../../model.ts'
import type { ScanResult } from './result.ts'
import { renderPair, resourceLabel } from './render.ts'

const RULES = [
  { id: 'tfdrift/missing', name: 'MissingResource', text: 'A resource in Terraform state no longer exists in the cloud.', help: 'Re-create it with `terraform apply`, or remove it from state with a `removed` block.' },
  { id: 'tfdrift/unmanaged', name: 'UnmanagedResource', text: 'A cloud resource exists that no Terraform state manages.', help: 'Bring it under management with an `import` block, or delete it.' },
  { id: 'tfdrift/modified', name: 'ModifiedResource', text: 'Attributes of a managed resource differ from Terraform state.', help: 'Revert with `terraform apply`, or accept the change in code and `terraform apply -refresh-only`.' },
] as const

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' }
/** GitHub's numeric security severity, so code scanning sorts by it. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' }

function message(d: Drift): string {
  const label = resourceLabel(d)
  if (d.kind === 'missing') return `${label} is in Terraform state but missing from the cloud.`
  if (d.kind === 'unmanaged') return `${label} exists in the cloud but is not managed by Terraform.`
  const changes = (d.changes ?? []).slice(0, 10).map((c) => { const [e, a] = renderPair(c.expected, c.actual, 40); return `${c.path}: ${e} → ${a}` })
  const more = (d.changes?.length ?? 0) > 10 ? `; and ${d.changes!.length - 10} more` : ''
  return `${label} drifted: ${changes.join('; ')}${more}.`
}

/** A URI reference for a source: remote sources keep their scheme, paths are percent-encoded per segment. */
function uri(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path
  return path.split(/[\\/]/).map(encodeURIComponent).join('/')
}

/** Renders the SARIF 2.1.0 log (as an object; the caller serialises it). */
export function toSarif(result: ScanResult, toolVersion: string): Record<string, unknown> {
  const fallbackUri = result.inputs.observed[0] ?? result.inputs.state[0]
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'tfdrift',
          version: toolVersion,
          informationUri: 'https://github.com/tfdrift/tfdrift',
          rules: RULES.map((r) => ({
            id: r.id, name: r.name, shortDescription: { text: r.text }, fullDescription: { text: r.text },
            help: { text: r.help }, defaultConfiguration: { level: r.id === 'tfdrift/unmanaged' ? 'warning' : 'error' },
          })),
        },
      },
      results: result.drifts.map((d) => {
        const file = d.state_source ?? fallbackUri
        return {
          ruleId: `tfdrift/${d.kind}`,
          ruleIndex: RULES.findIndex((r) => r.id === `tfdrift/${d.kind}`),
          level: LEVEL[d.severity],
          message: { text: message(d) },
          locations: [{
            ...(file ? { physicalLocation: { artifactLocation: { uri: uri(file) } } } : {}),
            logicalLocations: [{ fullyQualifiedName: resourceLabel(d), kind: 'resource' }],
          }],
          partialFingerprints: { driftId: d.id },
          properties: { severity: d.severity, 'security-severity': SECURITY_SEVERITY[d.severity], type: d.type, provider: d.provider, resource_id: d.resource_id, changes: d.changes },
        }
      }),
    }],
  }
}
