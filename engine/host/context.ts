/**
 * Builds a PluginContext through tsyringe: the runtime registers shared services (bus, store, clock,
 * ingress) in a root container; every plugin instance gets its own child container with its logger,
 * metrics, AbortSignal and demand, and the context is resolved from it by explicit tokens.
 */
import 'reflect-metadata'
import { container as globalContainer, type DependencyContainer } from 'tsyringe'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { Clock, Demand, Ingress, PluginContext, PluginMetrics } from '../plugin-api.ts'
import { TOKENS } from './tokens.ts'
import { whenDurable } from '../dataflow/acks.ts'

/** Identity of a plugin instance inside the engine. */
export interface NodeInfo {
  plugin: string
  pipeline: string
  tenant: string
  node: string
  /** Discovery nodes upstream of an operator node. */
  discovery?: readonly string[]
}

/** The root container of one runtime, holding the services every plugin shares. */
export function createRootContainer(services: { bus: Bus; store: Store; clock: Clock; ingress: Ingress; logger: Logger }): DependencyContainer {
  const root = globalContainer.createChildContainer()
  root.register(TOKENS.Bus, { useValue: services.bus })
  root.register(TOKENS.Store, { useValue: services.store })
  root.register(TOKENS.Clock, { useValue: services.clock })
  root.register(TOKENS.Ingress, { useValue: services.ingress })
  root.register(TOKENS.Logger, { useValue: services.logger })
  root.register(TOKENS.PluginContext, {
    useFactory: (c): PluginContext => {
      const info = c.resolve<NodeInfo>(TOKENS.NodeInfo)
      return {
        logger: c.resolve<Logger>(TOKENS.Logger),
        bus: c.resolve<Bus>(TOKENS.Bus),
        store: c.resolve<Store>(TOKENS.Store),
        clock: c.resolve<Clock>(TOKENS.Clock),
        signal: c.resolve<AbortSignal>(TOKENS.Signal),
        metrics: c.resolve<PluginMetrics>(TOKENS.Metrics),
        demand: c.resolve<Demand>(TOKENS.Demand),
        ingress: c.resolve<Ingress>(TOKENS.Ingress),
        pipeline: info.pipeline,
        tenant: info.tenant,
        node: info.node,
        ...(info.discovery ? { discovery: info.discovery } : {}),
        whenDurable: (items) => whenDurable(items),
      }
    },
  })
  return root
}

/** A fresh child container and context for one plugin instance (one per start, restarts included). */
export function createPluginContext(root: DependencyContainer, info: NodeInfo, parts: { signal: AbortSignal; demand: Demand; metrics: PluginMetrics; ingress?: Ingress }): { context: PluginContext; container: DependencyContainer } {
  const child = root.createChildContainer()
  const logger = root.resolve<Logger>(TOKENS.Logger).child({ plugin: info.plugin, pipeline: info.pipeline, node: info.node })
  child.register(TOKENS.Logger, { useValue: logger })
  child.register(TOKENS.NodeInfo, { useValue: info })
  child.register(TOKENS.Signal, { useValue: parts.signal })
  child.register(TOKENS.Demand, { useValue: parts.demand })
  child.register(TOKENS.Metrics, { useValue: parts.metrics })
  if (parts.ingress) child.register(TOKENS.Ingress, { useValue: parts.ingress })
  return { context: child.resolve<PluginContext>(TOKENS.PluginContext), container: child }
}
