import { describe, expect, it } from 'vitest'
import { HierarchyLayout, layoutAll, type LayoutInput } from '../../ui/src/layout/hierarchy-layout.ts'
import { createLayout, refreshClusterStats } from '../../ui/src/layout/index.ts'
import { GraphModel, SEVERITIES, type NodeData } from '../../ui/src/model/graph-model.ts'
import type { ClusterCircle } from '../../ui/src/model/types.ts'

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An estate shaped like a real one: accounts × regions × modules × types, uneven group sizes. */
function estate(count: number, seed = 1, prefix = 'n'): LayoutInput[] {
  const random = rng(seed)
  // The same groups whatever the seed, so a second batch lands in the first one's groups.
  const shape = rng(42)
  const paths: string[][] = []
  for (const provider of ['aws', 'google']) {
    for (let a = 0; a < 3; a++) for (let r = 0; r < 3; r++) for (let m = 0; m < 8; m++) {
      const types = 2 + Math.floor(shape() * 8)
      for (let t = 0; t < types; t++) paths.push([provider, `acct-${a}`, `region-${r}`, `module.m${m}`, `${provider}_type_${t}`])
    }
  }
  // Squared draw: a few big groups, many small ones.
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, group: paths[Math.floor(random() ** 2 * paths.length)]! }))
}

function positions(layout: HierarchyLayout, ids: string[]): Map<string, { x: number; y: number }> {
  return new Map(ids.map((id) => [id, layout.position(id)!]))
}

function isAncestor(a: ClusterCircle, b: ClusterCircle): boolean {
  return b.key.startsWith(`${a.key}/`)
}

