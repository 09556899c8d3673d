/** `tfdrift validate`: schema, wiring and environment checks; lists every problem at once. */
import { Command } from 'commander'
import { resolveConfig } from '../config/validate.ts'
import { displayPath, printProblems, reportError } from './problems.ts'

/** Builds the `validate` command. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('Check a config: schema, plugin names and options, wiring (cycles, dangling inputs) and environment variables.')
    .option('-c, --config <file>', 'config file (default: search tfdrift.config.* from the current directory up to the project root)')
    .option('--json', 'print the problems as a JSON array on stdout')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid or not loadable (every problem is listed as file#/pointer: message (hint) [CODE]).')
    .action(async (opts: { config?: string; json?: boolean }) => {
      try {
        const resolved = await resolveConfig({ cwd: process.cwd(), configPath: opts.config })
        if (opts.json) process.stdout.write(`${JSON.stringify(resolved.problems, null, 2)}\n`)
        if (resolved.problems.length) {
          if (!opts.json) printProblems(resolved.problems)
          process.exitCode = 1
          return
        }
        const pipelines = Object.entries(resolved.config!.pipelines)
        const nodes = pipelines.reduce((n, [, p]) => n + ['discovery', 'sources', 'analysis', 'remediation', 'transports']
          .reduce((m, stage) => m + ((p as Record<string, unknown[] | undefined>)[stage]?.length ?? 0), 0), 0)
        const what = pipelines.length === 0
          ? 'no pipelines (a relay-only config: `tfdrift relay` serves it; `tfdrift run` needs a pipeline)'
          : `${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'}, ${nodes} node${nodes === 1 ? '' : 's'}`
        if (!opts.json) process.stdout.write(`${displayPath(resolved.file)} is valid: ${what}.\n`)
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
}
