/**
 * `checkPipelines`: everything about a config's pipelines that can be known before running — each
 * node's plugin resolves, its kind fits its stage, its options match its schema, the wiring is sound,
 * and no tenant declares one ingress route twice. Returns every problem at once and never throws
 * (`tfdrift validate` prints them).
 */
import type { TfdriftConfig } from '../config/types.ts'
import type { PluginDefinition } from '../plugin-api.ts'
import type { Problem } from '../errors.ts'
import { builtins as defaultBuiltins, registerPluginSchemas } from './builtins.ts'
import { buildGraph, checkWiring, type GraphNode } from '../dataflow/graph.ts'
import { resolvePlugin } from './resolve.ts'
import { validateOptions } from './options.ts'
import { checkIngress, type DeclaringNode } from './ingress.ts'

/** A node whose plugin resolved and whose options validated (defaults applied). */
export interface CheckedNode {
  node: GraphNode
  definition: PluginDefinition
  options: Record<string, unknown>
}

/** Resolves and validates one node; returns the problems, or the checked node. */
export async function checkNode(node: GraphNode, configDir: string, builtins?: readonly PluginDefinition[]): Promise<{ checked?: CheckedNode; problems: Problem[] }> {
  const resolved = await resolvePlugin(node.config.use, { builtins: builtins ?? await defaultBuiltins(), configDir, pointer: `${node.pointer}/use` })
  if ('problem' in resolved) return { problems: [resolved.problem] }
  const def = resolved.definition
  registerPluginSchemas(def)
  if (def.kind !== node.kind) {
    return { problems: [{ code: 'TFD_ERR_WIRING', pointer: `${node.pointer}/use`, message: `Plugin "${def.name}" is a ${def.kind} plugin but is listed under ${node.stage} in pipeline "${node.pipeline}".`, hint: `Move it to the stage for ${def.kind} plugins.` }] }
  }
  const options = validateOptions(def, node.config.with, `${node.pointer}/with`)
  if (!options.ok) return { problems: options.problems }
  return { checked: { node, definition: def, options: options.options }, problems: [] }
}

/** Every problem of every pipeline: plugin resolution, kind, options, wiring. Never throws. */
export async function checkPipelines(config: TfdriftConfig, opts: { configDir: string; builtins?: readonly PluginDefinition[] }): Promise<Problem[]> {
  try {
    const { problems } = await checkAll(config, opts)
    return problems
  } catch (error) {
    return [{ code: 'TFD_ERR_CONFIG_INVALID', pointer: '/pipelines', message: `The pipelines could not be checked: ${(error as Error).message}` }]
  }
}

/** Like checkPipelines, also returning the checked nodes (the runtime builds from them). */
export async function checkAll(config: TfdriftConfig, opts: { configDir: string; builtins?: readonly PluginDefinition[] }): Promise<{ problems: Problem[]; nodes: CheckedNode[] }> {
  const problems: Problem[] = []
  const nodes: CheckedNode[] = []
  const declaring: DeclaringNode[] = []
  const builtins = opts.builtins ?? await defaultBuiltins()
  for (const graph of buildGraph(config)) {
    problems.push(...checkWiring(graph))
    const results = await Promise.all(graph.nodes.map((node) => checkNode(node, opts.configDir, builtins)))
    for (const r of results) {
      problems.push(...r.problems)
      if (!r.checked) continue
      nodes.push(r.checked)
      declaring.push({ ...r.checked, tenant: graph.tenant })
    }
  }
  problems.push(...checkIngress(declaring))
  return { problems, nodes }
}