describe('hierarchy layout', () => {
  it('is deterministic, and independent of the order of nodes within a batch', () => {
    const nodes = estate(5000)
    const a = layoutAll(nodes)
    const b = layoutAll(nodes)
    expect(Array.from(a.x)).toEqual(Array.from(b.x))
    expect(Array.from(a.y)).toEqual(Array.from(b.y))
    expect(a.clusters).toEqual(b.clusters)

    const shuffled = [...nodes].reverse()
    const c = layoutAll(shuffled)
    const at = new Map(shuffled.map((n, i) => [n.id, [c.x[i], c.y[i]]]))
    nodes.forEach((n, i) => expect(at.get(n.id)).toEqual([a.x[i], a.y[i]]))
  })

  it('keeps every leaf cluster disjoint from the others and every member inside its clusters', () => {
    const nodes = estate(20_000, 2)
    const { x, y, cluster, clusters, parents } = layoutAll(nodes)
    // Counted, not asserted one by one: 100k containment and 400k pair checks.
    let outside = 0
    for (let i = 0; i < nodes.length; i++) {
      for (let c = cluster[i]!; c >= 0; c = parents[c]!) {
        const k = clusters[c]!
        if (Math.hypot(x[i]! - k.x, y[i]! - k.y) > k.r + 1e-6) outside++
      }
    }
    expect(outside).toBe(0)
    // Any two clusters where neither holds the other are disjoint.
    let pairs = 0, overlapping = 0
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i]!, b = clusters[j]!
        if (isAncestor(a, b) || isAncestor(b, a)) continue
        pairs++
        if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r - 1e-6) overlapping++
      }
    }
    expect(overlapping).toBe(0)
    expect(pairs).toBeGreaterThan(1000)
    expect(clusters.reduce((n, c) => n + (c.depth === 1 ? c.count : 0), 0)).toBe(nodes.length)
  })

  it('adds 1,000 nodes to 20,000 without moving any, each inside its group circle', () => {
    const layout = new HierarchyLayout()
    const base = estate(20_000, 3)
    layout.add(base)
    const before = positions(layout, base.map((n) => n.id))
    const added = estate(1000, 4, 'new')
    const delta = layout.add(added)
    expect(delta.moved).toEqual([])
    for (const [id, p] of before) expect(layout.position(id)).toEqual(p)

    const clusters = layout.clusters()
    added.forEach((node, i) => {
      const c = clusters[delta.cluster[i]!]!
      expect(c.key).toBe(node.group.join('/'))
      expect(Math.hypot(delta.x[i]! - c.x, delta.y[i]! - c.y)).toBeLessThanOrEqual(c.r)
    })
  })

  it('shifts groups rigidly when one outgrows its reserve, and reports what moved', () => {
    const layout = new HierarchyLayout()
    const base = estate(20_000, 5)
    layout.add(base)
    const before = positions(layout, base.map((n) => n.id))
    const groupOf = new Map(base.map((n) => [n.id, n.group.join('/')]))
    // Triple one group and add a new module beside it.
    const target = base[0]!.group
    const burst: LayoutInput[] = Array.from({ length: 3000 }, (_, i) => ({ id: `burst${i}`, group: target }))
    burst.push(...Array.from({ length: 200 }, (_, i) => ({ id: `mod${i}`, group: [...target.slice(0, 3), 'module.zz', 'aws_type_0'] })))
    const delta = layout.add(burst)
    expect(delta.moved.length).toBeGreaterThan(0)

    const movedAt = new Map(delta.moved.map((id, i) => [id, { x: delta.movedX[i]!, y: delta.movedY[i]! }]))
    const shiftOf = new Map<string, { dx: number; dy: number }>()
    let misreported = 0, unreported = 0, notRigid = 0
    for (const [id, p] of before) {
      const now = layout.position(id)!
      const reported = movedAt.get(id)
      if (reported && (reported.x !== now.x || reported.y !== now.y)) misreported++
      if (!reported && (now.x !== p.x || now.y !== p.y)) unreported++
      // Every member of a leaf group moved by the same vector.
      const shift = { dx: now.x - p.x, dy: now.y - p.y }
      const seen = shiftOf.get(groupOf.get(id)!)
      if (!seen) shiftOf.set(groupOf.get(id)!, shift)
      else if (Math.abs(shift.dx - seen.dx) > 1e-6 || Math.abs(shift.dy - seen.dy) > 1e-6) notRigid++
    }
    expect({ misreported, unreported, notRigid }).toEqual({ misreported: 0, unreported: 0, notRigid: 0 })
    // Groups that moved moved as a whole; the rest did not move at all.
    const still = [...shiftOf.values()].filter((s) => s.dx === 0 && s.dy === 0).length
    expect(still).toBeGreaterThan(0)
    // Still no overlaps between leaf groups.
    const leaves = layout.clusters().filter((c) => c.depth === 5 && c.count > 0)
    let overlapping = 0
    for (let i = 0; i < leaves.length; i++) for (let j = i + 1; j < leaves.length; j++) {
      const a = leaves[i]!, b = leaves[j]!
      if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r - 1e-6) overlapping++
    }
    expect(overlapping).toBe(0)
  })

  it('reuses a removed slot, nearest the neighbour when given one', () => {
    const layout = new HierarchyLayout()
    const group = ['aws', 'a', 'r', 'root', 'aws_instance']
    const nodes = Array.from({ length: 200 }, (_, i) => ({ id: `i${String(i).padStart(3, '0')}`, group }))
    layout.add(nodes)
    const freed = ['i010', 'i100', 'i190'].map((id) => ({ id, at: layout.position(id)! }))
    layout.remove(freed.map((f) => f.id))
    // The neighbour: the member nearest the hole i100 left (spiral neighbours are not index neighbours).
    const hole = freed[1]!.at
    const distance = (p: { x: number; y: number }, q: { x: number; y: number }): number => Math.hypot(p.x - q.x, p.y - q.y)
    const near = nodes.map((n) => n.id).filter((id) => layout.position(id))
      .reduce((a, b) => (distance(layout.position(a)!, hole) <= distance(layout.position(b)!, hole) ? a : b))
    const neighbour = layout.position(near)!
    const nearest = freed.reduce((a, b) => (distance(a.at, neighbour) <= distance(b.at, neighbour) ? a : b))
    expect(nearest.id).toBe('i100')
    layout.add([{ id: 'new', group, near }])
    expect(layout.position('new')).toEqual(nearest.at)
    // Without a hint the lowest free slot goes first.
    layout.add([{ id: 'plain', group }])
    expect(layout.position('plain')).toEqual(freed[0]!.at)
    expect(layout.clusters().at(-1)!.count).toBe(199)
  })

  it('puts nodes without a group into a root group', () => {
    const { clusters, cluster } = layoutAll([{ id: 'a', group: [] }, { id: 'b', group: ['x'] }])
    expect(clusters[cluster[0]!]!.key).toBe('(ungrouped)')
    expect(clusters[cluster[1]!]!.key).toBe('x')
  })

  it('lays out 100,000 nodes (timing printed, not asserted)', () => {
    const nodes = estate(100_000, 7)
    layoutAll(estate(5000, 8)) // warm the JIT
    const start = performance.now()
    const { clusters } = layoutAll(nodes)
    const ms = performance.now() - start
    const layout = new HierarchyLayout()
    layout.add(nodes)
    const live = estate(100, 9, 'live')
    const t0 = performance.now()
    layout.add(live)
    const addMs = performance.now() - t0
    // Many small groups: 100k nodes in 20k leaf groups of 5.
    const fine = Array.from({ length: 100_000 }, (_, i) => {
      const j = Math.floor(i / 5)
      return { id: `f${i}`, group: ['aws', `a${j % 7}`, `r${j % 5}`, `module.m${j % 97}`, `t${j % 29}`] }
    })
    const t1 = performance.now()
    const fineClusters = layoutAll(fine).clusters.length
    const fineMs = performance.now() - t1
    console.log(`layoutAll(100k nodes, ${clusters.length} clusters): ${ms.toFixed(0)} ms; add(100) to it: ${addMs.toFixed(1)} ms; ` +
      `layoutAll(100k nodes, ${fineClusters} clusters): ${fineMs.toFixed(0)} ms`)
    expect(clusters.length).toBeGreaterThan(0)
  })
})

