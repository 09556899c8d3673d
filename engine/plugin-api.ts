import type { Observable, OperatorFunction } from 'rxjs'
import type { Logger } from 'pino'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { Envelope, Topic } from './envelope.ts'
import type { Severity, DriftKind } from './model.ts'

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
  /**
   * Resolves once the pipeline has taken each of `items` durably — published on the bus (journal
   * committed) and, for the types the store keeps, stored — after this node emitted them: true when all
   * were, false when one failed or they did not get through in time. Call it before queueing the items.
   * Set by the engine; a push source answers its sender after it (`ingestBatch` does), so an
   * acknowledged push survives `kill -9`. Absent where nothing publishes (the testing kit's contexts).
   */
  whenDurable?(items: readonly PipelineItem[]): Promise<boolean>
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

/**
 * Routing rules of a delivering transport. A rule that is set must match; a rule about a field the
 * envelope's data does not carry (severity of a `system` event) does not filter that envelope.
 */
export interface DeliveryRoute {
  /** Topics read from the bus (default `['drifts']`). */
  topics?: Topic[]
  /** Tenants whose streams are read (default: the pipeline's tenant). */
  tenants?: string[]
  /** Only drifts at least this severe. */
  min_severity?: Severity
  /** Drift kinds (`missing`, `unmanaged`, `modified`). */
  kinds?: DriftKind[]
  /** Envelope types; a trailing `*` matches a prefix (`drift.*`). */
  types?: string[]
  /** Providers (`aws`, `google`, …) of the drift or change event. */
  providers?: string[]
}

/** How the engine feeds a delivering transport; every field has a default. */
export interface DeliverySpec {
  route?: DeliveryRoute
  /** Most envelopes per `deliver()` call (default 100). */
  batch_size?: number
  /** Batches of one stream in flight at once (default 1); the checkpoint still advances in order. */
  concurrency?: number
  /** Least time between two `deliver()` calls of this node, over all its streams (Slack: 1000). */
  min_interval_ms?: number
  /** Failed attempts of a batch before its events are dead-lettered (default 8). */
  max_attempts?: number
  /** Backoff between attempts: full jitter, first ceiling `base_ms` (default 500), at most `cap_ms` (default 30000). */
  backoff?: { base_ms?: number; cap_ms?: number }
  /** Where a node without a checkpoint starts: only new events (default) or the oldest the bus holds. */
  start_from?: 'latest' | 'oldest'
}

/** One call of `deliver()`: envelopes of one (tenant, topic) stream in offset order, all routed to this node. */
export interface DeliveryBatch {
  tenant: string
  topic: Topic
  envelopes: readonly Envelope[]
  /** 1 on the first try of these envelopes, then 2, 3, … */
  attempt: number
  /** Aborted when the node stops; an answer after that is ignored and the batch is offered again next run. */
  signal: AbortSignal
}

/**
 * A transport's answer to one batch — the vocabulary the engine's delivery loop acts on:
 * - `delivered`: every envelope up to `up_to` (an offset of the batch) arrived; the engine saves the
 *   checkpoint and offers the rest (if any) at once.
 * - `back_off`: nothing past what was delivered arrived; the engine waits (`retry_after_ms` when the
 *   receiver said so, else its backoff) and offers the batch again; after `max_attempts` it gives up on it.
 * - `give_up`: the envelope at `offset` can never be delivered (the receiver refused its content); it
 *   goes to the dead letter at once, envelopes before it count as delivered, the rest is offered again.
 * Throwing from `deliver()` counts as `back_off` with the error's message.
 */
export type DeliveryOutcome =
  | { outcome: 'delivered'; up_to: number }
  | { outcome: 'back_off'; reason: string; retry_after_ms?: number; up_to?: number }
  | { outcome: 'give_up'; offset: number; reason: string }

/**
 * A transport the engine feeds (webhook, slack, file): the engine reads its streams from the durable
 * bus after the stored checkpoint, routes, batches, retries, dead-letters and counts; the plugin only
 * sends a batch and says what happened. Nothing is held in memory beyond the batches in flight.
 */
export interface DeliveringTransportInstance extends TransportInstance {
  delivery: DeliverySpec
  deliver(batch: DeliveryBatch): Promise<DeliveryOutcome>
}

export interface InstanceByKind {
  discovery: ProducerInstance
  source: ProducerInstance
  analysis: OperatorInstance
  remediation: OperatorInstance
  transport: TransportInstance | DeliveringTransportInstance
}

/** A JSON Schema object (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>

/**
 * A real input the conformance suite feeds a plugin (`tfdrift/testing`): every item that comes out must
 * validate against its published schema (events by type, discovery snapshots against snapshot.schema.json).
 */
export interface ConformanceSample {
  /** Names the sample in a failure, e.g. the fixture file. */
  name: string
  /** Options to create the plugin with (default: the suite's, else the schema's first example). */
  options?: Record<string, unknown>
  /** Push sources: the body posted to `path` (default: the only route the plugin registers). */
  push?: { body: unknown; path?: string; headers?: Record<string, string | undefined> }
  /** Operators: the items fed through the operator. */
  input?: PipelineItem[]
  /** What must happen: the push's status (default any 2xx), and at least one item of each of `types` (default: any item). */
  expect?: { status?: number; types?: string[] }
}

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
  /**
   * What the host must start for this plugin before `create`: `server` — the HTTP/WS server (a transport
   * that serves clients says so). The engine learns capabilities here, never from plugin names.
   */
  requires?: { server?: boolean }
  /**
   * JSON Schemas (each with a string `$id`) describing the data of events this plugin publishes; the
   * host registers them with the event validator when it resolves the plugin, so the event catalogue
   * (`schemas/events/<type>.schema.json`) may `$ref` them.
   */
  eventSchemas?: JsonSchema[]
  /** Extra reference for `tfdrift plugins info`: `text` is printed after the summary, `data` merged into `--json`. */
  info?(): { text: string; data: Record<string, unknown> }
  /**
   * For the conformance suite only: real inputs (`samples`, loaded when the suite runs, so fixtures never load
   * at run time). Sources and discovery plugins must supply them; the suite fails them otherwise.
   */
  conformance?: { samples(): ConformanceSample[] | Promise<ConformanceSample[]> }
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
