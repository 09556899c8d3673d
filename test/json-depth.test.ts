import { describe, expect, it } from 'vitest'
import { MAX_FILE_JSON_DEPTH, MAX_JSON_DEPTH, jsonDepthExceeds } from '../engine/json-depth.ts'

const nested = (n: number, leaf = '1') => `${'['.repeat(n)}${leaf}${']'.repeat(n)}`

describe('jsonDepthExceeds', () => {
  it.each([
    ['string', (s: string) => s],
    ['bytes', (s: string) => Buffer.from(s)],
    ['a plain Uint8Array', (s: string) => new Uint8Array(Buffer.from(s))],
  ])('finds the first bracket past the limit in a %s, and nothing at the limit', (_kind, as) => {
    expect(jsonDepthExceeds(as(nested(64)), 64)).toBeUndefined()
    expect(jsonDepthExceeds(as(nested(65)), 64)).toBe(64)
    expect(jsonDepthExceeds(as(`{"a":${nested(3)},"b":{"c":{"d":[]}}}`), 4)).toBeUndefined()
    expect(jsonDepthExceeds(as(`{"a":${nested(3)},"b":{"c":{"d":[[]]}}}`), 4)).toBe(`{"a":${nested(3)},"b":{"c":{"d":[`.length)
  })

  it('ignores brackets inside strings, escaped quotes and escaped backslashes included', () => {
    const strings = JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\" \\\\', c: ['\\', '"[{"'], d: '\u00e9[[[[' })
    expect(JSON.parse(strings)).toBeTruthy()
    expect(jsonDepthExceeds(strings, 2)).toBeUndefined()
    expect(jsonDepthExceeds(Buffer.from(strings), 2)).toBeUndefined()
    // A quote closed right after an even run of backslashes really ends the string.
    const closes = `["x\\\\", [[1]]]`
    expect(jsonDepthExceeds(closes, 2)).toBe(closes.indexOf('[[1') + 1)
  })

  it('answers for 100,000 levels without recursion', () => {
    expect(jsonDepthExceeds(nested(100_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH)
    expect(jsonDepthExceeds(Buffer.from(nested(100_000)), MAX_FILE_JSON_DEPTH)).toBe(MAX_FILE_JSON_DEPTH)
  })
})
