/**
 * Resolves state `dependencies` to resource instances. Terraform records a dependency as a config
 * address (`module.env.module.svc.aws_security_group.app`, no keys), but the references it came
 * from were evaluated inside one instance of every module the dependent sits in: the steps of the
 * module path that the dependency shares with the dependent are the dependent's own instances, and
 * only the steps below them (a sibling or child module call, expanded by whatever expression) and
 * the resource's own count/for_each key match every instance. Linking every instance instead made
 * each for_each module instance depend on all its siblings (the demo: 48 edges per node, impact
 * across regions). Terraform's destroy ordering skips the same edges between instances of one module.
 */
import type { ResourceInstance } from '../model.ts'
import { formatModulePath, parseAddress, type ModuleStep, type ParsedAddress } from '../terraform/address.ts'

/** One state's instances, by every (bound module instance prefix, rest of the config address) that can name them. */
export class DependencyIndex {
  private readonly ids = new Map<string, string[]>()
  private readonly deps = new Map<string, ParsedAddress | null>()

  /** Indexes `r` as node `id`; returns its module steps (for `resolve`), undefined when its address does not parse. */
  add(r: ResourceInstance, id: string): ModuleStep[] | undefined {
    const p = parse(r.address)
    if (!p) return undefined
    const local = localName(p)
    for (let k = 0; k <= p.modules.length; k++) {
      const k1 = key(p.modules.slice(0, k), p.modules.slice(k), local)
      const list = this.ids.get(k1)
      if (list) list.push(id)
      else this.ids.set(k1, [id])
    }
    return p.modules
  }

  /** Node ids that `dep`, recorded on a resource in module instance `from`, refers to; [] when it names no resource. */
  resolve(dep: string, from: readonly ModuleStep[]): string[] {
    let p = this.deps.get(dep)
    if (p === undefined) this.deps.set(dep, (p = parse(dep)))
    // An instance key means an instance address (legacy), which the caller looks up as a node id.
    if (!p || p.index_key !== undefined) return []
    const local = localName(p)
    // 0.12-era `depends_on`, made absolute with the dependent's module path, spells its keys.
    if (p.modules.some((s) => s.key !== undefined)) return this.ids.get(key(p.modules, [], local)) ?? []
    let k = 0
    while (k < p.modules.length && k < from.length && from[k]!.name === p.modules[k]!.name) k++
    return this.ids.get(key(from.slice(0, k), p.modules.slice(k), local)) ?? []
  }
}

function parse(address: string): ParsedAddress | null {
  try {
    return parseAddress(address)
  } catch {
    return null
  }
}

function localName(p: ParsedAddress): string {
  return `${p.mode === 'data' ? 'data.' : ''}${p.type}.${p.name}`
}

function key(bound: readonly ModuleStep[], free: readonly ModuleStep[], local: string): string {
  return `${formatModulePath(bound) ?? ''}|${free.map((s) => `module.${s.name}.`).join('')}${local}`
}
