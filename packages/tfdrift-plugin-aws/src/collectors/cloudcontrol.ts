/**
 * Cloud Control API (JSON 1.0): ListResources per CloudFormation type (NextToken paging), then GetResource
 * per object when `cloudcontrol_detail` is on — unless the listed model already holds what the type's row
 * reads (`complete`), which saves one call per object. One collector per type, so a denied type leaves the
 * rest covered.
 */
import { GetResourceCommand, ListResourcesCommand, type GetResourceCommandOutput, type ListResourcesCommandOutput } from '@aws-sdk/client-cloudcontrol'
import { CLOUDCONTROL_TYPES, type CloudControlType, type Source } from '../cloudcontrol-types.ts'
import { observed, send, tagMap, type Collector, type Scope } from '../resource.ts'

function read(props: Record<string, any>, source: Source): unknown {
  if (typeof source === 'function') return source(props)
  let value: any = props
  for (const key of source.split('.')) value = value?.[key]
  return value
}

const has = (props: Record<string, any>, path: string) => path.split('.').reduce<any>((v, k) => v?.[k], props) !== undefined
const sourceReads = (s: Source | undefined): readonly string[] | undefined => (s === undefined ? [] : typeof s === 'string' ? [s] : s.reads)

/** The properties a type's row reads, or undefined when a function source does not say (then never skip). */
function reads(t: CloudControlType): readonly string[] | undefined {
  const all = [t.id, t.arn, ...Object.values(t.attrs)].map(sourceReads)
  return all.some((r) => r === undefined) ? undefined : [...new Set([...all.flat() as string[], ...(t.tags ? [t.tags] : [])])]
}
const READS = new Map(CLOUDCONTROL_TYPES.map((t) => [t, reads(t)]))

/**
 * Whether a listed model can stand in for GetResource. A property absent from a listed model may be unset or
 * merely unlisted, so only a type whose list handler returns whole models may skip with properties missing;
 * its model must still hold more than the identifier, in case the handler ever lists identifiers only.
 */
function complete(t: CloudControlType, props: Record<string, any>): boolean {
  if (t.list === 'full') return Object.keys(props).length > 1
  const needed = READS.get(t)
  return needed !== undefined && needed.every((path) => has(props, path))
}

function parse(text: string | undefined): Record<string, any> {
  if (!text) return {}
  try { return JSON.parse(text) as Record<string, any> } catch { return {} }
}

function toResource(t: CloudControlType, props: Record<string, any>, identifier: string) {
  const id = String(read(props, t.id) ?? identifier)
  const attrs: Record<string, unknown> = {}
  for (const [name, source] of Object.entries(t.attrs)) attrs[name] = read(props, source)
  const arn = t.arn ? read(props, t.arn) : undefined
  if (typeof arn === 'string') attrs.arn = arn
  if (t.tags && props[t.tags] !== undefined) attrs.tags_all = tagMap(props[t.tags])
  const name = typeof props.Name === 'string' ? props.Name : typeof attrs.name === 'string' ? attrs.name : undefined
  return observed(t.type, id, attrs, { name })
}

async function collectType(t: CloudControlType, scope: Scope, add: (r: ReturnType<typeof toResource>) => void): Promise<void> {
  const listed: Array<{ id: string; props: Record<string, any> }> = []
  let token: string | undefined
  do {
    const page = await send<'cloudcontrol', ListResourcesCommandOutput>(scope, 'cloudcontrol', new ListResourcesCommand({ TypeName: t.cfn, MaxResults: 100, NextToken: token }))
    for (const d of page.ResourceDescriptions ?? []) if (d.Identifier) listed.push({ id: d.Identifier, props: parse(d.Properties) })
    token = page.NextToken
  } while (token)
  await Promise.all(listed.map(async ({ id, props }) => {
    if (scope.detail && !complete(t, props)) {
      const out = await send<'cloudcontrol', GetResourceCommandOutput>(scope, 'cloudcontrol', new GetResourceCommand({ TypeName: t.cfn, Identifier: id }))
      props = { ...props, ...parse(out.ResourceDescription?.Properties) }
    }
    add(toResource(t, props, id))
  }))
}

export const cloudControlCollectors: Collector[] = CLOUDCONTROL_TYPES.map((t) => ({
  name: `cloudcontrol:${t.cfn}`, types: [t.type], global: t.global,
  collect: (scope, out) => collectType(t, scope, (r) => out.add(r)),
}))
