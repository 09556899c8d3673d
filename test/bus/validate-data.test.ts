/**
 * The bus refuses data that some reader could not serialise (issue 11, defect 3): too deep, cyclic or
 * holding a BigInt — at publish time, before it takes an offset. The check itself is iterative.
 */
import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MAX_DATA_DEPTH } from '../../engine/bus/validate.ts'
import { jsonValueProblem, MAX_FILE_JSON_DEPTH, MAX_JSON_DEPTH } from '../../engine/json-depth.ts'

/** `levels` arrays, each the only element of the one around it. */
function nested(levels: number): unknown[] {
  const root: unknown[] = []
  let cursor = root
  for (let i = 1; i < levels; i++) { const next: unknown[] = []; cursor.push(next); cursor = next }
  return root
}

describe('data the bus takes', () => {
  it('takes data up to MAX_DATA_DEPTH levels, which covers whatever clients and state files may carry', () => {
    expect(MAX_DATA_DEPTH).toBeGreaterThan(MAX_FILE_JSON_DEPTH)
    expect(MAX_DATA_DEPTH).toBeGreaterThan(MAX_JSON_DEPTH)
    expect(jsonValueProblem(nested(MAX_DATA_DEPTH), MAX_DATA_DEPTH)).toBeUndefined()
    expect(jsonValueProblem(nested(MAX_DATA_DEPTH + 1), MAX_DATA_DEPTH)).toMatch(/deeper than/)
    expect(jsonValueProblem({ a: { b: nested(MAX_DATA_DEPTH - 2) } }, MAX_DATA_DEPTH)).toBeUndefined()
    expect(jsonValueProblem({ a: { b: nested(MAX_DATA_DEPTH - 1) } }, MAX_DATA_DEPTH)).toMatch(/deeper than/)
  })

  it('walks a 1,000,000-deep value, a wide one and primitives without recursion', () => {
    expect(jsonValueProblem(nested(1_000_000), MAX_DATA_DEPTH)).toMatch(/deeper than/)
    expect(jsonValueProblem(Array.from({ length: 100_000 }, (_, i) => ({ i, tags: ['a'] })), MAX_DATA_DEPTH)).toBeUndefined()
    for (const v of [null, undefined, 1, 'x', true]) expect(jsonValueProblem(v, MAX_DATA_DEPTH)).toBeUndefined()
  })

  it('reports cycles as too deep and BigInts anywhere', () => {
    const cycle: Record<string, unknown> = {}
    cycle.me = [cycle]
    expect(jsonValueProblem(cycle, MAX_DATA_DEPTH)).toMatch(/refers to itself/)
    expect(jsonValueProblem(1n, MAX_DATA_DEPTH)).toMatch(/BigInt/)
    expect(jsonValueProblem({ a: [{ b: 2n }] }, MAX_DATA_DEPTH)).toMatch(/BigInt/)
  })

  it('publish rejects such data with TFD_ERR_BUS_PUBLICATION and takes no offset', async () => {
    const bus = new MemoryBus()
    for (const data of [nested(MAX_DATA_DEPTH + 1), { n: 1n }]) {
      await expect(bus.publish({ tenant: 'acme', topic: 'events', type: 'app.x', data })).rejects.toMatchObject({ code: 'TFD_ERR_BUS_PUBLICATION' })
    }
    expect(await bus.lastOffset('acme', 'events')).toBe(0)
    expect((await bus.publish({ tenant: 'acme', topic: 'events', type: 'app.x', data: nested(MAX_DATA_DEPTH) })).offset).toBe(1)
    await bus.close()
  })
})
