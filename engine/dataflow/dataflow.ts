/**
 * Builds and runs the nodes of every pipeline: one supervised node per config node, wired by the
 * graph (`inputs`), each node's output also going to its pipeline's bus publisher and store writer.
 * Start order: transports, then operators (downstream first), then producers. Stop order: producers
 * are aborted, operators drain and complete in wiring order, then transports close, then the writers.
 */
import type { DependencyContainer } from 'tsyringe'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { Clock } from '../plugin-api.ts'
import type { CheckedNode } from '../host/check.ts'
import { topoOrder, type GraphNode } from './graph.ts'
import { SupervisedNode, TransportNode, type NodeEnv, type NodeStats } from './node.ts'
import { ProducerNode } from './producer.ts'
import { OperatorNode } from './operator.ts'
import { PublishSink } from './publish.ts'
import { PersistSink, type PersistOptions } from './persist.ts'
import { PipelineOutput } from './output.ts'
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts'
import type { LatencySummary } from './latency.ts'

export interface DataflowOptions {
  root: DependencyContainer
  bus: Bus
  store: Store
  clock: Clock
  logger: Logger
  /** Tenant of each pipeline. */
  tenants: Record<string, string>
  backoff?: Partial<BackoffOptions>
  persist?: PersistOptions | false
  /** Told after a pipeline's store writer wrote snapshots or drifts of its tenant. */
  stored?: (tenant: string, what: { snapshots: boolean; drifts: boolean }) => void
}

/** One node as the live metrics read it: its counters, its pipeline's tenant, and (operators) its latency window. */
export interface NodeProbe { tenant: string; stats: NodeStats; latency?: { takeLatency(items: number): LatencySummary } }

/** The running nodes of all pipelines. */
export class Dataflow {
  readonly nodes = new Map<string, SupervisedNode>()
  private readonly publishers: PublishSink[] = []
  private readonly writers: PersistSink[] = []
  private order: GraphNode[] = []

  constructor(private readonly checked: CheckedNode[], private readonly opts: DataflowOptions) {}

  private key(pipeline: string, id: string): string { return `${pipeline}\u0000${id}` }

  /** Creates every node, wires them, and starts them (transports, operators, then producers); throws a node's refusal to start. */
  async start(): Promise<void> {
    const { opts } = this
    const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
    const perPipeline = new Map<string, { output: PipelineOutput; env: NodeEnv }>()
    for (const c of this.checked) {
      const p = c.node.pipeline
      if (perPipeline.has(p)) continue
      const tenant = opts.tenants[p] ?? 'default'
      const log = opts.logger.child({ pipeline: p })
      const publisher = new PublishSink(opts.bus, tenant, log)
      const writer = opts.persist === false ? undefined : new PersistSink(opts.store, tenant, p, log, opts.persist)
      this.publishers.push(publisher)
      if (writer) {
        this.writers.push(writer)
        writer.onSaved = (what) => opts.stored?.(tenant, what)
      }
      const env: NodeEnv = {
        root: opts.root, clock: opts.clock, logger: opts.logger, tenant, backoff,
        system: (type, data) => {
          opts.bus.publish({ topic: 'system', type, tenant, data }).catch((error: unknown) => log.debug({ err_message: (error as Error)?.message }, 'Could not publish a system event.'))
        },
      }
      perPipeline.set(p, { output: new PipelineOutput(publisher, writer), env })
    }
    for (const c of this.checked) {
      const { env, output } = perPipeline.get(c.node.pipeline)!
      const Kind = c.node.kind === 'analysis' || c.node.kind === 'remediation' ? OperatorNode : c.node.kind === 'transport' ? TransportNode : ProducerNode
      const node = new Kind(c.node, c.definition, c.options, env)
      node.output = output
      output.room.watch(node)
      this.nodes.set(this.key(c.node.pipeline, c.node.id), node)
    }
    for (const node of this.nodes.values()) {
      for (const input of node.node.inputs) {
        const upstream = this.nodes.get(this.key(node.node.pipeline, input))
        // Wiring was checked before; a missing upstream here is a node that failed resolution.
        if (upstream && node instanceof OperatorNode) { upstream.downstream.push(node); node.room.watch(upstream) }
      }
    }
    this.order = topoOrder(this.checked.map((c) => c.node))
    for (const node of this.nodes.values()) {
      if (node instanceof OperatorNode) node.discovery = discoveryUpstream(node.node, (id) => this.nodes.get(this.key(node.node.pipeline, id))?.node)
    }
    const all = [...this.nodes.values()]
    await Promise.all(all.filter((n) => n instanceof TransportNode).map((n) => n.start()))
    for (const g of [...this.order].reverse()) {
      const n = this.nodes.get(this.key(g.pipeline, g.id))
      if (n instanceof OperatorNode) await n.start()
    }
    await Promise.all(all.filter((n) => n instanceof ProducerNode).map((n) => n.start()))
    const refusal = all.find((n) => n.refusal)?.refusal
    if (refusal) throw refusal
  }

  /** Counters and state of every node. */
  stats(): NodeStats[] {
    return [...this.nodes.values()].map((n) => n.snapshot())
  }

  /** Every node's counters and latency samples, and every pipeline's bus publisher (for the live metrics). */
  probes(): { nodes: NodeProbe[]; publishers: readonly PublishSink[] } {
    const nodes = [...this.nodes.values()].map((n): NodeProbe => ({
      tenant: this.opts.tenants[n.node.pipeline] ?? 'default', stats: n.snapshot(), latency: n instanceof OperatorNode ? n : undefined,
    }))
    return { nodes, publishers: this.publishers }
  }

  /** Graceful stop within `timeoutMs`: abort producers, drain operators in order, close transports, flush writers. */
  async stop(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs) })
    try {
      const all = [...this.nodes.values()]
      await Promise.all(all.filter((n) => n instanceof ProducerNode).map((n) => n.stop()))
      for (const g of this.order) {
        const n = this.nodes.get(this.key(g.pipeline, g.id))
        if (n instanceof OperatorNode) await n.drainAndStop(deadline)
      }
      await Promise.race([Promise.all(this.publishers.map((p) => p.whenIdle())), deadline])
      await Promise.all(all.filter((n) => n instanceof TransportNode).map((n) => n.stop()))
      await Promise.race([Promise.all(this.writers.map((w) => w.flush())), deadline])
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The discovery nodes whose items reach `node`, following `inputs` through operators. */
function discoveryUpstream(node: GraphNode, byId: (id: string) => GraphNode | undefined): string[] {
  const found = new Set<string>()
  const visited = new Set<string>()
  const walk = (n: GraphNode) => {
    for (const id of n.inputs) {
      if (visited.has(id)) continue
      visited.add(id)
      const input = byId(id)
      if (!input) continue
      if (input.kind === 'discovery') found.add(id)
      else walk(input)
    }
  }
  walk(node)
  return [...found]
}
