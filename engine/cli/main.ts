/**
 * The `tfdrift` command line. Exit codes: 0 ok, 1 error (invalid config, failed start, unreadable input),
 * 2 drift found (`scan` only, like `terraform plan -detailed-exitcode`).
 */
import 'reflect-metadata'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { runCommand } from './run.ts'
import { validateCommand } from './validate.ts'
import { initCommand } from './init.ts'
import { pluginsCommand } from './plugins.ts'
import { tapCommand } from './tap.ts'
import { reportError } from './problems.ts'
import { installBuiltins } from '../host/builtins.ts'
import { relaunchWithGcFlags } from './gc-mode.ts'

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Commands that live in their owners' files; a missing one is left out rather than breaking the CLI. */
async function optionalCommand(specifier: string, exportName: string): Promise<Command | undefined> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>
    const factory = mod[exportName]
    return typeof factory === 'function' ? (factory as () => Command)() : undefined
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier.slice(2))) return undefined
    throw error
  }
}

/** Builds the full program (exported for tests and docs). */
export async function buildProgram(): Promise<Command> {
  const program = new Command('tfdrift')
    .description('Find infrastructure drift between Terraform state and the live cloud, and stream it live.')
    .version(VERSION)
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 ok, 1 error, 2 drift found (scan only).\nDocs: README.md, docs/config.md, docs/errors.md.')
  program.addCommand(runCommand())
  const scan = await optionalCommand('./scan.ts', 'scanCommand')
  if (scan) program.addCommand(scan)
  const relay = await optionalCommand('./relay.ts', 'relayCommand')
  if (relay) program.addCommand(relay)
  program.addCommand(validateCommand())
  program.addCommand(initCommand())
  program.addCommand(pluginsCommand())
  program.addCommand(tapCommand())
  return program
}

/** Runs the CLI with `argv` (default: the process's). */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    if (argv === process.argv) {
      const code = await relaunchWithGcFlags(argv)
      if (code !== undefined) {
        process.exitCode = code
        return
      }
    }
    // The composition root: the built-in bundle is wired here, not inside the engine.
    installBuiltins((await import('tfdrift/plugins')).BUILTIN_PLUGINS)
    const program = await buildProgram()
    await program.parseAsync(argv)
  } catch (error) {
    process.exitCode = reportError(error)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
