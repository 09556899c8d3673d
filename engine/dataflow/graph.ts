/**
 * The dataflow graph of a config: node ids, default and explicit wiring, and the wiring checks
 * (duplicate ids, dangling inputs, inputs on producers or from transports, cycles).
 */
import type { TfdriftConfig, PipelineConfig } from '../config/types.ts'
import type { NodeConfig, PluginKind } from '../plugin-api.ts'
import type { Problem } from '../errors.ts'
import { STAGES, nodePointer, type StageName } from '../host/stages.ts'

/** One node of a pipeline with its resolved id and inputs. */
export interface GraphNode {
  id: string
  pipeline: string
  stage: StageName
  /** The plugin kind this stage holds. */
  kind: PluginKind
  index: number
  config: NodeConfig
  /** JSON pointer of the node in the config document. */
  pointer: string
  /** Ids of the nodes it consumes (empty for producers and transports). */
  inputs: string[]
  /** True when `inputs` came from the config rather than the default wiring. */
  explicit: boolean
}

export interface PipelineGraph {
  name: string
  tenant: string
  nodes: GraphNode[]
}

const PRODUCERS: readonly PluginKind[] = ['discovery', 'source']
const OPERATORS: readonly PluginKind[] = ['analysis', 'remediation']

/** Builds one pipeline's nodes: ids default to `<pipeline>.<stage>.<index>`; default wiring follows stage order. */
export function buildPipelineGraph(name: string, pipeline: PipelineConfig): PipelineGraph {
  const nodes: GraphNode[] = []
  for (const { stage, kind } of STAGES) {
    const list = (pipeline as Record<string, unknown>)[stage]
    if (!Array.isArray(list)) continue
    list.forEach((config: NodeConfig, index) => {
      const id = typeof config?.id === 'string' && config.id ? config.id : `${name}.${stage}.${index}`
      nodes.push({ id, pipeline: name, stage, kind, index, config: config ?? ({} as NodeConfig), pointer: nodePointer(name, stage, index), inputs: [], explicit: Array.isArray(config?.inputs) })
    })
  }
  const producers = nodes.filter((n) => PRODUCERS.includes(n.kind)).map((n) => n.id)
  const analysis: string[] = []
  for (const node of nodes) {
    if (node.explicit) {
      node.inputs = [...(node.config.inputs ?? [])]
    } else if (node.kind === 'analysis') {
      // Each analysis node sees every producer and every earlier analysis node (enrichment chains).
      node.inputs = [...producers, ...analysis]
    } else if (node.kind === 'remediation') {
      node.inputs = nodes.filter((n) => n.kind === 'analysis').map((n) => n.id)
    }
    if (node.kind === 'analysis') analysis.push(node.id)
  }
  return { name, tenant: pipeline.tenant ?? 'default', nodes }
}

/** Builds every pipeline of a config. */
export function buildGraph(config: TfdriftConfig): PipelineGraph[] {
  return Object.entries(config.pipelines ?? {}).map(([name, p]) => buildPipelineGraph(name, p ?? {}))
}

/** Every wiring problem of a pipeline: duplicate ids, dangling inputs, inputs that cannot carry items, cycles. */
export function checkWiring(graph: PipelineGraph): Problem[] {
  const problems: Problem[] = []
  const byId = new Map<string, GraphNode>()
  for (const node of graph.nodes) {
    const seen = byId.get(node.id)
    if (seen) problems.push({ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/id`, message: `Node id "${node.id}" is used twice in pipeline "${graph.name}" (also at ${seen.pointer}).`, hint: 'Give each node a unique id.' })
    else byId.set(node.id, node)
  }
  for (const node of graph.nodes) {
    if (!node.explicit) continue
    if (!OPERATORS.includes(node.kind)) {
      if (node.inputs.length > 0) problems.push({ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/inputs`, message: `Node "${node.id}" is a ${node.kind} plugin and consumes nothing; remove its inputs.`, hint: node.kind === 'transport' ? 'Transports subscribe to bus topics instead.' : undefined })
      continue
    }
    node.inputs.forEach((input, i) => {
      const target = byId.get(input)
      if (!target) {
        problems.push({ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/inputs/${i}`, message: `Node "${node.id}" consumes "${input}", which is not a node of pipeline "${graph.name}".`, hint: `Known ids: ${[...byId.keys()].join(', ')}.` })
      } else if (target.kind === 'transport') {
        problems.push({ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/inputs/${i}`, message: `Node "${node.id}" consumes transport "${input}", which emits nothing.`, hint: 'Consume a discovery, source, analysis or remediation node.' })
      } else if (target === node) {
        problems.push({ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/inputs/${i}`, message: `Node "${node.id}" consumes itself.` })
      }
    })
  }
  for (const cycle of findCycles(graph.nodes, byId)) {
    const first = byId.get(cycle[0]!)!
    problems.push({ code: 'TFD_ERR_WIRING', pointer: `${first.pointer}/inputs`, message: `Pipeline "${graph.name}" has a wiring cycle: ${[...cycle, cycle[0]].join(' → ')}.`, hint: 'Items must flow one way; remove one of these inputs.' })
  }
  return problems
}

/** Cycles of length ≥ 2 (self-loops are reported separately), each as the ids along it, found by DFS. */
function findCycles(nodes: GraphNode[], byId: Map<string, GraphNode>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>()
  const cycles: string[][] = []
  const stack: string[] = []
  const visit = (id: string): void => {
    state.set(id, 'visiting')
    stack.push(id)
    for (const input of byId.get(id)?.inputs ?? []) {
      if (input === id || !byId.has(input)) continue
      const s = state.get(input)
      if (s === 'visiting') cycles.push(stack.slice(stack.indexOf(input)).reverse())
      else if (s === undefined) visit(input)
    }
    stack.pop()
    state.set(id, 'done')
  }
  for (const node of nodes) if (!state.has(node.id)) visit(node.id)
  return cycles
}

/** Nodes ordered so each comes after all of its inputs (assumes no cycles). */
export function topoOrder(nodes: GraphNode[]): GraphNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const done = new Set<string>()
  const out: GraphNode[] = []
  const visit = (n: GraphNode): void => {
    if (done.has(n.id)) return
    done.add(n.id)
    for (const input of n.inputs) { const t = byId.get(input); if (t) visit(t) }
    out.push(n)
  }
  nodes.forEach(visit)
  return out
}
