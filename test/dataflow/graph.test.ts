import { describe, it, expect } from 'vitest'
import { buildPipelineGraph, checkWiring, topoOrder } from '../../engine/dataflow/graph.ts'
import { BoundedQueue } from '../../engine/dataflow/queue.ts'
import { backoffDelay, DEFAULT_BACKOFF } from '../../engine/dataflow/backoff.ts'

const n = (id?: string, inputs?: string[]) => ({ use: 'x', ...(id ? { id } : {}), ...(inputs ? { inputs } : {}) })

describe('graph wiring', () => {
  it('defaults: analysis consumes producers and earlier analysis; remediation consumes analysis; transports unwired', () => {
    const g = buildPipelineGraph('prod', { discovery: [n()], sources: [n('falco')], analysis: [n(), n()], remediation: [n()], transports: [n()] })
    const inputs = Object.fromEntries(g.nodes.map((x) => [x.id, x.inputs]))
    expect(inputs).toEqual({
      'prod.discovery.0': [],
      falco: [],
      'prod.analysis.0': ['prod.discovery.0', 'falco'],
      'prod.analysis.1': ['prod.discovery.0', 'falco', 'prod.analysis.0'],
      'prod.remediation.0': ['prod.analysis.0', 'prod.analysis.1'],
      'prod.transports.0': [],
    })
    expect(checkWiring(g)).toEqual([])
    expect(g.tenant).toBe('default')
  })

  it('explicit inputs override the default', () => {
    const g = buildPipelineGraph('p', { sources: [n('s1'), n('s2')], analysis: [n('a', ['s2']), n('b', ['a'])] })
    expect(g.nodes.find((x) => x.id === 'b')!.inputs).toEqual(['a'])
    expect(checkWiring(g)).toEqual([])
    expect(topoOrder(g.nodes).map((x) => x.id).indexOf('a')).toBeLessThan(topoOrder(g.nodes).map((x) => x.id).indexOf('b'))
  })

  it('detects cycles, dangling inputs, self-loops, duplicate ids and inputs on producers/transports', () => {
    const g = buildPipelineGraph('p', {
      sources: [n('s', ['a'])],
      analysis: [n('a', ['c']), n('b', ['a']), n('c', ['b']), n('d', ['ghost', 'd', 't']), n('a')],
      transports: [n('t', ['a'])],
    })
    const problems = checkWiring(g)
    expect(problems.every((p) => p.code === 'TFD_ERR_WIRING')).toBe(true)
    const text = problems.map((p) => `${p.pointer} ${p.message} ${p.hint ?? ""}`).join('\n')
    expect(text).toMatch(/\/pipelines\/p\/analysis\/3\/inputs\/0 .*"ghost"/)
    expect(text).toMatch(/\/pipelines\/p\/analysis\/3\/inputs\/1 .*consumes itself/)
    expect(text).toMatch(/\/pipelines\/p\/analysis\/3\/inputs\/2 .*transport "t"/)
    expect(text).toMatch(/wiring cycle: (a → b → c → a|b → c → a → b|c → a → b → c)\./)
    expect(text).toMatch(/\/pipelines\/p\/analysis\/4\/id .*used twice/)
    expect(text).toMatch(/\/pipelines\/p\/sources\/0\/inputs .*consumes nothing/)
    expect(text).toMatch(/\/pipelines\/p\/transports\/0\/inputs .*bus topics/)
  })
})

describe('BoundedQueue', () => {
  it('block: full at size, hard bound at 2×size, drops the newest past it', () => {
    const q = new BoundedQueue<number>(2, 'block')
    expect([q.push(1), q.push(2)]).toEqual([true, true])
    expect(q.full).toBe(true)
    expect([q.push(3), q.push(4), q.push(5)]).toEqual([true, true, false])
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([1, 2, 3, 4, undefined])
    expect(q.peak).toBe(4)
  })
  it('drop_oldest keeps the newest; drop_newest keeps the oldest', () => {
    const o = new BoundedQueue<number>(2, 'drop_oldest'); [1, 2, 3, 4].forEach((x) => o.push(x))
    expect([o.shift(), o.shift(), o.length]).toEqual([3, 4, 0])
    const nq = new BoundedQueue<number>(2, 'drop_newest'); [1, 2, 3, 4].forEach((x) => nq.push(x))
    expect([nq.shift(), nq.shift(), nq.length]).toEqual([1, 2, 0])
  })
  it('rejects a non-positive size', () => {
    expect(() => new BoundedQueue(0, 'block')).toThrow(RangeError)
  })
})

describe('backoff', () => {
  it('doubles from 100 ms and caps at 30 s', () => {
    expect([0, 1, 2, 8, 9, 40].map((a) => backoffDelay(a, DEFAULT_BACKOFF))).toEqual([100, 200, 400, 25_600, 30_000, 30_000])
  })
})
