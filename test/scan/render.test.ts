import { describe, expect, it } from 'vitest'
import { renderPair } from '../../engine/drift/scan/render.ts'

describe('renderPair', () => {
  it('shows short values whole', () => {
    expect(renderPair('t3.micro', 't3.large')).toEqual(['"t3.micro"', '"t3.large"'])
  })

  it('windows long values around their first difference so the change is visible', () => {
    const base = 'arn:aws:iam::123456789012:policy/' + 'x'.repeat(100)
    const [expected, actual] = renderPair(base, base + '-changed', 40)
    expect(expected.startsWith('…')).toBe(true)
    expect(actual).toContain('-changed')
    expect(expected).not.toContain('-changed')
    expect(actual.length).toBeLessThanOrEqual(40)
  })

  it('cuts long values at the end when they already differ early', () => {
    const [expected, actual] = renderPair('a' + 'x'.repeat(100), 'b' + 'x'.repeat(100), 20)
    expect(expected).toBe('"a' + 'x'.repeat(17) + '…')
    expect(actual).toBe('"b' + 'x'.repeat(17) + '…')
  })
})
