/**
 * The simulated live account: the observed copy of the estate that out-of-band changes mutate.
 * Memory stays bounded: the observed map holds at most the estate plus the open changes' additions,
 * and at most `maxOpen` changes are remembered for reverting (older ones are reverted first).
 */
import { type Actor, type ChangeEvent, type ResourceInstance, type Snapshot, type Clock, newId } from 'tfdrift'
import { ActorPool } from './actors.ts'
import type { Estate } from './estate/index.ts'
import { Rng } from './rng.ts'
import { SCENARIOS, type Applied } from './scenarios.ts'

export interface SimulatorOptions {
  seed: string | number
  /** Most changes left open (not yet reverted) at once. */
  maxOpen: number
  /** Chance that a change gets reverted a few steps later; the rest stay until `maxOpen` forces them out. */
  revertProbability: number
}

interface OpenChange {
  keys: string[]
  revertAt: number
  applied: Applied
}

/** One simulated step: the change event to publish and a one-line summary for the log. */
export interface Step {
  event: ChangeEvent
  summary: string
  reverted: boolean
}

export class Simulator {
  readonly rng: Rng
  readonly actors: ActorPool
  private readonly observed = new Map<string, ResourceInstance>()
  /** Observed keys per resource type, so picking a target never scans the whole estate. */
  private readonly byType = new Map<string, Set<string>>()
  private readonly open: OpenChange[] = []
  private readonly locked = new Set<string>()
  private readonly types = new Set<string>()
  private tick = 0
  private serial = 1

  constructor(readonly estate: Estate, private readonly clock: Clock, private readonly options: SimulatorOptions) {
    this.rng = new Rng(`changes:${options.seed}`)
    this.actors = new ActorPool(this.rng, estate.account)
    for (const r of estate.resources) this.put(r)
  }

  /** Key of a resource in the observed map: its address, or `type:id` for unmanaged objects. */
  static key(r: ResourceInstance): string {
    return r.address || `${r.type}:${r.resource_id}`
  }

  get openChanges(): number {
    return this.open.length
  }

  get observedCount(): number {
    return this.observed.size
  }

  /** Observed resources of a type that no open change is touching. */
  candidates(type: string, filter: (r: ResourceInstance) => boolean = () => true): ResourceInstance[] {
    const out: ResourceInstance[] = []
    for (const key of this.byType.get(type) ?? []) {
      const r = this.observed.get(key)!
      if (r.address && !this.locked.has(key) && filter(r)) out.push(r)
    }
    return out
  }

  get(key: string): ResourceInstance | undefined {
    return this.observed.get(key)
  }

  /** Replaces or adds an observed resource; `put` of an unmanaged type extends the covered types. */
  put(r: ResourceInstance): void {
    const key = Simulator.key(r)
    this.observed.set(key, r)
    this.types.add(r.type)
    let keys = this.byType.get(r.type)
    if (!keys) this.byType.set(r.type, (keys = new Set()))
    keys.add(key)
  }

  remove(key: string): ResourceInstance | undefined {
    const r = this.observed.get(key)
    this.observed.delete(key)
    if (r) this.byType.get(r.type)?.delete(key)
    return r
  }

  /** Builds a CloudTrail-shaped change event for a resource. */
  event(spec: { name: string; source: string; resource: ResourceInstance; actor: Actor; parameters?: Record<string, unknown>; region?: string }): ChangeEvent {
    const { resource } = spec
    const region = spec.region ?? regionOf(resource)
    return {
      id: newId(this.clock.now()),
      source: 'demo',
      time: this.clock.isoNow(),
      event_name: spec.name,
      event_source: `${spec.source}.amazonaws.com`,
      resource_type: resource.type,
      ...(resource.resource_id ? { resource_id: resource.resource_id } : {}),
      ...(resource.arn ? { arn: resource.arn } : {}),
      region,
      account_id: this.estate.account,
      actor: { ...spec.actor, event_name: spec.name, event_id: this.rng.uuid() },
      ...(spec.parameters ? { parameters: spec.parameters } : {}),
    }
  }

  /** Advances one step: reverts a due (or the oldest, when full) open change, else applies a new one. */
  step(): Step {
    this.tick++
    const due = this.open.findIndex((c) => c.revertAt <= this.tick)
    const index = due >= 0 ? due : this.open.length >= this.options.maxOpen ? 0 : -1
    if (index >= 0) {
      const [change] = this.open.splice(index, 1) as [OpenChange]
      for (const k of change.keys) this.locked.delete(k)
      const reverted = change.applied.revert(this)
      this.serial++
      return { event: reverted.event, summary: reverted.summary, reverted: true }
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const scenario = this.rng.weighted(SCENARIOS.map((s) => [s, s.weight] as const))
      const applied = scenario.apply(this)
      if (!applied) continue
      const revertAt = this.rng.chance(this.options.revertProbability) ? this.tick + this.rng.int(2, 6) : Number.POSITIVE_INFINITY
      this.open.push({ keys: applied.keys, revertAt, applied })
      for (const k of applied.keys) this.locked.add(k)
      this.serial++
      return { event: applied.event, summary: applied.summary, reverted: false }
    }
    throw new Error('no demo scenario applies to the estate')
  }

  /** The Terraform state side. */
  expectedSnapshot(): Snapshot {
    return {
      kind: 'expected', source: `demo://aws/${this.estate.account}/terraform.tfstate`, taken_at: this.clock.isoNow(), serial: 1,
      lineage: this.lineage(), terraform_version: '1.9.8', resources: this.estate.resources,
    }
  }

  /** The live side as it is now (a fresh array; resource objects are shared and never mutated). */
  observedSnapshot(): Snapshot {
    return {
      kind: 'observed', source: `demo://aws/${this.estate.account}/live`, taken_at: this.clock.isoNow(), serial: this.serial,
      resources: [...this.observed.values()], covered_types: [...this.types].sort(),
    }
  }

  private lineage(): string {
    return new Rng(`lineage:${this.options.seed}`).uuid()
  }
}

/** Region from an ARN (`arn:aws:ec2:<region>:…`), an attribute, or us-east-1 for global services. */
export function regionOf(r: ResourceInstance): string {
  const fromArn = r.arn?.split(':')[3]
  if (fromArn) return fromArn
  const attr = r.attributes.region ?? (typeof r.attributes.availability_zone === 'string' ? r.attributes.availability_zone.slice(0, -1) : undefined)
  return typeof attr === 'string' && attr ? attr : 'us-east-1'
}
