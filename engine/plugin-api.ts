import type { Observable, OperatorFunction } from 'rxjs'
import type { Logger } from 'pino'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { Topic } from './envelope.ts'

/** The plugin API version this host implements; plugins declare a semver range against it. */
export const API_VERSION = '1.0.0'

export const PLUGIN_KINDS = ['discovery', 'source', 'analysis', 'remediation', 'transport'] as const
export type PluginKind = (typeof PLUGIN_KINDS)[number]

/**
 * What flows between pipeline nodes. An item with a `topic` is also published on the bus (under the
 * pipeline's tenant) by the engine when the node emits it; items without one stay inside the pipeline.
 *
 * Conventional types: `snapshot` (data: Snapshot), `change.received` (ChangeEvent, topic `events`),
 * `drift.detected` / `drift.updated` / `drift.resolved` (Drift, topic `drifts`), `state.summary`
 * (topic `state`), `remediation.proposed` / `remediation.obsoleted` (RemediationPlan, topic `remediations`).
 */
export interface PipelineItem<T = unknown> {
  type: string
  topic?: Topic
  data: T
  /** Id of the discovery node that emitted the item; set by the engine (see `PluginContext.discovery`). */
  origin?: string
}

/** Wall clock, injectable so tests control time. */
export interface Clock {
  now(): number
  isoNow(): string
}

/** Counters the engine keeps for every node; plugins may add their own. */
export interface PluginMetrics {
  counter(name: string, help: string): { inc(by?: number): void }
  gauge(name: string, help: string): { set(value: number): void }
}

/**
 * Cooperative backpressure for producers (discovery, source): `ready()` resolves when the node's
 * downstream queue has room. A producer that awaits it before emitting never overflows a `block` edge.
 */
export interface Demand {
  ready(): Promise<void>
  readonly paused: boolean
}

/**
 * An HTTP ingress route for sources that receive pushes (Falco http_output, webhooks). A route belongs
 * to the tenant of the registering pipeline: only tokens of that tenant reach it (others get 403), so
 * pipelines of different tenants may register the same path, and one tenant may register it once.
 */
export interface IngressRoute {
  method: 'POST' | 'PUT'
  /** Absolute path, e.g. `/api/v1/falco/events`. */
  path: string
  /** Scope the caller's token needs. */
  scope: 'publish' | 'admin'
  /** Max body size in bytes (default 1 MiB); larger bodies are refused with 413 before reaching the handler. */
  body_limit?: number
  /**
   * Called with the parsed JSON body (or NDJSON lines as an array); returns the HTTP status and response data.
   * The server has already refused other Content-Types (415) and bodies nested deeper than 64 levels (400).
   */
  handle(body: unknown, request: { tenant: string; headers: Record<string, string | undefined> }): Promise<{ status: number; data?: unknown }>
}

/** A route as declared ahead of `create`: what collision checks and the API document need. */
export type IngressDeclaration = Pick<IngressRoute, 'method' | 'path' | 'scope'>

export interface Ingress {
  register(route: IngressRoute): void
}

/** What `create(ctx, options)` receives. One context per plugin instance. */
export interface PluginContext {
  /** A pino child logger bound to `{ plugin, pipeline, node }`. */
  logger: Logger
  bus: Bus
  store: Store
  clock: Clock
  /** Aborted when the pipeline stops or the instance is restarted. */
  signal: AbortSignal
  metrics: PluginMetrics
  demand: Demand
  ingress: Ingress
  pipeline: string
  tenant: string
  /** The node id (`<pipeline>.<stage>.<index>` unless the config names it). */
  node: string
  /**
   * Ids of the discovery nodes whose items reach this node, directly or through other operators (set for
   * analysis and remediation nodes run by the engine). Their items carry the id as `origin`, so an analyzer
   * can tell when every one has delivered its first snapshot.
   */
  discovery?: readonly string[]
}

export interface ProducerInstance {
  /** Items to feed downstream. An AsyncIterable is pulled only as fast as downstream accepts. */
  output: Observable<PipelineItem> | AsyncIterable<PipelineItem>
  close?(): void | Promise<void>
}

export interface OperatorInstance {
  operator: OperatorFunction<PipelineItem, PipelineItem>
  close?(): void | Promise<void>
}

export interface TransportInstance {
  /** Subscribe to the bus and start delivering; resolves when ready to deliver. */
  start?(): void | Promise<void>
  /** Stop accepting, flush what is in flight, release sockets. */
  close?(): void | Promise<void>
}

export interface InstanceByKind {
  discovery: ProducerInstance
  source: ProducerInstance
  analysis: OperatorInstance
  remediation: OperatorInstance
  transport: TransportInstance
}

/** A JSON Schema object (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>

export interface PluginDefinition<K extends PluginKind = PluginKind, O = any> {
  /** Registered name: kebab-case, e.g. `terraform-state`. */
  name: string
  kind: K
  version: string
  /** Semver range of host API versions supported, e.g. `^1.0.0`. */
  apiVersion: string
  description?: string
  /** Checked with ajv (defaults applied) before `create`. */
  optionsSchema: JsonSchema
  /**
   * The ingress routes `create` registers for these options (schema defaults applied). Declaring them
   * lets `tfdrift validate` find two routes of one tenant on one path before anything runs.
   */
  ingress?(options: O): IngressDeclaration[]
  create(ctx: PluginContext, options: O): InstanceByKind[K] | Promise<InstanceByKind[K]>
}

/** Declares a plugin; a typed identity so authors get checking and inference. */
export function definePlugin<K extends PluginKind, O>(definition: PluginDefinition<K, O>): PluginDefinition<K, O> {
  return definition
}

export type QueuePolicy = 'block' | 'drop_oldest' | 'drop_newest'

/** One node of a pipeline as written in config. */
export interface NodeConfig {
  /** Built-in name, local path (`./plugins/x.ts`), npm package name, or a plugin definition object. */
  use: string | PluginDefinition
  with?: Record<string, unknown>
  /** Node id; defaults to `<pipeline>.<stage>.<index>`. */
  id?: string
  /** Explicit wiring: ids of the nodes whose output this node consumes. */
  inputs?: string[]
  /** The bounded queue in front of this node. */
  queue?: { size?: number; policy?: QueuePolicy }
}

/**
 * Builds the typed config helper a plugin exports for `tfdrift.config.ts`:
 * `export const terraformState = nodeHelper<TerraformStateOptions>('terraform-state')`
 * then `terraformState({ paths: [...] }, { id: 'state' })`.
 */
export function nodeHelper<O>(name: string) {
  return (options?: O, node: Omit<NodeConfig, 'use' | 'with'> = {}): NodeConfig => ({
    use: name,
    ...(options === undefined ? {} : { with: options as Record<string, unknown> }),
    ...node,
  })
}
