/**
 * The drift tracker's memory in the store (plugin state, one scope per node): its open drifts by id,
 * and the snapshot sources it compared with the discovery node each came from. On start the tracker
 * gets its open drifts back and the latest stored snapshot of each of its sources, so it continues
 * where it stopped instead of detecting everything again.
 */
import type { Drift, Snapshot, PluginContext } from 'tfdrift'

/** A snapshot source the tracker has compared. */
export interface SourceRecord {
  kind: Snapshot['kind']
  source: string
  /** The discovery node it came from, when the engine said. */
  origin?: string
}

/** One change to the stored memory; an `undefined` value deletes the key. */
export type MemoryEntry = readonly [key: string, value: unknown]

/** What a tracker continues from. */
export interface TrackerMemory {
  open: Drift[]
  snapshots: Array<{ snapshot: Snapshot; origin?: string }>
  /** Per event-made drift: the attribute values the calls set (see evidence.ts), so later calls add up after a restart too. */
  overlays?: Array<[driftId: string, overlay: Overlay]>
}

/** Top-level attribute → value as the calls left it, and the sensitive paths among them. */
export interface Overlay { values: Record<string, unknown>; sensitive: string[][] }

export const driftEntry = (id: string, drift: Drift | undefined): MemoryEntry => [`drift:${id}`, drift]
export const overlayEntry = (id: string, overlay: Overlay | undefined): MemoryEntry => [`overlay:${id}`, overlay]
export const sourceEntry = (record: SourceRecord): MemoryEntry => [`source:${record.kind}:${record.source}`, record]

/**
 * Hands the tracker's memory changes to the store once per event-loop turn instead of once per item:
 * changes to one key within a turn coalesce to the last, and a batch of a thousand events costs one
 * store call. The hand-off runs in the turn after the changes were made, so it follows the bus's group
 * commit of the drifts those changes decided (the bus commits at the end of the turn it published in):
 * after `kill -9` the stored memory is never ahead of the bus — at worst it lags by what the store had
 * not flushed yet, as it did when every item was handed over at once (the store batches writes
 * either way). A lagging memory can only announce an open drift again under its stable id (an
 * idempotent update for the store), never skip one the bus has not seen. `flush()` (on close) hands
 * everything over at once, so a graceful stop loses nothing.
 */
export class MemoryWriter {
  private pending = new Map<string, unknown>()
  private scheduled = false

  constructor(private readonly save: (entries: MemoryEntry[]) => Promise<void>) {}

  add(entries: readonly MemoryEntry[]): void {
    for (const [key, value] of entries) this.pending.set(key, value)
    if (this.scheduled) return
    this.scheduled = true
    // Twice: the first runs beside the bus's end-of-turn commit, the second after it.
    setImmediate(() => setImmediate(() => { void this.flush() }))
  }

  /** Hands every pending change to the store now; resolves when the store took them. */
  flush(): Promise<void> {
    this.scheduled = false
    if (this.pending.size === 0) return Promise.resolve()
    const entries = [...this.pending]
    this.pending = new Map()
    return this.save(entries)
  }
}

/** The plugin-state scope of a drift node: per pipeline and node, so two analyzers never share memory. */
export const memoryScope = (ctx: Pick<PluginContext, 'pipeline' | 'node'>) => `drift:${ctx.pipeline}:${ctx.node}`

/** Reads the memory of `ctx`'s node back from the store. */
export async function loadMemory(ctx: Pick<PluginContext, 'store' | 'tenant' | 'pipeline' | 'node'>): Promise<TrackerMemory> {
  const entries = await ctx.store.loadPluginState(ctx.tenant, memoryScope(ctx))
  const open: Drift[] = []
  const overlays: Array<[string, Overlay]> = []
  const sources = new Map<string, SourceRecord>()
  for (const [key, value] of entries) {
    if (key.startsWith('drift:')) open.push(value as Drift)
    else if (key.startsWith('overlay:')) overlays.push([key.slice('overlay:'.length), value as Overlay])
    else if (key.startsWith('source:')) sources.set(key, value as SourceRecord)
  }
  if (sources.size === 0) return { open, snapshots: [], overlays }
  // The engine's store writer keeps the latest snapshot of every source of the pipeline; ours are among them.
  const snapshots = (await ctx.store.latestSnapshots(ctx.tenant, ctx.pipeline)).flatMap((snapshot) => {
    const record = sources.get(sourceEntry({ kind: snapshot.kind, source: snapshot.source })[0])
    return record ? [{ snapshot, ...(record.origin ? { origin: record.origin } : {}) }] : []
  })
  return { open, snapshots, overlays }
}
