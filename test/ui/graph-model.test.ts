/** GraphModel (compact form): CSR adjacency rebuilt lazily, edges without EdgeData objects, slot reuse; far-zoom cluster edges. */
import { describe, expect, it } from 'vitest'
import { GraphModel, type ClusterCircle, type NodeData } from '../../ui/src/model/graph-model.ts'
import { aggregateClusterEdges, ClusterEdgeArrays, clusterEdgeWidth, CLUSTER_EDGE_PX } from '../../ui/src/scene/cluster-edges.ts'
import { withClusters } from '../../ui/src/scene/camera.ts'

const node = (id: string): NodeData => ({ id, label: id, type: 'aws_instance', provider: 'aws', group: [], severity: 'none', driftCount: 0 })
const edge = (id: string, source: string, target: string, kind = 'depends_on') => ({ id, source, target, kind })
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)

function chain(): GraphModel {
  // d → c → b → a (each depends on the next), plus x → a
  const m = new GraphModel()
  m.addNodes(['a', 'b', 'c', 'd', 'x'].map(node))
  m.addEdges([edge('bc', 'b', 'a'), edge('cb', 'c', 'b', 'reference'), edge('dc', 'd', 'c'), edge('xa', 'x', 'a', 'contains')])
  return m
}

describe('GraphModel adjacency and edges', () => {
  it('answers neighbours and impact from the lazily built adjacency', () => {
    const m = chain()
    const s = (id: string) => m.slotOf.get(id)!
    expect(m.neighbours(s('b'))).toEqual({ dependencies: [s('a')], dependents: [s('c')] })
    expect(sorted(m.neighbours(s('a')).dependents)).toEqual(sorted([s('b'), s('x')]))
    expect(sorted(m.impact(s('a')))).toEqual(sorted([s('b'), s('c'), s('d'), s('x')]))
    expect(m.impact(s('a'), 2)).toHaveLength(2)
    expect(m.impact(s('d'))).toEqual([])
  })

  it('sees edges added after a query and skips removed ones without a rebuild', () => {
    const m = chain()
    const s = (id: string) => m.slotOf.get(id)!
    expect(m.neighbours(s('d')).dependents).toEqual([])
    m.addNodes([node('e')])
    m.addEdges([edge('ed', 'e', 'd')])
    expect(m.neighbours(s('d')).dependents).toEqual([s('e')])
    expect(m.impact(s('c'))).toEqual([s('d'), s('e')])
    m.removeEdges(['dc'])
    expect(m.impact(s('c'))).toEqual([])
    expect(m.edgeSlotOf.has('dc')).toBe(false)
    expect(m.edgeCount).toBe(4)
  })

  it('removes a node with its edges and reuses the slots', () => {
    const m = chain()
    const b = m.slotOf.get('b')!
    m.neighbours(b) // build the adjacency first
    m.removeNodes(['b'])
    expect(m.edgeCount).toBe(2)
    expect(m.edgeSlotOf.has('bc')).toBe(false)
    expect(m.edgeSlotOf.has('cb')).toBe(false)
    expect(m.neighbours(m.slotOf.get('a')!).dependents).toEqual([m.slotOf.get('x')!])
    const [slot] = m.addNodes([node('n')])
    expect(slot).toBe(b)
    expect(m.neighbours(slot!)).toEqual({ dependencies: [], dependents: [] })
    m.addEdges([edge('na', 'n', 'a')])
    expect(m.neighbours(slot!).dependencies).toEqual([m.slotOf.get('a')!])
  })

  it('rebuilds an edge on request and keeps ids unique', () => {
    const m = chain()
    const slot = m.edgeSlotOf.get('cb')!
    expect(m.edge(slot)).toEqual({ id: 'cb', source: 'c', target: 'b', kind: 'reference' })
    expect(m.edgeKind[slot]).toBe(2)
    expect(m.addEdges([edge('cb', 'a', 'x'), edge('zz', 'a', 'nope')]).map((e) => e.id)).toEqual(['zz'])
    expect(m.edgeCount).toBe(4)
    m.removeEdges(['cb'])
    expect(m.edge(slot)).toBeUndefined()
    expect(sorted(m.edgesOf(m.slotOf.get('a')!, 'in'))).toEqual(sorted([m.edgeSlotOf.get('bc')!, m.edgeSlotOf.get('xa')!]))
  })
})

