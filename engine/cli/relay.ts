/**
 * `tfdrift relay`: the headless event relay — WS + SSE fan-out, the publish API and REST over the
 * configured bus (memory, or Redis so several relays share events) and store. No pipelines run.
 */
import { Command } from 'commander'
import type { ServerConfig, TfdriftConfig } from '../config/types.ts'
import { resolveConfig } from '../config/validate.ts'
import { createLogger } from '../logger.ts'
import { TfdriftError } from '../errors.ts'
import { displayPath, printProblems, reportError } from './problems.ts'

interface RelayOptions { config?: string; port?: string; host?: string }

/** Loads the config when one is given or found; a relay runs fine without one (memory bus and store). */
async function relayConfig(opts: RelayOptions): Promise<{ config: TfdriftConfig; file?: string } | undefined> {
  try {
    const resolved = await resolveConfig({ cwd: process.cwd(), configPath: opts.config })
    if (!resolved.config) {
      printProblems(resolved.problems)
      return undefined
    }
    return { config: resolved.config, file: resolved.file }
  } catch (error) {
    if (!opts.config && error instanceof TfdriftError && error.code === 'TFD_ERR_CONFIG_NOT_FOUND') return { config: { pipelines: {} } }
    throw error
  }
}

/** Builds the `relay` command. */
export function relayCommand(): Command {
  return new Command('relay')
    .description('Run only the realtime server (WS, SSE, publish API, REST) over the configured bus and store; no pipelines.')
    .option('-c, --config <file>', 'config file (default: search tfdrift.config.*; none needed)')
    .option('-p, --port <port>', 'port to listen on (overrides server.port)')
    .option('--host <host>', 'interface to bind (overrides server.host)')
    .addHelpText('after', [
      '',
      'Without server.auth in the config, TFDRIFT_TOKEN (if set) is accepted as a read+publish+metrics token for tenant "default".',
      'Publish:   curl -H "authorization: Bearer $TFDRIFT_TOKEN" -H "content-type: application/json" -d \'{"topic":"events","type":"app.deployed","data":{}}\' localhost:8080/api/v1/publish',
      'Subscribe: curl -N "localhost:8080/api/v1/stream?topic=events&token=$TFDRIFT_TOKEN"',
    ].join('\n'))
    .action(async (opts: RelayOptions) => {
      try {
        const loaded = await relayConfig(opts)
        if (!loaded) {
          process.exitCode = 1
          return
        }
        const { config } = loaded
        const logger = createLogger({ level: process.env.TFDRIFT_LOG_LEVEL ?? config.log?.level, pretty: config.log?.pretty })
        const server: ServerConfig = { ...(config.server ?? {}) }
        if (opts.port !== undefined) {
          const port = Number(opts.port)
          if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535 (got ${opts.port}).`)
          server.port = port
        }
        if (opts.host) server.host = opts.host
        if (!server.auth && process.env.TFDRIFT_TOKEN) {
          server.auth = { tokens: [{ token: process.env.TFDRIFT_TOKEN, tenant: 'default', scopes: ['read', 'publish', 'metrics'], name: 'TFDRIFT_TOKEN' }] }
        }
        const [{ createBus }, { openStore }, { startServer }] = await Promise.all([
          import('../bus/create.ts'), import('../store/open.ts'), import('../server/index.ts'),
        ])
        const busConfig = config.bus ?? { kind: 'memory' as const }
        const store = await openStore(config.store ?? { kind: 'memory' }, { cwd: process.cwd(), logger })
        // With a SQLite store the in-process bus journals offsets and persisted topics, so resume survives a restart.
        const bus = await createBus({ ...busConfig, history: busConfig.history ?? server.history }, { logger, store })
        // The engine's registry carries the process metrics (heap, event-loop lag), as under `tfdrift run`.
        const { metricsRegistry } = await import('../metrics.ts')
        const running = await startServer({ config: server, bus, store, logger, metricsRegistry })
        logger.info({ config: loaded.file ? displayPath(loaded.file) : '(none)', port: running.port, bus: busConfig.kind }, 'tfdrift relay running.')
        let stopping = false
        const stop = (signal: string) => {
          if (stopping) process.exit(130)
          stopping = true
          logger.info({ signal }, 'Stopping the relay.')
          void (async () => {
            await running.close()
            await bus.close()
            await store.close()
          })().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'Relay shutdown failed.'); process.exit(1) })
        }
        process.on('SIGINT', () => stop('SIGINT'))
        process.on('SIGTERM', () => stop('SIGTERM'))
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
}
