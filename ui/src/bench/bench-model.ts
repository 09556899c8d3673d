/**
 * The ui-bench graph as a GraphModel, the way the dashboard would hold it: nodes at the graph's own
 * positions (as sigma draws them), groups from the containment edges (account / VPC / subnet), and one
 * cluster circle per container — the bounding circle of its members, in two linear passes.
 */
import { GraphModel, SEVERITIES, type ClusterCircle, type NodeData, type Severity } from '../model/graph-model.ts'
import type { BenchGraph } from './gen-graph.js'

export function benchModel(graph: BenchGraph): GraphModel {
  const { nodes, edges } = graph
  const index = new Map<string, number>()
  nodes.forEach((n, i) => index.set(n.id, i))
  const parent = new Int32Array(nodes.length).fill(-1)
  const isContainer = new Uint8Array(nodes.length)
  for (const e of edges) {
    if (e.kind !== 'contains') continue
    const p = index.get(e.source), c = index.get(e.target)
    if (p === undefined || c === undefined) continue
    parent[c] = p
    isContainer[p] = 1
  }

  // Cluster per container, keyed by the labels of its container chain; the group arrays are shared.
  const clusterOfNode = new Int32Array(nodes.length).fill(-1)
  const clusters: ClusterCircle[] = []
  const chain: number[][] = [] // container node indices, outermost first, per cluster
  const groups: string[][] = []
  const clusterFor = (ci: number): number => {
    if (clusterOfNode[ci]! >= 0) return clusterOfNode[ci]!
    const up = parent[ci]! >= 0 ? clusterFor(parent[ci]!) : -1
    const label = nodes[ci]!.label.split('.').pop()!
    const group = up >= 0 ? [...groups[up]!, label] : [label]
    const k = clusters.length
    clusters.push({ key: group.join('/'), label, depth: group.length, x: 0, y: 0, r: 0, count: 0, worst: 0, drifted: 0 })
    chain.push(up >= 0 ? [...chain[up]!, k] : [k])
    groups.push(group)
    clusterOfNode[ci] = k
    return k
  }
  const leafOf = new Int32Array(nodes.length).fill(-1)
  for (let i = 0; i < nodes.length; i++) {
    if (isContainer[i]) leafOf[i] = clusterFor(i)
    else if (parent[i]! >= 0) leafOf[i] = clusterFor(parent[i]!)
  }

  // Pass 1: member boxes, counts and drift; pass 2: radius around the box centre.
  const box = new Float64Array(clusters.length * 4)
  for (let k = 0; k < clusters.length; k++) box.set([Infinity, Infinity, -Infinity, -Infinity], k * 4)
  const sevRank = nodes.map((n) => Math.max(0, SEVERITIES.indexOf(n.severity as Severity)))
  nodes.forEach((n, i) => {
    const leaf = leafOf[i]!
    if (leaf < 0) return
    for (const k of chain[leaf]!) {
      const o = k * 4
      if (n.x < box[o]!) box[o] = n.x
      if (n.y < box[o + 1]!) box[o + 1] = n.y
      if (n.x > box[o + 2]!) box[o + 2] = n.x
      if (n.y > box[o + 3]!) box[o + 3] = n.y
      const c = clusters[k]!
      c.count++
      if (sevRank[i]! > 0) { c.drifted++; if (sevRank[i]! > c.worst) c.worst = sevRank[i]! }
    }
  })
  clusters.forEach((c, k) => { c.x = (box[k * 4]! + box[k * 4 + 2]!) / 2; c.y = (box[k * 4 + 1]! + box[k * 4 + 3]!) / 2 })
  nodes.forEach((n, i) => {
    const leaf = leafOf[i]!
    if (leaf < 0) return
    for (const k of chain[leaf]!) {
      const c = clusters[k]!
      const d = Math.hypot(n.x - c.x, n.y - c.y) + 1
      if (d > c.r) c.r = d
    }
  })

  // JSON.parse gives every occurrence of a repeated string its own copy; share them (and the ids the
  // edges name), as a loader holding the estate for hours would.
  const strings = new Map<string, string>()
  const intern = (s: string) => { let v = strings.get(s); if (v === undefined) strings.set(s, (v = s)); return v }
  const model = new GraphModel()
  const data: NodeData[] = nodes.map((n, i) => ({
    id: n.id,
    label: n.label,
    type: intern(n.type),
    provider: intern(n.provider),
    kind: intern(n.kind),
    module: intern(n.module),
    group: leafOf[i]! >= 0 ? groups[leafOf[i]!]! : [],
    severity: (n.severity as Severity) ?? 'none',
    driftCount: sevRank[i]! > 0 ? 1 : 0,
  }))
  const xs = new Float32Array(nodes.length), ys = new Float32Array(nodes.length)
  nodes.forEach((n, i) => { xs[i] = n.x; ys[i] = n.y })
  const slots = model.addNodes(data, { x: xs, y: ys })
  // Outermost first, as the model documents; clusterOf follows the new order.
  const order = clusters.map((_, k) => k).sort((a, b) => clusters[a]!.depth - clusters[b]!.depth)
  const newIndex = new Int32Array(clusters.length)
  order.forEach((k, i) => { newIndex[k] = i })
  model.clusters = order.map((k) => clusters[k]!)
  slots.forEach((slot, i) => { if (leafOf[i]! >= 0) model.clusterOf[slot] = newIndex[leafOf[i]!]! })
  model.addEdges(edges.map((e) => ({
    id: e.id,
    source: nodes[index.get(e.source)!]?.id ?? e.source,
    target: nodes[index.get(e.target)!]?.id ?? e.target,
    kind: intern(e.kind),
  })))
  model.touch('position')
  return model
}
