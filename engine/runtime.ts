/**
 * The runtime behind `tfdrift run`: opens the store and bus, starts the server when a transport needs
 * it (or `config.server` is set), resolves and checks every plugin, then builds and starts the
 * pipelines, and last the live metrics (they read the running nodes). The live graph starts before the
 * pipelines, so its baseline is the graph clients of the previous run were left with, and every snapshot
 * this run writes becomes a delta. `stop()` shuts down gracefully: the live metrics stop first (nothing
 * publishes into a closing bus), then producers, then in-flight items are drained within
 * `shutdown_timeout_ms`, then the live graph publishes what the drained writes changed and stops, then
 * operators, transports, server, store and bus are closed.
 */
import 'reflect-metadata'
import path from 'node:path'
import { config as rxConfig } from 'rxjs'
import type { Logger } from 'pino'
import type { TfdriftConfig } from './config/types.ts'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { Clock, PluginDefinition } from './plugin-api.ts'
import { TfdriftError } from './errors.ts'
import { systemClock } from './clock.ts'
import { createLogger } from './logger.ts'
import { createBus } from './bus/create.ts'
import { openStore } from './store/open.ts'
import { createRootContainer } from './host/context.ts'
import { checkAll, type CheckedNode } from './host/check.ts'
import { IngressTable } from './host/ingress.ts'
import { Dataflow } from './dataflow/dataflow.ts'
import type { NodeStats } from './dataflow/node.ts'
import type { BackoffOptions } from './dataflow/backoff.ts'
import type { PersistOptions } from './dataflow/persist.ts'
import { metricsRegistry, registerNodeCounters } from './metrics.ts'
import type { Server } from './server/index.ts'
import { DEFAULT_METRICS_INTERVAL_MS, startLiveMetrics } from './live-metrics.ts'
import { GraphCache } from './graph/view-cache.ts'
import { startLiveGraph, type LiveGraph } from './graph/live-graph.ts'

export interface RuntimeOptions {
  /** The config file, so relative plugin paths resolve from its folder. */
  configFile?: string
  logger?: Logger
  /** Working directory for the store path (default: the config file's folder, else process.cwd()). */
  cwd?: string
  clock?: Clock
  /** Restart backoff (tests shorten it). */
  backoff?: Partial<BackoffOptions>
  /** Store writer batching, or false to not persist pipeline items. */
  persist?: PersistOptions | false
  /** Use these instead of opening them from the config; the caller owns them (stop() flushes the store, closes neither). */
  bus?: Bus
  store?: Store
  /** Plugins resolvable by name (default: the bundle of `tfdrift/plugins`, see host/builtins.ts). */
  builtins?: readonly PluginDefinition[]
}

/** A running tfdrift: its bus and store, node counters, and a graceful stop. */
export interface Runtime {
  bus: Bus
  store: Store
  /** Counters of every node (received, emitted, dropped, errors, queue_depth, restarts) and its state. */
  stats(): { nodes: NodeStats[] }
  /** Routes source plugins registered when no server runs (tests, headless runs). */
  ingress: IngressTable
  stop(): Promise<void>
  /** The HTTP/WS server, when a transport needs it or `config.server` is set. */
  server?: Server
}

/** An ingress that only records routes; used when no server runs. */
export class RecordingIngress extends IngressTable {}

/** The server runs when the config sets `server` or a plugin of the config declares `requires.server`. */
function needsServer(config: TfdriftConfig, nodes: readonly CheckedNode[]): boolean {
  if (config.server) return true
  return nodes.some((n) => n.definition.requires?.server === true)
}

/** Loads the server only when needed (it brings uWebSockets.js and fastify). */
async function loadServer(): Promise<typeof import('./server/index.ts')> {
  return import('./server/index.ts')
}

