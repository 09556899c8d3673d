/**
 * diffGraphs (by node id and edge id, changed data counts as added again), splitDelta (parts of at most
 * N items in a drawable order) and the drift-mark helpers the live graph publishes from.
 */
import { describe, expect, it } from 'vitest'
import { buildGraph, type GraphEdge, type GraphNode } from '../../engine/graph/index.ts'
import { diffGraphs, isEmptyDiff } from '../../engine/graph/diff.ts'
import { emptyDelta, splitDelta, deltaSize } from '../../engine/graph/delta.ts'
import { changedMarks, marksOf, markNode } from '../../engine/graph/drift-marks.ts'
import type { Drift, ResourceInstance, Snapshot } from '../../engine/model.ts'

const node = (id: string, extra: Partial<GraphNode> = {}): GraphNode => ({ id, label: id, address: id, type: 'aws_x', name: id, provider: 'aws', mode: 'managed', source: 's', ...extra })
const edge = (source: string, target: string, extra: Partial<GraphEdge> = {}): GraphEdge => ({ id: `${source}->${target}`, source, target, kind: 'depends_on', ...extra })
const res = (address: string, deps: string[] = [], attributes: Record<string, unknown> = {}): ResourceInstance =>
  ({ address, mode: 'managed', type: address.split('.')[0]!, name: address.split('.')[1]!, provider: 'aws', attributes: { id: `id-${address}`, ...attributes }, resource_id: `id-${address}`, dependencies: deps })
const snap = (resources: ResourceInstance[]): Snapshot => ({ kind: 'expected', source: 'main.tfstate', taken_at: '2026-11-22T10:00:00.000Z', resources })