function node(id: string, group: string[], severity: NodeData['severity'] = 'none'): NodeData {
  return { id, label: id, type: group.at(-1) ?? 't', provider: 'aws', group, severity, driftCount: severity === 'none' ? 0 : 1 }
}

describe('layout client (in-thread)', () => {
  it('places new nodes, keeps placed ones, forgets removed ones and fills cluster stats', async () => {
    const model = new GraphModel()
    const layout = createLayout({ worker: false })
    const g1 = ['aws', 'acct', 'eu-west-1', 'root', 'aws_instance']
    const g2 = ['aws', 'acct', 'eu-west-1', 'root', 'aws_s3_bucket']
    model.addNodes(Array.from({ length: 50 }, (_, i) => node(`a${i}`, g1)))
    model.addNodes(Array.from({ length: 30 }, (_, i) => node(`b${i}`, g2, i === 0 ? 'high' : 'none')))
    let positionTouches = 0
    model.subscribe((what) => { if (what === 'position') positionTouches++ })
    await layout.update(model)
    expect(positionTouches).toBe(1)
    for (let s = 0; s < model.nodeSlots; s++) {
      expect(Number.isNaN(model.x[s]!)).toBe(false)
      expect(model.clusters[model.clusterOf[s]!]!.key).toBe(model.data[s]!.group.join('/'))
    }
    const top = model.clusters.find((c) => c.key === 'aws')!
    expect(top).toMatchObject({ count: 80, worst: 4, drifted: 1 })

    const bx = model.x[model.slotOf.get('b5')!]
    model.removeNodes(['a3'])
    model.addNodes([node('a-new', g1), node('c0', ['aws', 'acct', 'eu-west-1', 'root', 'aws_iam_role'])])
    // The freed slot is reused by the model; the layout must not confuse the newcomer with `a3`.
    await layout.update(model)
    expect(model.x[model.slotOf.get('b5')!]).toBe(bx)
    expect(Number.isNaN(model.x[model.slotOf.get('c0')!]!)).toBe(false)
    expect(model.clusters.find((c) => c.key === 'aws')!.count).toBe(81)

    model.setSeverity('a0', 'critical', 2)
    refreshClusterStats(model)
    expect(model.clusters.find((c) => c.key === 'aws')).toMatchObject({ worst: 5, drifted: 2 })

    await layout.relayout(model)
    expect(model.clusters.find((c) => c.key === 'aws')!.count).toBe(81)
    layout.dispose()
  })

  it('updates cluster stats from the changed slots alone, as a full recount would', async () => {
    const model = new GraphModel()
    const layout = createLayout({ worker: false })
    const groups = [['aws', 'a1', 'r1'], ['aws', 'a1', 'r2'], ['aws', 'a2', 'r1'], ['gcp', 'p1', 'z1']]
    model.addNodes(Array.from({ length: 400 }, (_, i) => node(`n${i}`, groups[i % groups.length]!, i % 37 === 0 ? 'medium' : 'none')))
    await layout.update(model)
    refreshClusterStats(model)
    const stats = () => model.clusters.map((c) => ({ key: c.key, count: c.count, worst: c.worst, drifted: c.drifted }))
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000)
    for (let batch = 0; batch < 20; batch++) {
      const slots: number[] = []
      for (let k = 0; k < 15; k++) {
        const rank = Math.floor(random() * SEVERITIES.length)
        const slot = model.setSeverity(`n${Math.floor(random() * 400)}`, SEVERITIES[rank]!, rank ? 1 : 0)
        if (slot >= 0) slots.push(slot)
      }
      refreshClusterStats(model, slots)
      const incremental = stats()
      refreshClusterStats(model)
      expect(incremental).toEqual(stats())
    }
    // Everything resolved: every cluster falls back to clean.
    const all = Array.from({ length: 400 }, (_, i) => model.setSeverity(`n${i}`, 'none', 0)).filter((s) => s >= 0)
    refreshClusterStats(model, all)
    expect(model.clusters.every((c) => c.worst === 0 && c.drifted === 0)).toBe(true)
    layout.dispose()
  })

  it('moves a node whose group changed', async () => {
    const model = new GraphModel()
    const layout = createLayout({ worker: false })
    model.addNodes([node('a', ['x', 'one']), node('b', ['x', 'two'])])
    await layout.update(model)
    model.addNodes([node('a', ['x', 'two'])])
    await layout.update(model)
    const slot = model.slotOf.get('a')!
    expect(model.clusters[model.clusterOf[slot]!]!.key).toBe('x/two')
    expect(model.clusters.find((c) => c.key === 'x/one')!.count).toBe(0)
    layout.dispose()
  })
})