describe('far-zoom cluster edges', () => {
  const circle = (key: string, x: number, y: number, r: number): ClusterCircle =>
    ({ key, label: key.split('/').pop()!, depth: key.split('/').length, x, y, r, count: 0, worst: 0, drifted: 0 })

  function estate(): GraphModel {
    // Two accounts (A, B), each with two VPCs; nodes in VPCs and one directly in account A.
    const m = new GraphModel()
    m.addNodes(['a1', 'a2', 'a3', 'b1', 'b2', 'top'].map(node), { x: [0, 10, 10, 100, 110, 5], y: [0, 0, 0, 0, 0, 20] })
    m.clusters = [circle('A', 5, 5, 30), circle('B', 105, 5, 30), circle('A/v1', 0, 0, 4), circle('A/v2', 10, 0, 4), circle('B/v3', 100, 0, 4), circle('B/v4', 110, 0, 4)]
    const leaf = { a1: 2, a2: 3, a3: 3, b1: 4, b2: 5, top: 0 } as Record<string, number>
    for (const [id, c] of Object.entries(leaf)) m.clusterOf[m.slotOf.get(id)!] = c
    m.addEdges([
      edge('1', 'a1', 'a2'), // v1–v2 inside A
      edge('2', 'a2', 'b1'), // A–B, v2–v3
      edge('3', 'a3', 'b1'), // A–B, v2–v3
      edge('4', 'a1', 'b2'), // A–B, v1–v4
      edge('5', 'top', 'a1'), // inside A at both depths
      edge('6', 'top', 'b2'), // A–B; at depth 2 A (shallower leaf) – v4
      edge('7', 'a2', 'a3'), // same leaf
    ])
    return m
  }

  it('aggregates per depth, one line per pair, skipping pairs inside one bubble', () => {
    const lines = aggregateClusterEdges(estate())
    const key = (l: { a: number; b: number; depth: number; count: number }) => `${l.depth}:${l.a}-${l.b}×${l.count}`
    expect(lines.map(key).sort()).toEqual(['1:0-1×4', '2:0-5×1', '2:2-3×1', '2:2-5×1', '2:3-4×2'].sort())
  })

  it('fills one quad per line, cut at the rims, width by count', () => {
    const arrays = new ClusterEdgeArrays()
    arrays.fill(estate())
    expect(arrays.count).toBe(5)
    const lines = aggregateClusterEdges(estate())
    const q = lines.findIndex((l) => l.depth === 1)
    expect(Array.from(arrays.line.subarray(q * 16, q * 16 + 4))).toEqual([35, 5, 75, 5])
    expect(arrays.info[q * 16 + 1]).toBe(1)
    expect(arrays.info[q * 16 + 2]).toBeCloseTo(clusterEdgeWidth(4))
    expect(Array.from(arrays.index.subarray(q * 6, q * 6 + 6))).toEqual([q * 4, q * 4 + 1, q * 4 + 2, q * 4 + 1, q * 4 + 3, q * 4 + 2])
    expect(clusterEdgeWidth(1)).toBe(CLUSTER_EDGE_PX.min)
    expect(clusterEdgeWidth(1e9)).toBe(CLUSTER_EDGE_PX.max)
  })

  it('has nothing to draw without clusters or edges', () => {
    const m = new GraphModel()
    m.addNodes([node('a')])
    const arrays = new ClusterEdgeArrays()
    arrays.fill(m)
    expect(arrays.count).toBe(0)
  })

  it('fits the camera to the bubbles, not only the nodes', () => {
    const b = withClusters({ minX: 0, minY: 0, maxX: 10, maxY: 10 }, [circle('A', 5, 5, 10)])
    expect(b.minX).toBeCloseTo(-5.2)
    expect(b.maxY).toBeCloseTo(15.2)
    expect(withClusters({ minX: 0, minY: 0, maxX: 1, maxY: 1 }, [])).toEqual({ minX: 0, minY: 0, maxX: 1, maxY: 1 })
  })
})
