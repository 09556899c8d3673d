/**
 * Dependency order over the resource graph (engine/graph): a node's rank is its position in a
 * topological order where everything a resource depends on comes first, so sorting drifts by rank
 * puts creations and updates after what they need and — read backwards — deletions before it.
 * Nodes on a cycle (inferred references can loop: two security groups naming each other) are ranked
 * together, after everything outside the cycle they depend on, in address order.
 */
import type { ResourceGraph } from '../graph/index.ts'
import { forEachCandidate } from '../graph/index.ts'

/** Node id → rank (0 = depends on nothing); dependencies always rank lower, except within a cycle. */
export function dependencyRanks(graph: ResourceGraph): Map<string, number> {
  const rank = new Map<string, number>()
  for (const component of components(graph)) for (const id of component.sort()) rank.set(id, rank.size)
  return rank
}

/**
 * Strongly connected components (Tarjan, iterative) over "depends on" edges, dependencies' components
 * first: Tarjan emits a component only after every component it reaches.
 */
function components(graph: ResourceGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const out: string[][] = []
  const deps = (id: string) => [...new Set(graph.dependencies.get(id) ?? [])].sort()
  for (const root of graph.nodes.map((n) => n.id).sort()) {
    if (index.has(root)) continue
    const work: Array<{ id: string; next: string[]; i: number }> = []
    const open = (id: string) => {
      index.set(id, index.size); low.set(id, index.get(id)!)
      stack.push(id); onStack.add(id)
      work.push({ id, next: deps(id), i: 0 })
    }
    open(root)
    while (work.length) {
      const frame = work[work.length - 1]!
      if (frame.i < frame.next.length) {
        const to = frame.next[frame.i++]!
        if (!index.has(to)) open(to)
        else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!))
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = []
        let member: string
        do { member = stack.pop()!; onStack.delete(member); component.push(member) } while (member !== frame.id)
        out.push(component)
      }
    }
  }
  return out
}

/**
 * The graph nodes a live object's attributes name (by ARN, or by cloud id of one managed node): what an
 * unmanaged object needs to be imported after. Ambiguous ids name nothing.
 */
export function referencedNodes(graph: ResourceGraph, attributes: Record<string, unknown> | undefined): string[] {
  if (!attributes) return []
  const found = new Set<string>()
  forEachCandidate(attributes, (value) => {
    const byArn = graph.findByArn(value)
    if (byArn) { found.add(byArn.id); return }
    const byId = graph.findById(value).filter((n) => n.mode === 'managed')
    if (byId.length === 1) found.add(byId[0]!.id)
  })
  return [...found]
}
