/** `tfdrift run`: load and validate the config, start the runtime, stop gracefully on SIGINT/SIGTERM. */
import { Command } from 'commander'
import { resolveConfig } from '../config/validate.ts'
import { createLogger } from '../logger.ts'
import { TfdriftError } from '../errors.ts'
import { displayPath, printProblems, reportError } from './problems.ts'

/** Builds the `run` command. */
export function runCommand(): Command {
  return new Command('run')
    .description('Run the pipelines of the config (the server starts when a transport needs it). Ctrl-C stops gracefully.')
    .option('-c, --config <file>', 'config file (default: search tfdrift.config.* from the current directory up to the project root)')
    .addHelpText('after', '\nExit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 invalid config or startup error.\nLogs are pretty on a TTY and JSON lines otherwise; TFDRIFT_LOG_LEVEL overrides the level.')
    .action(async (opts: { config?: string }) => {
      try {
        const resolved = await resolveConfig({ cwd: process.cwd(), configPath: opts.config })
        if (!resolved.config) {
          printProblems(resolved.problems)
          process.exitCode = 1
          return
        }
        const config = resolved.config
        // Without pipelines `run` would sit idle forever; a relay-only config is for `tfdrift relay`.
        if (Object.keys(config.pipelines).length === 0) {
          const message = 'the config declares no pipelines, so there is nothing to run'
          throw new TfdriftError('TFD_ERR_RUN_NO_PIPELINES', `${resolved.file}: ${message}.`, {
            problems: [{ code: 'TFD_ERR_RUN_NO_PIPELINES', file: resolved.file, pointer: '/pipelines', message, hint: 'add a pipeline, or start a relay-only config with `tfdrift relay --config …`' }],
          })
        }
        const logger = createLogger({ level: process.env.TFDRIFT_LOG_LEVEL ?? config.log?.level, pretty: config.log?.pretty })
        logger.info({ config: displayPath(resolved.file) }, 'Starting tfdrift.')
        // Signals are handled from before startup: one that arrives while pipelines start stops them right after.
        let runtime: { stop(): Promise<void> } | undefined
        let requested: string | undefined
        let stopping = false
        // `run` is a service: it stays up until a signal, even when no plugin holds a timer or socket open.
        const keepAlive = setInterval(() => {}, 1 << 30)
        const stop = (signal: string) => {
          if (stopping) {
            // A second signal means "now": skip the drain.
            logger.warn({ signal }, 'Second signal received; exiting without waiting for the drain.')
            process.exit(130)
          }
          if (!runtime) {
            requested ??= signal
            return
          }
          stopping = true
          logger.info({ signal }, 'Stopping tfdrift; draining in-flight events.')
          runtime.stop().then(
            () => { clearInterval(keepAlive); logger.info('tfdrift stopped.'); logger.flush?.(); process.exit(process.exitCode ?? 0) },
            (error: unknown) => { logger.error({ err: error }, 'Shutdown failed.'); logger.flush?.(); process.exit(1) },
          )
        }
        // A plugin's stray promise must not take the whole engine down; a thrown exception still stops it cleanly.
        process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'Unhandled promise rejection (a plugin bug?); tfdrift keeps running.'))
        process.on('uncaughtException', (error) => {
          logger.fatal({ err: error }, 'Uncaught exception; stopping tfdrift.')
          process.exitCode = 1
          if (!runtime) process.exit(1)
          if (!stopping) stop('uncaughtException')
        })
        process.on('SIGINT', () => stop('SIGINT'))
        process.on('SIGTERM', () => stop('SIGTERM'))
        const { startRuntime } = await import('../runtime.ts')
        runtime = await startRuntime(config, { configFile: resolved.file, logger })
        if (requested) stop(requested)
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
}
