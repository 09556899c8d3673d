/**
 * The SSE resume cursor (`id:` / `Last-Event-ID` / `?since=`), written by the server and read back by it,
 * built by the client for a fresh connection. One topic: `12@EPOCH`; several: `drifts:12@EPOCH,events:40@EPOCH`.
 * The epoch says which data the offset belongs to, so a browser's automatic reconnect after the server lost
 * its history is told `recovered: false` instead of skipping or repeating. `12` and `drifts:12` (no epoch)
 * are still read. Browser-safe: no server imports.
 */
import { isTopic, type Topic } from './envelope.ts'

/** Where one topic stands: the last offset seen and the epoch it belongs to, when known. */
export interface CursorPosition {
  offset: number
  epoch?: string
}

const POSITION = /^(\d{1,15})(?:@([0-9A-Za-z_-]{1,64}))?$/

function position(p: CursorPosition): string {
  return p.epoch ? `${p.offset}@${p.epoch}` : String(p.offset)
}

/** The cursor for `positions`; a single topic is written without its name. */
export function encodeResumeCursor(positions: ReadonlyMap<Topic, CursorPosition>, named = positions.size !== 1): string {
  let out = ''
  for (const [t, p] of positions) out += `${out ? ',' : ''}${named ? `${t}:` : ''}${position(p)}`
  return out
}

/** Parses a cursor; a bare position applies to every topic of `topics`. Undefined when malformed. */
export function parseResumeCursor(value: string, topics: readonly Topic[]): Map<Topic, CursorPosition> | undefined {
  const out = new Map<Topic, CursorPosition>()
  const bare = POSITION.exec(value.trim())
  if (bare) {
    for (const t of topics) out.set(t, { offset: Number(bare[1]), ...(bare[2] ? { epoch: bare[2] } : {}) })
    return out
  }
  for (const part of value.split(',')) {
    const colon = part.indexOf(':')
    const topic = part.slice(0, colon).trim()
    const m = POSITION.exec(part.slice(colon + 1).trim())
    if (colon < 0 || !m || !isTopic(topic)) return undefined
    out.set(topic, { offset: Number(m[1]), ...(m[2] ? { epoch: m[2] } : {}) })
  }
  return out
}
