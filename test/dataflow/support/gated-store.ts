import { MemoryStore } from '../../../engine/store/memory-store.ts'
import type { ChangeEvent, Drift } from '../../../engine/model.ts'

/** The real memory store whose drift writes wait until the test opens the gate: a slow sink on demand. */
export class GatedStore extends MemoryStore {
  private open = false
  private waiting: Array<() => void> = []
  writes = 0
  override async saveDrifts(tenant: string, drifts: Drift[]): Promise<void> {
    if (!this.open) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.writes++
    return super.saveDrifts(tenant, drifts)
  }
  override async saveChangeEvents(tenant: string, events: ChangeEvent[]): Promise<void> {
    if (!this.open) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.writes++
    return super.saveChangeEvents(tenant, events)
  }
  /** Lets every pending and future write through. */
  release(): void {
    this.open = true
    for (const w of this.waiting.splice(0)) w()
  }
}
