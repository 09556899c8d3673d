import { randomFillSync } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const LOW = 2 ** 40

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0))

/** Eight base32 characters of a 40-bit number, without intermediate strings. */
function encode40(value: number): string {
  const hi = Math.floor(value / 1048576) // upper 20 bits
  const lo = value - hi * 1048576
  return String.fromCharCode(
    CODES[hi >>> 15], CODES[(hi >>> 10) & 31], CODES[(hi >>> 5) & 31], CODES[hi & 31],
    CODES[lo >>> 15], CODES[(lo >>> 10) & 31], CODES[(lo >>> 5) & 31], CODES[lo & 31])
}

function encode(value: number, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    out = ALPHABET[value % 32] + out
    value = Math.floor(value / 32)
  }
  return out
}

/**
 * A monotonic ULID generator for the bus hot path (~5× faster than `ulid`'s factory): the time prefix
 * and the high half of the randomness are encoded once per millisecond, and ids within one millisecond
 * increment the 80-bit random part, as the ULID spec's monotonic mode does. Output is a standard ULID.
 */
export function fastUlidFactory(): (now: number) => string {
  let lastMs = -1
  let prefix = ''
  let high = 0
  let highText = ''
  let low = 0
  const random = new Uint32Array(3)
  const reseed = (now: number) => {
    randomFillSync(random)
    high = random[0] * 256 + (random[1] & 0xff) // 40 bits
    low = (random[1] >>> 8) * 65536 + (random[2] & 0xffff) // 40 bits, with headroom below 2^40 on average
    prefix = encode(now, 10)
    highText = prefix + encode40(high)
  }
  return (now: number) => {
    if (now > lastMs) {
      lastMs = now
      reseed(now)
    } else if (++low >= LOW) {
      low = 0
      high++
      if (high >= LOW) { lastMs++; reseed(lastMs) } // 2^80 ids in one ms: borrow the next millisecond
      else highText = prefix + encode40(high)
    }
    return highText + encode40(low)
  }
}

const processUlid = fastUlidFactory()

/** Monotonic ULIDs: sortable by creation time, unique within this process even in the same millisecond. */
export function newId(seedTime: number = Date.now()): string {
  return processUlid(seedTime)
}

/**
 * A new stream epoch: 10 random Crockford base32 characters (50 bits). Epochs only need to differ from
 * every earlier epoch of the same stream, and the alphabet keeps them safe inside SSE cursors.
 */
export function newEpoch(): string {
  const bytes = randomFillSync(Buffer.alloc(10))
  let out = ''
  for (const b of bytes) out += ALPHABET[b & 31]
  return out
}
