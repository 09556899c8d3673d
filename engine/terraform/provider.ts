/**
 * Provider short names from the many ways Terraform has written a provider reference:
 * `provider["registry.terraform.io/hashicorp/aws"]`, `provider["…/aws"].east`,
 * `module.x.provider["…"]`, 0.12's `provider.aws` / `provider.aws.east`, v3's bare `aws`,
 * plan JSON's `registry.terraform.io/hashicorp/aws`.
 */

/** The short provider name (`aws`, `google-beta`); falls back to the resource type's prefix. */
export function providerShortName(providerAddress: string | undefined, resourceType?: string): string {
  const fromType = () => (resourceType ? resourceType.split('_')[0]! : 'unknown')
  if (!providerAddress) return fromType()
  let s = providerAddress.trim()
  // Drop module prefixes: `module.a.module.b.provider[...]`.
  const at = s.lastIndexOf('provider')
  if (at > 0 && s.startsWith('module.')) s = s.slice(at)
  const quoted = /^provider\["([^"]+)"\]/.exec(s)
  if (quoted) return lastSegment(quoted[1]!) || fromType()
  const dotted = /^provider\.([A-Za-z0-9_-]+)/.exec(s)
  if (dotted) return dotted[1]!
  if (s.includes('/')) return lastSegment(s) || fromType()
  if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/.test(s)) return s.split('.')[0]!
  return fromType()
}

function lastSegment(source: string): string {
  const parts = source.split('/')
  return parts[parts.length - 1] ?? ''
}
