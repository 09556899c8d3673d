/** A small seeded PRNG (mulberry32) and the AWS-looking identifiers the demo estate is made of. */

/** FNV-1a hash of a string seed into 32 bits. */
export function hashSeed(seed: string | number): number {
  const text = String(seed)
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const HEX = '0123456789abcdef'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Deterministic random source: the same seed gives the same sequence on every platform. */
export class Rng {
  private state: number
  constructor(seed: string | number) {
    this.state = hashSeed(seed) || 0x9e3779b9
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0)
    let roll = this.next() * total
    for (const [item, w] of items) {
      roll -= w
      if (roll < 0) return item
    }
    return items[items.length - 1]![0]
  }

  hex(length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.next() * 16)]
    return out
  }

  upper(length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += UPPER[Math.floor(this.next() * UPPER.length)]
    return out
  }

  digits(length: number): string {
    let out = String(this.int(1, 9))
    for (let i = 1; i < length; i++) out += String(this.int(0, 9))
    return out
  }

  uuid(): string {
    const h = this.hex(32)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }

  /** An EC2-style id: `vpc-0a1b2c3d4e5f60718` (17 hex digits, leading 0 as AWS does today). */
  awsId(prefix: string): string {
    return `${prefix}-0${this.hex(16)}`
  }
}
