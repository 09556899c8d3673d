/**
 * Drift marks: each address's worst open drift severity and open drift count, as graph nodes carry them
 * (`drift_severity`, `drift_count`). Every REST graph read and the live graph publisher go through one
 * `DriftMarksReader` per process, which reads a tenant's open drifts from the store one read at a time
 * and shows every result to its watchers, in read order. That is what makes a paged graph and the
 * `graph` stream agree: any marks a client was served were seen by the publisher, which publishes the
 * change after the read — so after a cursor taken before the read.
 */
import { SEVERITIES, type Drift, type Severity } from '../model.ts'
import type { Store } from '../store/store.ts'
import type { GraphNode } from './graph.ts'

/** An address's worst open drift and how many drifts are open on it. */
export interface DriftMark { severity: Severity; count: number }
/** Marks by resource address; addresses without open drifts are absent. */
export type DriftMarks = ReadonlyMap<string, DriftMark>

/** A graph node as the API serves it: with its worst open drift, when any. */
export type MarkedNode = GraphNode & { drift_severity?: Severity; drift_count?: number }


type Watcher = (tenant: string, marks: DriftMarks) => void

interface TenantReads { running?: Promise<DriftMarks>; queued?: Promise<DriftMarks> }

/** Reads drift marks per tenant, one read at a time, and tells watchers each result. */
export class DriftMarksReader {
  private readonly watchers = new Set<Watcher>()
  private readonly reads = new Map<string, TenantReads>()

  constructor(private readonly store: Store) {}

  /**
   * The tenant's current marks, read after this call. Callers arriving while a read runs share the
   * next read (their answer must not predate their call); reads never overlap, so watchers see results
   * in the order the store produced them.
   */
  read(tenant: string): Promise<DriftMarks> {
    let state = this.reads.get(tenant)
    if (!state) this.reads.set(tenant, (state = {}))
    if (state.queued) return state.queued
    const s = state
    const after = s.running ? s.running.then(noop, noop) : Promise.resolve()
    const read: Promise<DriftMarks> = after.then(() => {
      s.queued = undefined
      s.running = read
      return this.load(tenant)
    }).finally(() => {
      if (s.running === read) s.running = undefined
      if (!s.running && !s.queued && this.reads.get(tenant) === s) this.reads.delete(tenant)
    })
    s.queued = read
    return read
  }

  /** Calls `watcher` with every read's result; returns the unwatch function. */
  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher)
    return () => { this.watchers.delete(watcher) }
  }

  private async load(tenant: string): Promise<DriftMarks> {
    // Two columns of the open drifts, not whole drifts a page at a time: under a drift storm this read
    // runs every settle window, and parsing every open drift's JSON each time was most of its cost.
    const marks = marksOf(await this.store.openDriftAddresses(tenant))
    for (const watcher of this.watchers) watcher(tenant, marks)
    return marks
  }
}

/** Worst severity and count of open drifts per address (drifts without an address mark nothing). */
export function marksOf(open: ReadonlyArray<Pick<Drift, 'address' | 'severity'>>): Map<string, DriftMark> {
  const marks = new Map<string, DriftMark>()
  for (const d of open) {
    if (!d.address) continue
    const mark = marks.get(d.address)
    if (!mark) marks.set(d.address, { severity: d.severity, count: 1 })
    else {
      mark.count++
      if (SEVERITIES.indexOf(d.severity) < SEVERITIES.indexOf(mark.severity)) mark.severity = d.severity
    }
  }
  return marks
}

/** Addresses whose mark differs between `prev` and `next` (appeared, went, or changed severity or count). */
export function changedMarks(prev: DriftMarks, next: DriftMarks): string[] {
  const out: string[] = []
  for (const [address, mark] of next) {
    const before = prev.get(address)
    if (!before || before.severity !== mark.severity || before.count !== mark.count) out.push(address)
  }
  for (const address of prev.keys()) if (!next.has(address)) out.push(address)
  return out
}

/** The node with its mark, or the node itself when its address has none. */
export function markNode(node: GraphNode, marks: DriftMarks): MarkedNode {
  const mark = marks.get(node.address)
  return mark ? { ...node, drift_severity: mark.severity, drift_count: mark.count } : node
}

function noop(): void {}
