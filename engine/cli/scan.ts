/**
 * `tfdrift scan`: one-shot reconcile for CI. Exit 0 = in sync, 2 = drift found, 1 = error (like
 * `terraform plan -detailed-exitcode`). Formats: table, json (schemas/scan-result.schema.json),
 * sarif (2.1.0), markdown (PR comments).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { Command, Option } from 'commander'
import { TfdriftError } from '../errors.ts'
import { irregularFileKind } from '../file-kind.ts'
import { SEVERITIES, type Severity, type Snapshot } from '../model.ts'
import { diffSnapshots } from '../drift/compare.ts'
import { IgnoreRules } from '../drift/ignore.ts'
import { isRemote, readExpected, readLive, readPlan, readRemote, resolveStateFiles } from '../drift/scan/inputs.ts'
import { buildScanResult, type ScanResult } from '../drift/scan/result.ts'
import { formatTable, useColour } from '../drift/scan/table.ts'
import { formatMarkdown } from '../drift/scan/markdown.ts'
import { toSarif } from '../drift/scan/sarif.ts'
import { observeWithProvider } from './provider.ts'

export const SCAN_FORMATS = ['table', 'json', 'sarif', 'markdown'] as const
export type ScanFormat = (typeof SCAN_FORMATS)[number]

export interface ScanOptions {
  state?: string[]
  live?: string[]
  plan?: string
  format?: ScanFormat
  ignoreFile?: string
  ignore?: string[]
  minSeverity?: Severity
  /** A discovery plugin (`aws`, a `tfdrift-plugin-*` package or a path) that observes the live side. */
  provider?: string
  /** Provider options: `--region` (regions), `--endpoint`, and `--provider-options` (JSON). */
  region?: string[]
  endpoint?: string
  providerOptions?: string
}

/** Where scan writes; tests pass their own streams. */
export interface ScanIO {
  stdout: { write(s: string): unknown; isTTY?: boolean }
  stderr: { write(s: string): unknown; isTTY?: boolean }
  env?: NodeJS.ProcessEnv
  now?: () => string
}

const PROGRESS_BYTES = 8 * 1024 * 1024

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}

/** Progress on stderr, only on a TTY and only for large inputs. */
function progress(io: ScanIO, files: string[]) {
  let total = 0
  for (const f of files) { try { total += statSync(f).size } catch { /* reported when read */ } }
  const on = io.stderr.isTTY === true && total >= PROGRESS_BYTES
  let done = 0
  return {
    step(label: string) {
      done++
      if (on) io.stderr.write(`\r\u001b[2Kreading ${done}/${files.length}: ${label}`)
    },
    end() { if (on) io.stderr.write('\r\u001b[2K') },
  }
}

function loadIgnore(opts: ScanOptions): IgnoreRules {
  const rules = new IgnoreRules(opts.ignore ?? [])
  const file = opts.ignoreFile ?? (existsSync('.tfdriftignore') ? '.tfdriftignore' : undefined)
  if (file) {
    try {
      // Stat first: reading a FIFO with no writer would block the scan forever.
      const kind = irregularFileKind(statSync(file))
      if (kind) throw new TfdriftError('TFD_ERR_IGNORE_FILE', `${file}: is ${kind}, not a regular file.`)
      rules.add(readFileSync(file, 'utf8'))
    } catch (error) {
      if (error instanceof TfdriftError) throw error
      throw new TfdriftError('TFD_ERR_IGNORE_FILE', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error })
    }
  }
  return rules
}

