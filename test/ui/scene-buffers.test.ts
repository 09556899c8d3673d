/** Scene geometry (pure): per-slot data textures and quad indices from a small model, style diffs by range, edges, bubbles, icon families. */
import { describe, expect, it } from 'vitest'
import { GraphModel, NodeFlag, type NodeData } from '../../ui/src/model/graph-model.ts'
import { BubbleArrays, BUBBLE_MIN_PX } from '../../ui/src/scene/bubbles.ts'
import { FAMILIES, familyOf } from '../../ui/src/scene/families.ts'
import { collapsedClusters, DATA_TEXTURE_WIDTH, EdgeArrays, NodeArrays, StyleBit, texelRuns, textureRows, writeAllQuads, writeQuad } from '../../ui/src/scene/node-buffers.ts'
import { PALETTES } from '../../ui/src/scene/palette.ts'

const node = (id: string, type: string, severity: NodeData['severity'] = 'none'): NodeData =>
  ({ id, label: id, type, provider: 'aws', group: ['acct', 'vpc'], severity, driftCount: severity === 'none' ? 0 : 1 })

function model(): GraphModel {
  const m = new GraphModel()
  m.addNodes([node('a', 'aws_instance'), node('b', 'aws_s3_bucket', 'high'), node('c', 'aws_iam_role')], { x: [0, 10, 20], y: [0, 5, 10] })
  m.addEdges([{ id: 'e1', source: 'a', target: 'b', kind: 'reference' }, { id: 'e2', source: 'b', target: 'c', kind: 'depends_on' }])
  m.clusters = [
    { key: 'acct', label: 'acct', depth: 1, x: 10, y: 5, r: 30, count: 3, worst: 4, drifted: 1 },
    { key: 'acct/vpc', label: 'vpc', depth: 2, x: 10, y: 5, r: 15, count: 3, worst: 4, drifted: 1 },
  ]
  for (let s = 0; s < 3; s++) m.clusterOf[s] = 1
  return m
}

const bitsOf = (n: NodeArrays, slot: number) => n.bits(slot)
const rgbOf = (n: NodeArrays, slot: number) => (n.style[slot * 4]! << 16) | (n.style[slot * 4 + 1]! << 8) | n.style[slot * 4 + 2]!

describe('scene node buffers', () => {
  it('packs one texel per node: position, then fill colour and family | style bits', () => {
    const m = model()
    const n = new NodeArrays()
    n.fillPositions(m)
    expect(n.capacity % DATA_TEXTURE_WIDTH).toBe(0)
    expect(n.rows).toBe(textureRows(3))
    expect([...n.position.subarray(2, 4)]).toEqual([10, 5])
    const range = n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    expect(range).toEqual({ from: 0, to: 3 })
    expect(n.style[1 * 4 + 3]! & 7).toBe(FAMILIES.indexOf('storage'))
    expect(rgbOf(n, 1)).toBe(PALETTES.dark.severity[4])
    expect(rgbOf(n, 0)).toBe(PALETTES.dark.severity[0])
    expect(bitsOf(n, 1) & StyleBit.Drifted).toBeTruthy()
  })

  it('re-packs only the slots whose style changed and reports that range', () => {
    const m = model()
    const n = new NodeArrays()
    n.fillPositions(m)
    n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    expect(n.fillStyle(m, PALETTES.dark, collapsedClusters(m))).toBeUndefined()
    m.setSeverity('c', 'critical', 2)
    expect(n.fillStyle(m, PALETTES.dark, collapsedClusters(m))).toEqual({ from: 2, to: 3 })
    expect(n.visibilityChanged).toBe(false)
    m.setFlag(NodeFlag.Selected, true, [0])
    expect(n.fillStyle(m, PALETTES.dark, collapsedClusters(m))).toEqual({ from: 0, to: 1 })
    expect(n.visibilityChanged).toBe(true)
    expect(bitsOf(n, 0) & StyleBit.Selected).toBeTruthy()
    // A theme change re-packs everything.
    expect(n.fillStyle(m, PALETTES.light, collapsedClusters(m), true)).toEqual({ from: 0, to: 3 })
  })

  it('re-packs a live batch by its slots alone and uploads them as texel runs', () => {
    const m = model()
    const n = new NodeArrays()
    n.fillPositions(m)
    n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    const c = m.setSeverity('c', 'critical', 2), a = m.setSeverity('a', 'low', 1)
    expect(m.setSeverity('b', 'high', 1)).toBe(-1) // unchanged
    expect(n.restyle(m, PALETTES.dark, collapsedClusters(m), [c, a, 1])).toEqual([0, 2])
    expect(rgbOf(n, 2)).toBe(PALETTES.dark.severity[5])
    expect(rgbOf(n, 0)).toBe(PALETTES.dark.severity[2])
    // A full pass afterwards finds nothing left to do.
    expect(n.fillStyle(m, PALETTES.dark, collapsedClusters(m))).toBeUndefined()
    expect(texelRuns([0, 2])).toEqual([[0, 3]])
    expect(texelRuns([5, 9000, 9001], 64)).toEqual([[5, 6], [9000, 9002]])
    const spread = Array.from({ length: 40 }, (_, i) => i * 5000)
    expect(texelRuns(spread)).toEqual([[0, 195_001]])
  })

  it('hides filtered, removed and collapsed nodes', () => {
    const m = model()
    const n = new NodeArrays()
    m.setFlag(NodeFlag.Hidden, true, [1])
    n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    expect(n.hidden(0)).toBe(false)
    expect(n.hidden(1)).toBe(true)
    m.collapsed.add('acct')
    expect([...collapsedClusters(m)]).toEqual([1, 1])
    n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    expect(n.hidden(0)).toBe(true)
    m.collapsed.clear()
    m.removeNodes(['c'])
    n.fillStyle(m, PALETTES.dark, collapsedClusters(m))
    expect(n.hidden(2)).toBe(true)
  })

  it('writes quad indices as two triangles per quad', () => {
    const index = new Uint32Array(12)
    expect(writeAllQuads(index, 2)).toBe(12)
    expect([...index]).toEqual([0, 1, 2, 1, 3, 2, 4, 5, 6, 5, 7, 6])
    writeQuad(index, 0, 5)
    expect([...index.subarray(0, 6)]).toEqual([20, 21, 22, 21, 23, 22])
  })
})