/** Boots store, bus, server and pipelines. Throws TfdriftError (with every problem) when plugins do not check out. */
export async function startRuntime(config: TfdriftConfig, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger({ level: config.log?.level, pretty: config.log?.pretty })
  const clock = opts.clock ?? systemClock
  const configDir = opts.configFile ? path.dirname(path.resolve(opts.configFile)) : (opts.cwd ?? process.cwd())
  const cwd = opts.cwd ?? configDir

  const { problems, nodes } = await checkAll(config, { configDir, builtins: opts.builtins })
  if (problems.length > 0) {
    throw new TfdriftError(problems[0]!.code, `The pipelines cannot start: ${problems.length} problem(s), first: ${problems[0]!.message}`, { problems })
  }

  // Errors thrown inside a plugin's raw subscribe callbacks would otherwise crash the process from a timer.
  if (!rxConfig.onUnhandledError) rxConfig.onUnhandledError = (error) => logger.error({ err_message: (error as Error)?.message }, 'A plugin threw outside its observable chain; the event was lost.')

  const store = opts.store ?? await openStore(config.store ?? { kind: 'sqlite' }, { cwd, clock, logger })
  let bus: Bus
  try {
    // The store doubles as the bus journal, so offsets and persisted topics survive a restart.
    bus = opts.bus ?? await createBus(config.bus ?? { kind: 'memory' }, { clock, logger, store })
  } catch (error) {
    await store.close().catch(() => {})
    throw error
  }

  let ingress: IngressTable = new RecordingIngress()
  let server: Runtime['server']
  // One state view per process: REST and the live stats publisher would otherwise each load every snapshot.
  const graphs = new GraphCache(store)
  try {
    if (needsServer(config, nodes)) {
      const { startServer } = await loadServer()
      const started = await startServer({ config: config.server ?? {}, bus, store, logger, metricsRegistry, clock, graphs })
      server = started
      ingress = started.ingress
    }
  } catch (error) {
    await bus.close().catch(() => {})
    await store.close().catch(() => {})
    throw error
  }

  const tenants = Object.fromEntries(Object.entries(config.pipelines ?? {}).map(([name, p]) => [name, p?.tenant ?? 'default']))
  const root = createRootContainer({ bus, store, clock, ingress, logger })
  let liveGraph: LiveGraph | undefined
  const dataflow = new Dataflow(nodes, {
    root, bus, store, clock, logger, tenants, backoff: opts.backoff, persist: opts.persist, stored: (tenant, what) => liveGraph?.stored(tenant, what),
  })
  const unregister = registerNodeCounters(() => dataflow.stats())
  try {
    liveGraph = await startLiveGraph({ bus, graphs, logger, tenants: Object.values(tenants) })
    await dataflow.start()
  } catch (error) {
    // A node refused to start (an ingress route of its tenant is taken): nothing stays half-running.
    await dataflow.stop(0).catch(() => {})
    await liveGraph?.stop().catch(() => {})
    unregister()
    await server?.close().catch(() => {})
    if (!opts.bus) await bus.close().catch(() => {})
    if (!opts.store) await store.close().catch(() => {})
    throw error
  }
  logger.info({ pipelines: Object.keys(tenants), nodes: nodes.length }, 'Pipelines started.')
  const liveMetrics = startLiveMetrics({
    bus, store, logger, intervalMs: config.metrics?.interval_ms ?? DEFAULT_METRICS_INTERVAL_MS, tenants: Object.values(tenants),
    probes: () => dataflow.probes(), clients: server ? (tenant) => server!.clients(tenant) : undefined, graphs,
  })

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    const timeout = config.shutdown_timeout_ms ?? 10_000
    await liveMetrics.stop()
    try {
      await dataflow.stop(timeout)
    } catch (error) {
      logger.error({ err_message: (error as Error)?.message }, 'Draining the pipelines failed; closing anyway.')
    }
    await liveGraph?.stop().catch((error: unknown) => logger.warn({ err_message: (error as Error)?.message }, 'Stopping the live graph failed; closing anyway.'))
    unregister()
    const closing: Array<[string, () => unknown]> = [
      ['server', () => server?.close()],
      // The bus closes first: it journals its last offsets into the store.
      ['bus', () => (opts.bus ? undefined : bus.close())],
      ['store', async () => { await store.flush(); if (!opts.store) await store.close() }],
    ]
    for (const [what, close] of closing) {
      try { await close() } catch (error) { logger.warn({ err_message: (error as Error)?.message }, `Closing the ${what} failed.`) }
    }
    root.dispose?.()
  }
  return {
    bus, store, ingress, server,
    stats: () => ({ nodes: dataflow.stats() }),
    stop: () => (stopping ??= stop()),
  }
}
