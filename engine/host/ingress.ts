/**
 * Which ingress routes exist, and for which tenant. A pipeline's route belongs to the pipeline's
 * tenant — the engine fills the owner in from the node, never from what the plugin says — so the
 * server hands a push only to a route of the caller's tenant: two tenants may each receive on one
 * path, and a token of another tenant cannot forge a record into a pipeline. One tenant registering
 * one method and path twice is a configuration error (TFD_ERR_INGRESS_CONFLICT): `checkIngress` finds
 * it from the plugins' declarations before anything runs; the table refuses it for undeclared routes.
 */
import type { Ingress, IngressDeclaration, IngressRoute, PluginDefinition } from '../plugin-api.ts'
import { TfdriftError, type Problem } from '../errors.ts'
import type { GraphNode } from '../dataflow/graph.ts'

/** Paths the server serves itself; no ingress route may take them. */
export const SERVER_PATHS: ReadonlySet<string> = new Set(['/ws', '/health', '/metrics', '/api/v1/stream', '/api/v1/publish'])

/** The node that registered a route. */
export interface IngressOwner {
  tenant: string
  pipeline: string
  node: string
  plugin: string
}

/** A registered route; without an owner it is an embedder's own route, serving every tenant. */
export interface IngressBinding {
  route: IngressRoute
  owner?: IngressOwner
}

const keyOf = (route: Pick<IngressRoute, 'method' | 'path'>) => `${route.method} ${route.path}`
const describe = (o: IngressOwner) => `node "${o.node}" (${o.plugin}) of pipeline "${o.pipeline}"`

/** The route that serves a caller of `tenant` among those on one method and path. */
export function routeFor(bindings: readonly IngressBinding[], tenant: string): IngressBinding | undefined {
  return bindings.find((b) => !b.owner || b.owner.tenant === tenant)
}

/** Every ingress route, keyed `METHOD path`; the server's registry and the headless runtime's. */
export class IngressTable implements Ingress {
  readonly routes = new Map<string, IngressBinding[]>()
  constructor(private readonly reserved: (path: string) => boolean = () => false) {}

  /** An embedder's route: it serves every tenant and its handler is told the caller's. Pipelines register through `ingressFor`. */
  register(route: IngressRoute): void { this.bind(route) }

  /** Adds a route for `owner`'s tenant (every tenant without an owner); throws TFD_ERR_INGRESS_CONFLICT when one is taken. */
  bind(route: IngressRoute, owner?: IngressOwner): void {
    if (!route.path.startsWith('/')) throw new Error(`Ingress path "${route.path}" must be absolute.`)
    if (this.reserved(route.path)) throw new TfdriftError('TFD_ERR_INGRESS_CONFLICT', `Ingress path "${route.path}" is reserved by the server.`)
    const key = keyOf(route)
    const bindings = this.routes.get(key) ?? []
    const taken = bindings.find((b) => !b.owner || !owner || b.owner.tenant === owner.tenant)
    if (taken) {
      const by = taken.owner ? ` by ${describe(taken.owner)} for tenant "${taken.owner.tenant}"` : ''
      throw new TfdriftError('TFD_ERR_INGRESS_CONFLICT', `Ingress route ${key} is already registered${by}${owner ? `; ${describe(owner)} cannot register it too` : ''}.`)
    }
    bindings.push({ route, owner })
    this.routes.set(key, bindings)
  }

  /** Removes this very route object, never another tenant's on the same path. */
  unregister(route: Pick<IngressRoute, 'method' | 'path'>): void {
    const key = keyOf(route)
    const left = (this.routes.get(key) ?? []).filter((b) => b.route !== route)
    if (left.length) this.routes.set(key, left)
    else this.routes.delete(key)
  }

  /** The routes on a method and path, whatever their tenant. */
  find(method: string, path: string): readonly IngressBinding[] | undefined {
    return this.routes.get(`${method} ${path}`)
  }

  /** The routes a caller of `tenant` can post to. */
  reachableBy(tenant: string): IngressBinding[] {
    return [...this.routes.values()].flatMap((bindings) => routeFor(bindings, tenant) ?? [])
  }
}

/** The `ctx.ingress` of one plugin instance: whatever it registers belongs to its pipeline's tenant. */
export function ingressFor(table: IngressTable, owner: IngressOwner): Ingress {
  return { register: (route) => table.bind(route, owner) }
}

/** A node as the ingress check sees it: checked options (defaults applied) and its pipeline's tenant. */
export interface DeclaringNode {
  tenant: string
  node: GraphNode
  definition: PluginDefinition
  options: Record<string, unknown>
}

/**
 * Every declared route that collides — with an earlier node's route of the same tenant on the same
 * method and path, or with a path the server serves — reported at the later node. Never throws.
 */
export function checkIngress(nodes: readonly DeclaringNode[]): Problem[] {
  const problems: Problem[] = []
  const seen = new Map<string, DeclaringNode>()
  for (const n of nodes) {
    let declared: IngressDeclaration[]
    try {
      declared = n.definition.ingress?.(n.options) ?? []
    } catch (error) {
      problems.push({ code: 'TFD_ERR_PLUGIN_INVALID', pointer: n.node.pointer, message: `Plugin "${n.definition.name}" failed to declare its ingress routes: ${(error as Error)?.message ?? String(error)}` })
      continue
    }
    for (const route of declared) {
      const key = keyOf(route)
      const where = `Node "${n.node.id}" (${n.definition.name}) of pipeline "${n.node.pipeline}" registers ${key}`
      if (SERVER_PATHS.has(route.path)) {
        problems.push({ code: 'TFD_ERR_INGRESS_CONFLICT', pointer: n.node.pointer, message: `${where}, a path the server serves itself.`, hint: 'Set another path in the node\'s options.' })
        continue
      }
      const first = seen.get(`${n.tenant}\u0000${key}`)
      if (!first) {
        seen.set(`${n.tenant}\u0000${key}`, n)
        continue
      }
      problems.push({
        code: 'TFD_ERR_INGRESS_CONFLICT', pointer: n.node.pointer,
        message: `${where} for tenant "${n.tenant}", which node "${first.node.id}" (${first.definition.name}) of pipeline "${first.node.pipeline}" already registers (${first.node.pointer}).`,
        hint: 'A tenant may register a method and path once: set another path in one node\'s options, or move one pipeline to another tenant.',
      })
    }
  }
  return problems
}