/** Runs a scan and writes the report; resolves to the exit code (0 in sync, 2 drift, 1 error). */
export async function runScan(opts: ScanOptions, io: ScanIO): Promise<number> {
  try {
    const result = await scan(opts, io)
    const format = opts.format ?? 'table'
    if (format === 'json') io.stdout.write(JSON.stringify(result, null, 2) + '\n')
    else if (format === 'sarif') io.stdout.write(JSON.stringify(toSarif(result, toolVersion()), null, 2) + '\n')
    else if (format === 'markdown') io.stdout.write(formatMarkdown(result))
    else io.stdout.write(formatTable(result, useColour(io.stdout, io.env ?? process.env)))
    return result.summary.in_sync ? 0 : 2
  } catch (error) {
    const e = error as TfdriftError
    if (e?.name === 'TfdriftError') {
      io.stderr.write(`error ${e.code}: ${e.message}\n${e.hint && e.hint !== e.message ? `hint: ${e.hint}\n` : ''}`)
    } else {
      io.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`)
    }
    return 1
  }
}

/** The provider's options from `--provider-options` JSON, `--region` and `--endpoint` (env: TFDRIFT_PROVIDER_ENDPOINT). */
function providerOptions(opts: ScanOptions): Record<string, unknown> {
  let options: Record<string, unknown> = {}
  if (opts.providerOptions) {
    try {
      options = JSON.parse(opts.providerOptions) as Record<string, unknown>
    } catch (error) {
      throw new TfdriftError('TFD_ERR_SCAN_USAGE', `--provider-options is not JSON: ${(error as Error).message}`)
    }
    if (!options || typeof options !== 'object' || Array.isArray(options)) throw new TfdriftError('TFD_ERR_SCAN_USAGE', '--provider-options must be a JSON object.')
  }
  if (opts.region?.length) options.regions = opts.region
  const endpoint = opts.endpoint ?? process.env.TFDRIFT_PROVIDER_ENDPOINT
  if (endpoint) options.endpoint = endpoint
  return options
}

/** Reads inputs and diffs them; throws TfdriftError on bad input. */
export async function scan(opts: ScanOptions, io: ScanIO): Promise<ScanResult> {
  const states = opts.state ?? []
  const lives = opts.live ?? []
  if (opts.plan && lives.length > 0) throw new TfdriftError('TFD_ERR_SCAN_USAGE', 'pass either --live or --plan, not both.')
  if (opts.provider && opts.plan) throw new TfdriftError('TFD_ERR_SCAN_USAGE', 'pass either --provider or --plan, not both.')
  if (opts.provider && states.length === 0) throw new TfdriftError('TFD_ERR_SCAN_USAGE', 'missing --state: --provider observes the live side, the state is the expected one.')
  if (!opts.plan && !opts.provider && (states.length === 0 || lives.length === 0)) {
    throw new TfdriftError('TFD_ERR_SCAN_USAGE', states.length === 0 ? 'missing --state (and --live), or --plan.' : 'missing --live <refreshed.tfstate|snapshot.json> or --plan <plan.json>.')
  }
  if (opts.minSeverity && !SEVERITIES.includes(opts.minSeverity)) {
    throw new TfdriftError('TFD_ERR_SCAN_USAGE', `--min-severity must be one of ${SEVERITIES.join(', ')}.`)
  }
  const ignore = loadIgnore(opts)
  const stateFiles = resolveStateFiles(states)
  const liveFiles = resolveStateFiles(lives)
  const bar = progress(io, [...stateFiles, ...liveFiles, ...(opts.plan ? [opts.plan] : [])])
  const expected: Snapshot[] = []
  const observed: Snapshot[] = []
  // Odd but readable input (a plan without format_version): say so, and go on.
  const warn = (message: string) => io.stderr.write(`warning: ${message}\n`)
  try {
    for (const uri of states.filter(isRemote)) expected.push(...(await readRemote(uri, 'expected')))
    for (const f of stateFiles) { expected.push(readExpected(f)); bar.step(f) }
    for (const uri of lives.filter(isRemote)) observed.push(...(await readRemote(uri, 'observed')))
    for (const f of liveFiles) { observed.push(readLive(f, warn)); bar.step(f) }
    if (opts.provider) observed.push(await observeWithProvider({ use: opts.provider, options: providerOptions(opts), stderr: io.stderr }))
    if (opts.plan) {
      const plan = readPlan(opts.plan, warn)
      bar.step(opts.plan)
      if (expected.length === 0) expected.push(plan.expected)
      observed.push(plan.observed)
    }
  } finally {
    bar.end()
  }
  const now = io.now?.() ?? new Date().toISOString()
  const { drifts, coverage } = diffSnapshots(expected, observed, { ignore, minSeverity: opts.minSeverity, now })
  const count = (snaps: Snapshot[]) => snaps.reduce((n, s) => n + s.resources.filter((r) => r.mode !== 'data' && !r.deposed).length, 0)
  return buildScanResult({
    drifts, coverage, now,
    state: expected.map((s) => s.source), observed: observed.map((s) => s.source),
    expectedCount: count(expected), observedCount: count(observed),
  })
}

/** Builds the `scan` command (registered by engine/cli/main.ts). */
export function scanCommand(): Command {
  return new Command('scan')
    .description('Compare Terraform state with the live cloud (a refreshed state, snapshot JSON or plan JSON) once, for CI.')
    .option('--state <paths...>', 'expected state: tfstate files, directories (every *.tfstate below), globs, s3://bucket/key, https:// (HTTP backend) or tfc://org/workspace')
    .option('--live <paths...>', 'observed state: a refreshed tfstate (terraform apply -refresh-only), a snapshot JSON, or a plan JSON')
    .option('--plan <file>', 'a `terraform show -json` plan; drift comes from its resource_drift (its own prior state is the expected side unless --state is given)')
    .option('--provider <name>', 'observe the live side with a discovery plugin (e.g. aws: the tfdrift-plugin-aws package); finds unmanaged resources too')
    .option('--region <regions...>', 'regions for --provider (default: the plugin\'s, us-east-1 for aws)')
    .option('--endpoint <url>', 'one API endpoint for --provider (LocalStack, tests; env TFDRIFT_PROVIDER_ENDPOINT)')
    .option('--provider-options <json>', 'options of the --provider plugin as a JSON object, e.g. \'{"concurrency":16}\'')
    .addOption(new Option('--format <format>', 'output format').choices([...SCAN_FORMATS]).default('table'))
    .option('--ignore-file <file>', 'gitignore-style ignore rules (default: ./.tfdriftignore when present)')
    .option('--ignore <patterns...>', 'extra ignore patterns, e.g. aws_instance.*.tags.LastScanned')
    .addOption(new Option('--min-severity <severity>', 'report only drifts at least this severe').choices([...SEVERITIES]))
    .addHelpText('after', '\nExit codes: 0 in sync, 2 drift found, 1 error (the error code and source are printed on stderr).')
    .action(async (opts: ScanOptions) => {
      process.exitCode = await runScan(opts, { stdout: process.stdout, stderr: process.stderr })
    })
}
