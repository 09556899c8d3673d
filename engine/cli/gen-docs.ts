/**
 * Generates `docs/errors.md` from the ERRORS catalogue, `docs/config.md` from the config schema's
 * descriptions, defaults and examples, and `docs/plugins.md` from every built-in plugin's options schema
 * (the registry of `tfdrift/plugins`, as the host sees them: shared delivery options included).
 * `npm run docs` writes them; `--check` exits 1 when they are stale (tests run the same comparison).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERRORS } from '../errors.ts'
import { readSchema } from '../config/validate.ts'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import { PLUGIN_KINDS, type PluginDefinition } from '../plugin-api.ts'
import { generatedTypes } from './gen-types.ts'

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The text of docs/errors.md. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).sort(([a], [b]) => a.localeCompare(b)).map(([code, message]) => `| \`${code}\` | ${escapeCell(message)} |`)
  return [
    '# Error codes',
    '',
    '<!-- Generated from engine/errors.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every error tfdrift reports carries one of these stable codes. Codes are never reused.',
    'Validation prints each problem as `file#/json/pointer: message (hint) [CODE]`.',
    '',
    '| Code | What it means and what to do |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

type Schema = Record<string, any>

interface Row { path: string; type: string; fallback: string; description: string; example: string }

function resolve(schema: Schema, root: Schema, server: Schema): Schema {
  const ref = schema.$ref as string | undefined
  if (!ref) return schema
  const target = ref === 'server-config.schema.json' ? server : ref.startsWith('#/$defs/') ? root.$defs[ref.slice(8)] : undefined
  if (!target) throw new Error(`gen-docs: cannot resolve $ref ${ref}`)
  return { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) }
}

function typeOf(schema: Schema): string {
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (branches && schema.type === undefined) return [...new Set(branches.map((b) => (b.$ref ? 'object' : b.type === 'array' && b.items?.$ref ? 'object[]' : typeOf(b))))].join(' \\| ')
  if (schema.enum) return schema.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(' \\| ')
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``
  if (schema.type === 'array') return schema.items?.enum || schema.items?.const !== undefined ? `(${typeOf(schema.items)})[]` : `${schema.items?.type ?? (schema.items?.$ref ? 'node' : 'any')}[]`
  return [schema.type ?? 'any'].flat().join(' \\| ')
}

const code = (value: unknown) => (value === undefined ? '' : `\`${JSON.stringify(value)}\``)

function walk(schema: Schema, at: string, root: Schema, server: Schema, rows: Row[], required: boolean): void {
  const s = resolve(schema, root, server)
  if (at) {
    rows.push({ path: `\`${at}\`${required ? ' (required)' : ''}`, type: typeOf(s), fallback: code(s.default), description: escapeCell(s.description ?? ''), example: escapeCell(code(s.examples?.[0])) })
  }
  const props = (s.properties ?? {}) as Record<string, Schema>
  for (const [name, child] of Object.entries(props)) {
    if (name === '$schema' && at === '') continue
    walk(child, at ? `${at}.${name}` : name, root, server, rows, (s.required ?? []).includes(name))
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}.<name>`, root, server, rows, false)
  if (s.type === 'array' && s.items && typeof s.items === 'object') {
    const item = resolve(s.items, root, server)
    if (item.properties) for (const [name, child] of Object.entries(item.properties as Record<string, Schema>)) {
      walk(child, `${at}[].${name}`, root, server, rows, (item.required ?? []).includes(name))
    }
  }
}

/** The text of docs/config.md. */
export function renderConfigDoc(): string {
  const root = readSchema('config.schema.json')
  const server = readSchema('server-config.schema.json')
  const rows: Row[] = []
  walk(root, '', root, server, rows, false)
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from schemas/config.schema.json and schemas/server-config.schema.json by `npm run docs`; do not edit by hand. -->',
    '',
    `${root.description}`,
    '',
    'A config is `tfdrift.config.{ts,mts,js,mjs,json,yaml,yml}` or `.tfdriftrc[.json|.yaml|.yml]`, searched from the current',
    'directory up to the project root (the nearest directory holding `package.json` or `.git`), or passed with `--config`.',
    'JSON and YAML configs may use `${VAR}` and `${VAR:-default}` in any string; TypeScript configs read `process.env`.',
    'Check one with `tfdrift validate`.',
    '',
    '| Path | Type | Default | Description | Example |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.path} | ${r.type} | ${r.fallback} | ${r.description} | ${r.example} |`),
    '',
  ].join('\n')
}

