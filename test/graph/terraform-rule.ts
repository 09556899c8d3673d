/**
 * The dependency rule written out plainly, as a test oracle independent of buildGraph's indexes:
 * a state dependency names a resource without module keys; the steps of its module path that the
 * dependent's path shares (same call names, from the root) are the dependent's own module instances,
 * and the steps below them, and the resource's own count/for_each key, match every instance.
 */
import type { ResourceInstance } from '../../engine/model.ts'

const STEP = /module\.([A-Za-z_][A-Za-z0-9_-]*)(\[(?:"(?:[^"\\]|\\.)*"|-?\d+)\])?/g

/** `[name, key]` per step of a module path (`key` as printed, `''` when the call has none). */
export function moduleSteps(module: string | undefined): Array<[string, string]> {
  return [...(module ?? '').matchAll(STEP)].map((m) => [m[1]!, m[2] ?? ''])
}

/** The config address Terraform records in `dependencies`: every key dropped. */
export function configAddressOf(r: ResourceInstance): string {
  const path = moduleSteps(r.module).map(([name]) => `module.${name}.`).join('')
  return `${path}${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`
}

/** True when `target` is an instance that `dependent`'s config-address dependency `dep` refers to. */
export function refersTo(dependent: ResourceInstance, dep: string, target: ResourceInstance): boolean {
  if (configAddressOf(target) !== dep) return false
  const from = moduleSteps(dependent.module)
  const to = moduleSteps(target.module)
  for (let i = 0; i < Math.min(from.length, to.length) && from[i]![0] === to[i]![0]; i++) {
    if (from[i]![1] !== to[i]![1]) return false
  }
  return true
}

/** Every `dependent → target` pair (addresses, `\n`-joined) the rule gives over one state's resources. */
export function expectedDependsOn(resources: ResourceInstance[]): Set<string> {
  const byConfig = new Map<string, ResourceInstance[]>()
  for (const r of resources) {
    if (r.deposed) continue
    const key = configAddressOf(r)
    byConfig.set(key, [...(byConfig.get(key) ?? []), r])
  }
  const out = new Set<string>()
  for (const x of resources) {
    if (x.deposed) continue
    for (const dep of x.dependencies ?? []) {
      for (const y of byConfig.get(dep) ?? []) if (y.address !== x.address && refersTo(x, dep, y)) out.add(`${x.address}\n${y.address}`)
    }
  }
  return out
}
