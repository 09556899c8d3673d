/**
 * Where a resource sits in the estate: the group path the layout packs by (`NodeData.group`),
 * derived from a REST graph node. The server's `account_id`/`region` win when present; otherwise
 * AWS nodes carry them in their ARN, and Google and Azure ids name a project or subscription (and
 * sometimes a region). Every level asked for is always present, with a placeholder when unknown, so
 * siblings at one depth are always the same kind of thing.
 */

/** A node as `GET /graph` returns it (only the fields grouping reads are required). */
export interface RawGraphNode {
  id: string
  label?: string
  address?: string
  type: string
  name?: string
  provider?: string
  mode?: string
  module?: string | null
  index_key?: unknown
  resource_id?: string | null
  arn?: string | null
  /** Set by the server when it knows them (they win over the ARN). */
  account_id?: string | null
  region?: string | null
  source?: string
  drift_severity?: string | null
  drift_count?: number
}

/**
 * One level of the path: `module` is the module address as one level (`module.prod.module.api`),
 * `moduleTree` one level per nested module call; `severity` the node's worst open drift.
 */
export type GroupBy = 'provider' | 'account' | 'region' | 'module' | 'moduleTree' | 'type' | 'severity'

export const DEFAULT_GROUP_BY: readonly GroupBy[] = ['provider', 'account', 'region', 'module', 'type']

/** Placeholders for levels a node does not tell. */
export const UNKNOWN_ACCOUNT = '(no account)'
export const GLOBAL_REGION = 'global'
export const ROOT_MODULE = 'root'

/** The node's group path, outermost first. */
export function groupPath(node: RawGraphNode, by: readonly GroupBy[] = DEFAULT_GROUP_BY): string[] {
  const path: string[] = []
  let place: { account?: string; region?: string } | undefined
  for (const level of by) {
    switch (level) {
      case 'provider':
        path.push(providerName(node))
        break
      case 'account':
        place ??= placeOf(node)
        path.push(place.account || UNKNOWN_ACCOUNT)
        break
      case 'region':
        place ??= placeOf(node)
        path.push(place.region || GLOBAL_REGION)
        break
      case 'module':
        path.push(node.module || ROOT_MODULE)
        break
      case 'moduleTree':
        path.push(...(node.module ? moduleCalls(node.module) : [ROOT_MODULE]))
        break
      case 'type':
        path.push(node.type)
        break
      case 'severity':
        path.push(node.drift_severity || 'none')
        break
    }
  }
  return path
}

/**
 * Short provider name: `registry.terraform.io/hashicorp/aws` and
 * `provider["registry.terraform.io/hashicorp/aws"].west` → `aws`; without one, the type's prefix.
 */
export function providerName(node: Pick<RawGraphNode, 'provider' | 'type'>): string {
  let source = node.provider ?? ''
  const quoted = /"([^"]+)"/.exec(source)
  if (quoted) source = quoted[1]!
  const short = source.slice(source.lastIndexOf('/') + 1)
  if (short) return short
  const cut = node.type.indexOf('_')
  return cut > 0 ? node.type.slice(0, cut) : node.type || 'unknown'
}

/** Account and region from an ARN (`arn:partition:service:region:account:resource`). */
export function parseArn(arn: string): { partition: string; service: string; region: string; account: string } | undefined {
  if (!arn.startsWith('arn:')) return undefined
  // The resource part may hold colons itself; only the first five fields are fixed.
  const parts = arn.split(':', 5)
  if (parts.length < 5) return undefined
  return { partition: parts[1]!, service: parts[2]!, region: parts[3]!, account: parts[4]! }
}

/** Account and region: the node's own fields, else its ARN, else what its cloud resource id names. */
function placeOf(node: RawGraphNode): { account?: string; region?: string } {
  const found = placeFromIds(node)
  return { account: node.account_id || found.account, region: node.region || found.region }
}

function placeFromIds(node: RawGraphNode): { account?: string; region?: string } {
  const arn = node.arn ? parseArn(node.arn) : undefined
  if (arn) return { account: arn.account, region: arn.region }
  const id = node.resource_id ?? ''
  // Azure: /subscriptions/<id>/resourceGroups/…; Google: projects/<p>/(regions|zones|locations)/<r>/…
  const subscription = /\/subscriptions\/([^/]+)/i.exec(id)
  if (subscription) return { account: subscription[1] }
  const project = /(?:^|\/)projects\/([^/]+)/.exec(id)
  if (project) {
    const where = /\/(?:regions|zones|locations)\/([^/]+)/.exec(id)
    return { account: project[1], region: where?.[1] }
  }
  return {}
}

/** `module.a.module.b["x"]` → `['module.a', 'module.b["x"]']` (dots inside index keys kept). */
export function moduleCalls(module: string): string[] {
  return module.match(/module\.[^.[]+(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?/g) ?? [module]
}
