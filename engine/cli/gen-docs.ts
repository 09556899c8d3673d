/**
 * Generates `docs/errors.md` from the ERRORS catalogue and `docs/config.md` from the config schema's
 * descriptions, defaults and examples. `npm run docs` writes them; `--check` exits 1 when they are stale
 * (tests run the same comparison).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERRORS } from '../errors.ts'
import { readSchema } from '../config/validate.ts'

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

/** Generated docs: path relative to the root → expected text. */
export function generatedDocs(): Record<string, string> {
  return { 'docs/errors.md': renderErrorsDoc(), 'docs/config.md': renderConfigDoc() }
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
