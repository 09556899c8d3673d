/** Collects generated resource instances with Terraform-shaped addresses and dependency edges. */
import type { ResourceInstance } from 'tfdrift'
import type { Rng } from '../rng.ts'

export const AWS_PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'

/** Region facts the generator needs: AZ names and ids, the ELB hosted zone. */
export const REGIONS: Record<string, { azIds: string[]; elbZone: string }> = {
  'us-east-1': { azIds: ['use1-az1', 'use1-az2', 'use1-az4'], elbZone: 'Z35SXDOTRQ7X7K' },
  'us-west-2': { azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'], elbZone: 'Z1H1FL5HABSF5' },
  'eu-west-1': { azIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'], elbZone: 'Z32O12XQLNTSW2' },
  'eu-central-1': { azIds: ['euc1-az1', 'euc1-az2', 'euc1-az3'], elbZone: 'Z215JYRZR1TBD5' },
  'ap-northeast-1': { azIds: ['apne1-az1', 'apne1-az2', 'apne1-az4'], elbZone: 'Z14GRHDCWA56QT' },
}

/** Availability zone name for index i of a region (`us-east-1a`, `…b`, `…c`). */
export function azName(region: string, i: number): string {
  return `${region}${'abc'[i % 3]}`
}

/** Renders an index key the way Terraform writes it in addresses. */
export function indexSuffix(key: string | number | undefined): string {
  if (key === undefined) return ''
  if (typeof key === 'number') return `[${key}]`
  return `["${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`
}

/** `module.a["x"].aws_subnet.b[0]` from its parts. */
export function formatAddress(module: string | undefined, type: string, name: string, key?: string | number): string {
  return `${module ? `${module}.` : ''}${type}.${name}${indexSuffix(key)}`
}

/** The configuration address Terraform records in `dependencies`: instance keys dropped everywhere. */
export function configAddress(address: string): string {
  return address.replace(/\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g, '')
}

export interface NewResource {
  module?: string
  type: string
  name: string
  index_key?: string | number
  id: string
  arn?: string
  attributes: Record<string, unknown>
  /** Addresses (instance or config form) this resource depends on; stored in config form, sorted. */
  depends_on?: Array<ResourceInstance | string>
  sensitive_paths?: Array<Array<string | number>>
  schema_version?: number
}

/** Accumulates resources; each `add` returns the instance so callers can reference its id/arn. */
export class EstateBuilder {
  readonly resources: ResourceInstance[] = []
  constructor(readonly rng: Rng, readonly account: string) {}

  add(spec: NewResource): ResourceInstance {
    const address = formatAddress(spec.module, spec.type, spec.name, spec.index_key)
    const deps = new Set<string>()
    for (const d of spec.depends_on ?? []) deps.add(configAddress(typeof d === 'string' ? d : d.address))
    const attributes: Record<string, unknown> = { ...spec.attributes, id: spec.id }
    if (spec.arn) attributes.arn = spec.arn
    const instance: ResourceInstance = {
      address,
      mode: 'managed',
      type: spec.type,
      name: spec.name,
      ...(spec.module ? { module: spec.module } : {}),
      ...(spec.index_key !== undefined ? { index_key: spec.index_key } : {}),
      provider: 'aws',
      provider_address: AWS_PROVIDER,
      resource_id: spec.id,
      ...(spec.arn ? { arn: spec.arn } : {}),
      attributes: sortKeys(attributes),
      ...(spec.sensitive_paths ? { sensitive_paths: spec.sensitive_paths } : {}),
      ...(deps.size ? { dependencies: [...deps].sort() } : {}),
      schema_version: spec.schema_version ?? 0,
    }
    this.resources.push(instance)
    return instance
  }

  get size(): number {
    return this.resources.length
  }
}

function sortKeys(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(attrs).sort()) out[k] = attrs[k]
  return out
}

/** Tags as Terraform stores them: `tags` as written, `tags_all` with provider default tags merged. */
export function tagPair(tags: Record<string, string>, defaults: Record<string, string>): { tags: Record<string, string>; tags_all: Record<string, string> } {
  return { tags, tags_all: { ...defaults, ...tags } }
}
