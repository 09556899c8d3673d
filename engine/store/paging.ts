import type { PageRequest } from './store.ts'
import type { Severity } from '../model.ts'
import { SEVERITIES } from '../model.ts'

export const DEFAULT_PAGE_LIMIT = 50
export const MAX_PAGE_LIMIT = 1000

/** 1-based page and a limit clamped to [1, 1000]; garbage falls back to the defaults. */
export function normalisePage(request: PageRequest): { page: number; limit: number; offset: number } {
  const page = Number.isFinite(request.page) && (request.page as number) >= 1 ? Math.floor(request.page as number) : 1
  const rawLimit = Number.isFinite(request.limit) ? Math.floor(request.limit as number) : DEFAULT_PAGE_LIMIT
  const limit = Math.max(1, Math.min(MAX_PAGE_LIMIT, rawLimit))
  return { page, limit, offset: (page - 1) * limit }
}

/** 0 = critical … 4 = info; unknown severities rank last. */
export function severityRank(severity: Severity | string | undefined): number {
  const index = SEVERITIES.indexOf(severity as Severity)
  return index === -1 ? SEVERITIES.length : index
}

/**
 * Position of a drift in list order: newest `detected_at` (epoch ms) first, ties by insertion sequence,
 * newest first. The SQLite store's sequence is the rowid; the memory store keeps its own counter.
 */
export interface DriftKey { time: number; seq: number }

/** Encodes a keyset position as an opaque, URL-safe cursor. */
export function encodeCursor(key: DriftKey): string {
  return Buffer.from(`${key.time}.${key.seq}`).toString('base64url')
}

/** Decodes a cursor; undefined for anything that is not one (callers then start from the first page). */
export function decodeCursor(cursor: string | undefined): DriftKey | undefined {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 64) return undefined
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return match ? { time: Number(match[1]), seq: Number(match[2]) } : undefined
}

/** True when `a` comes after `b` in list order (older, or same time and inserted earlier). */
export function isAfter(a: DriftKey, b: DriftKey): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}