describe('diffGraphs', () => {
  it('reports exactly the nodes and edges added and removed, by id', () => {
    const prev = { nodes: [node('a'), node('b'), node('c')], edges: [edge('b', 'a'), edge('c', 'a')] }
    const next = { nodes: [node('a'), node('b'), node('d')], edges: [edge('b', 'a'), edge('d', 'b')] }
    expect(diffGraphs(prev, next)).toEqual({ nodes_added: [node('d')], nodes_removed: ['c'], edges_added: [edge('d', 'b')], edges_removed: ['c->a'] })
  })

  it('reports a node or edge whose data changed under the same id as added again (clients replace by id)', () => {
    const prev = { nodes: [node('a'), node('b')], edges: [edge('b', 'a', { kind: 'reference', via: ['vpc_id'] })] }
    const next = { nodes: [node('a', { status: 'tainted' }), node('b')], edges: [edge('b', 'a', { kind: 'reference', via: ['vpc_id', 'subnet_id'] })] }
    const diff = diffGraphs(prev, next)
    expect(diff.nodes_added).toEqual([node('a', { status: 'tainted' })])
    expect(diff.edges_added.map((e) => e.via)).toEqual([['vpc_id', 'subnet_id']])
    expect(diff.nodes_removed).toEqual([])
    expect(diff.edges_removed).toEqual([])
  })

  it('is empty for equal graphs built twice, and everything is added from nothing', () => {
    const resources = [res('aws_vpc.main'), res('aws_subnet.a', ['aws_vpc.main']), res('aws_instance.web', [], { subnet_id: 'id-aws_subnet.a' })]
    const a = buildGraph([snap(resources)])
    const b = buildGraph([snap(resources)])
    expect(a).not.toBe(b)
    expect(isEmptyDiff(diffGraphs(a, b))).toBe(true)
    const all = diffGraphs(undefined, a)
    expect(all.nodes_added.map((n) => n.id).sort()).toEqual(['aws_instance.web', 'aws_subnet.a', 'aws_vpc.main'])
    expect(all.edges_added.map((e) => e.id).sort()).toEqual(['aws_instance.web->aws_subnet.a', 'aws_subnet.a->aws_vpc.main'])
  })

  it('applying the diff to the previous graph gives the next one', () => {
    const prev = buildGraph([snap([res('aws_vpc.main'), res('aws_subnet.a', ['aws_vpc.main']), res('aws_subnet.b', ['aws_vpc.main'])])])
    const next = buildGraph([snap([res('aws_vpc.main'), res('aws_subnet.b', ['aws_vpc.main']), res('aws_instance.web', ['aws_subnet.b'])])])
    const diff = diffGraphs(prev, next)
    const nodes = new Map(prev.nodes.map((n) => [n.id, n]))
    const edges = new Map(prev.edges.map((e) => [e.id, e]))
    for (const id of diff.edges_removed) edges.delete(id)
    for (const id of diff.nodes_removed) nodes.delete(id)
    for (const n of diff.nodes_added) nodes.set(n.id, n)
    for (const e of diff.edges_added) edges.set(e.id, e)
    expect([...nodes.values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual([...next.nodes].sort((x, y) => x.id.localeCompare(y.id)))
    expect([...edges.keys()].sort()).toEqual(next.edges.map((e) => e.id).sort())
  })
})

describe('splitDelta', () => {
  it('keeps a small delta whole and gives nothing for an empty one', () => {
    const d = { ...emptyDelta(), nodes_removed: ['a'] }
    expect(splitDelta(d, 10)).toEqual([d])
    expect(splitDelta(emptyDelta(), 10)).toEqual([])
  })

  it('splits a large delta into parts of at most N items, edges removed first and added last, losing nothing', () => {
    const d = {
      nodes_added: Array.from({ length: 7 }, (_, i) => node(`n${i}`)),
      nodes_removed: ['r1', 'r2'],
      edges_added: Array.from({ length: 4 }, (_, i) => edge(`n${i}`, `n${i + 1}`)),
      edges_removed: ['r1->r2', 'r2->x', 'x->r1'],
      nodes_changed: [{ id: 'x', drift_severity: 'high' as const, drift_count: 2 }],
    }
    const parts = splitDelta(d, 5)
    expect(parts.map(deltaSize)).toEqual([5, 5, 5, 2])
    expect(parts[0]!.edges_removed).toEqual(d.edges_removed)
    expect(parts[0]!.nodes_removed).toEqual(d.nodes_removed)
    expect(parts.flatMap((p) => p.nodes_added)).toEqual(d.nodes_added)
    expect(parts.flatMap((p) => p.edges_added)).toEqual(d.edges_added)
    expect(parts.flatMap((p) => p.nodes_changed)).toEqual(d.nodes_changed)
    // Every edge comes in a part after (or with) the last added node.
    const lastNodePart = parts.findLastIndex((p) => p.nodes_added.length > 0)
    expect(parts.findIndex((p) => p.edges_added.length > 0)).toBeGreaterThanOrEqual(lastNodePart)
  })
})

describe('drift marks', () => {
  const drift = (id: string, address: string | undefined, severity: Drift['severity']): Drift =>
    ({ id, kind: 'modified', type: 'aws_x', provider: 'aws', severity, detected_at: '2026-11-22T10:00:00.000Z', status: 'open', ...(address ? { address } : {}) })

  it('marks each address with its worst open severity and count', () => {
    const marks = marksOf([drift('1', 'a', 'low'), drift('2', 'a', 'critical'), drift('3', 'b', 'info'), drift('4', undefined, 'high')])
    expect(Object.fromEntries(marks)).toEqual({ a: { severity: 'critical', count: 2 }, b: { severity: 'info', count: 1 } })
    expect(markNode(node('a'), marks)).toMatchObject({ id: 'a', drift_severity: 'critical', drift_count: 2 })
    expect(markNode(node('z'), marks)).toEqual(node('z'))
  })

  it('finds addresses whose mark appeared, went, or changed severity or count', () => {
    const prev = marksOf([drift('1', 'a', 'low'), drift('2', 'b', 'high'), drift('3', 'c', 'info'), drift('4', 'e', 'low')])
    const next = marksOf([drift('1', 'a', 'low'), drift('2', 'b', 'critical'), drift('5', 'd', 'info'), drift('4', 'e', 'low'), drift('6', 'e', 'low')])
    expect(changedMarks(prev, next).sort()).toEqual(['b', 'c', 'd', 'e'])
    expect(changedMarks(next, next)).toEqual([])
  })
})
