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
  RemediationStatus, RemediationPlan, Coverage,
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
