/** Pagination helpers for in-memory lists and for draining a store's paged queries. */
import type { Page } from '../../../store/store.ts'
import { MAX_LIMIT } from '../schemas.ts'

/** One page of an in-memory list. */
export function slicePage<T>(items: T[], page: number, limit: number): Page<T> {
  const start = (page - 1) * limit
  return { items: items.slice(start, start + limit), total: items.length, page, limit }
}

/** Every item of a paged store query, fetched MAX_LIMIT at a time, up to `cap` items. */
export async function allPages<T>(fetch: (page: number, limit: number) => Promise<Page<T>>, cap = 1_000_000): Promise<T[]> {
  const out: T[] = []
  for (let page = 1; out.length < cap; page++) {
    const result = await fetch(page, MAX_LIMIT)
    out.push(...result.items)
    if (result.items.length < MAX_LIMIT || out.length >= result.total) break
  }
  return out
}