/** One plugin's section of docs/plugins.md: what it is, what the host starts for it, its options and examples. */
function pluginSection(def: PluginDefinition): string[] {
  const schema = def.optionsSchema as Schema
  const rows: Row[] = []
  // A plugin schema's `$ref`s point into its own `$defs`; the config resolver handles exactly those.
  walk(schema, '', schema, {}, rows, false)
  const notes = [
    def.requires?.server ? 'Needs the HTTP/WS server: the host starts it when this plugin is configured.' : '',
    def.eventSchemas?.length ? `Publishes events whose data is described by ${def.eventSchemas.map((e) => `\`${String(e.$id)}\``).join(', ')}.` : '',
  ].filter(Boolean)
  const examples = (Array.isArray(schema.examples) ? schema.examples : []) as unknown[]
  return [
    `## \`${def.name}\` (${def.kind})`,
    '',
    `${def.description ?? ''} Version ${def.version}, plugin API \`${def.apiVersion}\`.`,
    '',
    ...(schema.description ? [`${schema.description}`, ''] : []),
    ...(notes.length ? [...notes, ''] : []),
    ...(rows.length ? ['| Option | Type | Default | Description | Example |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.path} | ${r.type} | ${r.fallback} | ${r.description} | ${r.example} |`), ''] : ['No options.', '']),
    ...(examples.length ? ['Examples (JSON/YAML configs; TypeScript configs pass the same object to the helper from `tfdrift/plugins`):', '', '```json', ...examples.map((e) => JSON.stringify({ use: def.name, with: e })), '```', ''] : []),
  ]
}

/** The text of docs/plugins.md. */
export function renderPluginsDoc(plugins: readonly PluginDefinition[] = BUILTIN_PLUGINS): string {
  const sorted = [...plugins].sort((a, b) => PLUGIN_KINDS.indexOf(a.kind) - PLUGIN_KINDS.indexOf(b.kind) || a.name.localeCompare(b.name))
  return [
    '# Built-in plugins',
    '',
    '<!-- Generated from each built-in plugin\'s options schema (the registry in `tfdrift/plugins`) by `npm run docs`; do not edit by hand. -->',
    '',
    'Every option below is checked against the plugin\'s JSON Schema before anything starts (`tfdrift validate` lists every problem).',
    'Name a plugin with `use` in JSON/YAML configs, or with its helper from `tfdrift/plugins` in TypeScript configs.',
    '',
    '| Plugin | Kind | Description |',
    '| --- | --- | --- |',
    ...sorted.map((d) => `| [\`${d.name}\`](#${d.name}-${d.kind}) | ${d.kind} | ${escapeCell(d.description ?? '')} |`),
    '',
    ...sorted.flatMap(pluginSection),
  ].join('\n')
}

/** Generated docs, and the option types derived from the plugin schemas: path relative to the root → expected text. */
export function generatedDocs(): Record<string, string> {
  return { 'docs/errors.md': renderErrorsDoc(), 'docs/config.md': renderConfigDoc(), 'docs/plugins.md': renderPluginsDoc(), ...generatedTypes(ROOT) }
}

/** Paths whose committed text differs from what the generator produces. */
export function staleDocs(): string[] {
  return Object.entries(generatedDocs()).filter(([file, text]) => {
    try {
      return readFileSync(path.join(ROOT, file), 'utf8') !== text
    } catch {
      return true
    }
  }).map(([file]) => file)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleDocs()
    if (stale.length) {
      process.stderr.write(`Stale: ${stale.join(', ')}. Run \`npm run docs\`.\n`)
      process.exit(1)
    }
  } else {
    for (const [file, text] of Object.entries(generatedDocs())) {
      mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true })
      writeFileSync(path.join(ROOT, file), text)
      process.stdout.write(`Wrote ${file}\n`)
    }
  }
}
