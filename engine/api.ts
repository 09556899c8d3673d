/**
 * The public API of tfdrift: what configs and third-party plugins import (`import { … } from 'tfdrift'`).
 * Plugins see only this surface, never the engine's internals. Others append re-exports below.
 */
export { defineConfig } from './config/types.ts'
export type { TfdriftConfig, PipelineConfig, ServerConfig, StoreConfig, BusConfig, TokenConfig, Scope } from './config/types.ts'
export { definePlugin, nodeHelper, API_VERSION, PLUGIN_KINDS } from './plugin-api.ts'
export type {
  PluginDefinition, PluginKind, PluginContext, PipelineItem, NodeConfig, QueuePolicy, Clock, PluginMetrics, Demand,
  Ingress, IngressRoute, IngressDeclaration, ProducerInstance, OperatorInstance, TransportInstance, InstanceByKind, JsonSchema,
  DeliveringTransportInstance, DeliveryBatch, DeliveryOutcome, DeliveryRoute, DeliverySpec,
} from './plugin-api.ts'
// Delivering transports: the options every one of them shares (route, batching, retries), as schema properties.
export { DELIVERY_OPTIONS_SCHEMA, deliverySpec, withDeliveryOptions } from './delivery/options.ts'
export type { DeliveryOptions } from './delivery/options.ts'
export { TOPICS, isTopic } from './envelope.ts'
export type { Envelope, Publication, Topic, SubscriptionTopic } from './envelope.ts'
export { SEVERITIES } from './model.ts'
export type {
  ResourceInstance, Snapshot, Actor, ChangeEvent, AttributeChange, DriftKind, DriftStatus, Drift, Severity,
  RemediationStatus, RemediationPlan, Coverage, EventAttribute, EventTarget,
} from './model.ts'
export type { Bus } from './bus/bus.ts'
export type { Store } from './store/store.ts'
export { TfdriftError, ERRORS } from './errors.ts'
export type { ErrorCode, Problem } from './errors.ts'
// Terraform readers and the resource graph: for plugins that read state or emit snapshots.
export { parseAddress, formatAddress, formatIndexKey } from './terraform/address.ts'
export type { AddressParts, ParsedAddress, IndexKey } from './terraform/address.ts'
export { parseState } from './terraform/state.ts'
export type { ParseStateOptions } from './terraform/state.ts'
export { parsePlan } from './terraform/plan.ts'
export type { PlanSnapshots, ParsePlanOptions } from './terraform/plan.ts'
export { parseSnapshotFile, toSnapshotFile, readObserved, readExpected, SNAPSHOT_FORMAT } from './terraform/snapshot.ts'
export type { SnapshotFile } from './terraform/snapshot.ts'
export { buildGraph } from './graph/index.ts'
export type { ResourceGraph, GraphNode, GraphEdge, ImpactEntry } from './graph/index.ts'
// Drift analyzer: compare snapshots, normalise values, ignore and rate drifts.
export { diffSnapshots, compareInstances, IgnoreRules, SeverityRater, DEFAULT_SEVERITY_RULES, registerSetAttributes, maskDrift, maskChange, maskSecrets, MASK, coverageOf, driftId } from './drift/index.ts'
export type { DiffOptions, DiffResult, SeverityRule } from './drift/index.ts'
export { instanceId, expandFlatmap, atLeast, deepEqual } from './drift/index.ts'
// One ajv factory for every JSON Schema validator (drafts and formats decided once).
export { createAjv, isDraft07 } from './schema/ajv.ts'
export type { CreateAjvOptions } from './schema/ajv.ts'
// Ids: ULIDs for events, drifts and plans.
export { newId } from './ids.ts'
// Push sources (HTTP ingress): a bounded channel between route handlers and the output, per-item results as data.
export { BoundedChannel } from './sources/channel.ts'
export { ingestBatch } from './sources/ingest.ts'
export type { ItemResult } from './sources/ingest.ts'
// Delivering transports over HTTP: one POST with a timeout, and its answer as a DeliveryOutcome.
export { post as postHttp, outcomeOf as httpOutcome, retryAfterMs } from './delivery/http.ts'
export type { PostResult } from './delivery/http.ts'
export { summarize as summarizeEnvelope } from './envelope-format.ts'
// Remediation: a drift as a proposed plan, and the HCL encoder plans are written with.
export { toPlan } from './remediation/drift-plan.ts'
export type { PlanOptions } from './remediation/drift-plan.ts'
export { hclString, hclValue, hclKey, formatHcl, shellQuote } from './remediation/hcl.ts'
