/** What collectors share: the scope of one task, the output it fills, and the shape of an observed resource. */
import type { ResourceInstance } from 'tfdrift'
import type { AccountClients, ClientOf, Service } from './clients.ts'
import type { Calls } from './calls.ts'

/** One (account, region) a collector reads; `region` is the home region for global services. */
export interface Scope {
  account: string
  region: string
  clients: AccountClients
  calls: Calls
  /** Cloud Control: also GetResource per listed object. */
  detail: boolean
  signal?: AbortSignal
}

/** Sends one SDK command through the scan's bound and retry policy. */
export function send<S extends Service, O>(scope: Scope, service: S, command: unknown, region = scope.region): Promise<O> {
  return scope.calls.run(() => scope.clients.send<S, O>(service, region, command, scope.signal))
}
export type { ClientOf }

/** Where a collector puts what it found, and the dependent types it could not read. */
export interface Output {
  add(resource: ResourceInstance): void
  /** A type of this collector that could not be enumerated completely (the rest still counts). */
  fail(type: string, error: unknown): void
}

/** A unit of discovery: the types it enumerates and how. Global collectors run once per account. */
export interface Collector {
  name: string
  types: readonly string[]
  global?: boolean
  collect(scope: Scope, out: Output): Promise<void>
}

/**
 * An observed resource keyed as Terraform keys it: `resource_id` is what `terraform import` and the state's
 * `id` hold; attributes use Terraform's names and shapes. `partial`: only the attributes given are compared.
 */
export function observed(type: string, id: string, attributes: Record<string, unknown>, extra: { arn?: string; name?: string } = {}): ResourceInstance {
  const attrs: Record<string, unknown> = { id }
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) attrs[k] = v
  const arn = extra.arn ?? (typeof attrs.arn === 'string' ? attrs.arn : undefined)
  return {
    address: '', mode: 'managed', type, name: extra.name ?? id, provider: 'aws', resource_id: id,
    ...(arn ? { arn } : {}), attributes: attrs, partial: true,
  }
}

/** AWS tag lists (`[{Key, Value}]`, EC2's lowercase too) or maps as Terraform's `tags_all` map. */
export function tagMap(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined || tags === null) return undefined
  if (!Array.isArray(tags)) return typeof tags === 'object' ? Object.fromEntries(Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : undefined
  const out: Record<string, string> = {}
  for (const t of tags as Array<Record<string, unknown>>) {
    const key = t.Key ?? t.key
    if (typeof key === 'string') out[key] = String(t.Value ?? t.value ?? '')
  }
  return out
}

/** Display name: the `Name` tag, else the id. */
export function nameTag(tags: Record<string, string> | undefined): string | undefined {
  return tags?.Name
}
