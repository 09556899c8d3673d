import { describe, expect, it } from 'vitest'
import { decodeTime } from 'ulid'
import { fastUlidFactory } from '../engine/ids.ts'

describe('fastUlidFactory', () => {
  it('makes standard ULIDs that carry the time and sort in generation order, also within one millisecond', () => {
    const next = fastUlidFactory()
    const ms = Date.parse('2026-11-22T10:00:00.000Z')
    const ids = Array.from({ length: 5000 }, (_, i) => next(ms + Math.floor(i / 1000)))
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(decodeTime(ids[0])).toBe(ms)
    expect(decodeTime(ids[4999])).toBe(ms + 4)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('stays monotonic when the clock goes backwards', () => {
    const next = fastUlidFactory()
    const a = next(2_000_000)
    const b = next(1_000_000)
    expect(b > a).toBe(true)
  })

  it('two generators in the same millisecond do not collide', () => {
    const a = fastUlidFactory()
    const b = fastUlidFactory()
    expect(a(5_000)).not.toBe(b(5_000))
  })
})