describe('scene edge buffers', () => {
  it('stores the end slots and kind per edge slot (kind 0 = free slot)', () => {
    const m = model()
    const e = new EdgeArrays()
    e.fill(m)
    expect(e.count).toBe(2)
    expect([...e.ends.subarray(0, 4)]).toEqual([0, 1 * 4 + 2, 1, 2 * 4 + 1]) // reference = 2, depends_on = 1
    m.removeEdges(['e1'])
    e.fill(m)
    expect(e.ends[1]! % 4).toBe(0)
  })
})

describe('scene bubbles', () => {
  it('fills one quad per cluster and picks the deepest depth whose bubbles are big enough', () => {
    const m = model()
    const b = new BubbleArrays()
    b.fill(m.clusters, new Set(['acct/vpc']), PALETTES.dark)
    expect(b.count).toBe(2)
    expect([...b.circle.subarray(16, 20)]).toEqual([10, 5, 15, 2])
    expect(b.info[4]! >>> 8).toBe(1) // collapsed
    expect(b.depthFor(0.01)).toBe(1)
    expect(b.depthFor(BUBBLE_MIN_PX / 15)).toBe(2)
  })

  it('re-colours only bubbles whose worst severity changed', () => {
    const m = model()
    const b = new BubbleArrays()
    b.fill(m.clusters, new Set(), PALETTES.dark)
    const circle = b.circle.slice()
    expect(b.recolour(m.clusters, PALETTES.dark)).toBe(false)
    m.clusters[1]!.worst = 5
    expect(b.recolour(m.clusters, PALETTES.dark)).toBe(true)
    const fresh = new BubbleArrays()
    fresh.fill(m.clusters, new Set(), PALETTES.dark)
    expect([...b.color]).toEqual([...fresh.color])
    expect([...b.circle]).toEqual([...circle])
  })
})

describe('scene icon families', () => {
  it('maps Terraform types to a glyph family', () => {
    const cases: Array<[string, string]> = [
      ['aws_instance', 'compute'], ['google_compute_instance', 'compute'], ['aws_network_interface', 'network'],
      ['aws_security_group', 'network'], ['aws_vpc', 'network'], ['aws_subnet', 'network'], ['aws_iam_role', 'iam'],
      ['aws_iam_policy', 'iam'], ['aws_s3_bucket', 'storage'], ['aws_db_instance', 'database'], ['aws_dynamodb_table', 'database'],
      ['aws_lambda_function', 'serverless'], ['aws_organizations_account', 'group'], ['random_pet', 'other'],
    ]
    for (const [type, family] of cases) expect(FAMILIES[familyOf(type)], type).toBe(family)
  })
})
