/** `tfdrift plugins list`: built-in plugins plus installed `tfdrift-plugin-*` packages. */
import { builtins } from '../host/builtins.ts'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Command } from 'commander'
import { reportError } from './problems.ts'
import { TfdriftError } from '../errors.ts'

export interface PluginRow {
  name: string
  kind: string
  version: string
  description: string
  /** `builtin` or the package's directory. */
  origin: string
}

const PACKAGE_NAME = /^(@[^/]+\/)?tfdrift-plugin-[a-z0-9._-]+$/

/** Built-in plugins: the bundle the composition root installed (`tfdrift/plugins` by default). */
export async function builtinPlugins(): Promise<PluginRow[]> {
  return (await builtins()).map((p) => ({ name: p.name, kind: p.kind, version: p.version, description: p.description ?? '', origin: 'builtin' }))
}

/** `tfdrift-plugin-*` and `@scope/tfdrift-plugin-*` packages in the node_modules folders from `dir` upwards. */
export async function installedPlugins(dir: string): Promise<PluginRow[]> {
  const rows: PluginRow[] = []
  const seen = new Set<string>()
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const modules = path.join(current, 'node_modules')
    if (existsSync(modules)) {
      for (const pkgDir of packageDirs(modules)) {
        const row = await describePackage(pkgDir)
        if (row && !seen.has(row.name)) {
          seen.add(row.name)
          rows.push(row)
        }
      }
    }
    if (path.dirname(current) === current) break
  }
  return rows
}

function packageDirs(modules: string): string[] {
  const dirs: string[] = []
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (entry.name.startsWith('@') && (entry.isDirectory() || entry.isSymbolicLink())) {
      for (const scoped of readdirSync(path.join(modules, entry.name))) {
        if (PACKAGE_NAME.test(`${entry.name}/${scoped}`)) dirs.push(path.join(modules, entry.name, scoped))
      }
    } else if (PACKAGE_NAME.test(entry.name)) dirs.push(path.join(modules, entry.name))
  }
  return dirs
}

/** Reads name/version/description from package.json; the kind from `tfdrift.kind` there, else from the plugin itself. */
async function describePackage(pkgDir: string): Promise<PluginRow | undefined> {
  let pkg: { name?: string; version?: string; description?: string; main?: string; exports?: unknown; tfdrift?: { kind?: string } }
  try {
    pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (!pkg.name || !PACKAGE_NAME.test(pkg.name)) return undefined
  let kind = pkg.tfdrift?.kind
  let description = pkg.description ?? ''
  if (!kind) {
    try {
      const { createJiti } = await import('jiti')
      const definition = (await createJiti(pathToFileURL(path.join(pkgDir, 'index.js')).href).import(pkgDir, { default: true })) as { kind?: string; description?: string }
      kind = definition?.kind
      description ||= definition?.description ?? ''
    } catch (error) {
      description = `${description}${description ? ' ' : ''}(could not be loaded: ${(error as Error).message.split('\n')[0]})`
    }
  }
  return { name: pkg.name, kind: kind ?? '?', version: pkg.version ?? '?', description, origin: pkgDir }
}

function table(rows: PluginRow[]): string {
  const headers = ['NAME', 'KIND', 'VERSION', 'DESCRIPTION']
  const cells = rows.map((r) => [r.origin === 'builtin' ? r.name : `${r.name} (installed)`, r.kind, r.version, r.description])
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(headers), ...cells.map(line)].join('\n')
}

/** Builds the `plugins` command group (`plugins list`). */
export function pluginsCommand(): Command {
  const plugins = new Command('plugins').description('Inspect available plugins.')
  plugins
    .command('list')
    .description('List built-in plugins and installed tfdrift-plugin-* / @scope/tfdrift-plugin-* packages: name, kind, version, description.')
    .option('--json', 'print a JSON array instead of a table')
    .addHelpText('after', '\nExit codes: 0 listed, 1 error.')
    .action(async (opts: { json?: boolean }) => {
      try {
        const rows = [...(await builtinPlugins()), ...(await installedPlugins(process.cwd()))]
        process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows)}\n`)
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
  plugins
    .command('info <name>')
    .description('Describe one plugin; for cloudtrail and falco also what the event mapping table covers (counts, then every mapped event → Terraform type, operation and attribute paths).')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExit codes: 0 described, 1 error (e.g. no such plugin).')
    .action(async (name: string, opts: { json?: boolean }) => {
      try {
        const row = [...(await builtinPlugins()), ...(await installedPlugins(process.cwd()))].find((r) => r.name === name)
        if (!row) throw new TfdriftError('TFD_ERR_PLUGIN_NOT_FOUND', `No plugin named "${name}"; run \`tfdrift plugins list\` to see the available ones.`)
        // A plugin may add its own reference (the audit-event sources: what their mapping table covers).
        const definition = row.origin === 'builtin' ? (await builtins()).find((d) => d.name === name) : undefined
        const extra = definition?.info?.()
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...row, ...(extra?.data ?? {}) }, null, 2)}\n`)
        else process.stdout.write(`${table([row])}\n${extra ? `\n${extra.text}\n` : ''}`)
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
  return plugins
}
