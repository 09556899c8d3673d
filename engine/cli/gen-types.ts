/**
 * Option types derived from the options schemas: for every `plugins/<kind>/<name>/options.schema.json`,
 * `options.types.ts` beside it declares the `Options` type the schema describes (descriptions as
 * JSDoc, `$defs` as named interfaces). `npm run docs` writes them with the docs; the staleness test
 * fails when a schema changed and its types were not regenerated. The subset of JSON Schema understood
 * is the one the plugin schemas use: type, enum, const, anyOf/oneOf, items, properties, required,
 * additionalProperties and local `$ref`s.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fg from 'fast-glob'

type Schema = Record<string, any>

const pascal = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const key = (name: string) => (IDENT.test(name) ? name : JSON.stringify(name))
const doc = (text: string | undefined, indent: string) => (text ? `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\n+/g, ' ')} */\n` : '')

function typeOf(schema: Schema | boolean, indent: string): string {
  if (schema === true || schema === undefined) return 'unknown'
  if (schema === false) return 'never'
  if (schema.$ref) {
    const ref = String(schema.$ref)
    if (!ref.startsWith('#/$defs/')) throw new Error(`gen-types: only local $refs are supported, got ${ref}`)
    return pascal(ref.slice(8))
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ')
  // anyOf/oneOf beside `type` or `properties` only constrains (e.g. which keys are required together).
  const branches = schema.type === undefined && schema.properties === undefined ? (schema.anyOf ?? schema.oneOf) as Schema[] | undefined : undefined
  if (branches) return [...new Set(branches.map((b) => typeOf(b, indent)))].map((t) => (t.includes(' | ') && !t.startsWith('{') ? `(${t})` : t)).join(' | ')
  const types = [schema.type ?? (schema.properties ? 'object' : undefined)].flat().filter(Boolean) as string[]
  if (types.length === 0) return 'unknown'
  return types.map((t) => {
    switch (t) {
      case 'string': return 'string'
      case 'integer': case 'number': return 'number'
      case 'boolean': return 'boolean'
      case 'null': return 'null'
      case 'array': {
        const item = typeOf(schema.items ?? true, indent)
        return /[ |&{]/.test(item) ? `Array<${item}>` : `${item}[]`
      }
      case 'object': return objectType(schema, indent)
      default: return 'unknown'
    }
  }).join(' | ')
}

function objectType(schema: Schema, indent: string): string {
  const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>)
  const extra = schema.additionalProperties
  if (props.length === 0) return extra && typeof extra === 'object' ? `Record<string, ${typeOf(extra, indent)}>` : extra === false ? 'Record<string, never>' : 'Record<string, unknown>'
  const required = new Set((schema.required ?? []) as string[])
  const inner = `${indent}  `
  const lines = props.map(([name, child]) => `${doc(describe(child), inner)}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(child, inner)}`)
  return `{\n${lines.join('\n')}\n${indent}}`
}

function describe(schema: Schema): string | undefined {
  if (!schema.description) return undefined
  return schema.default === undefined ? schema.description : `${schema.description} Default: \`${JSON.stringify(schema.default)}\`.`
}

/** The text of one plugin's options.types.ts. */
export function renderOptionsTypes(schema: Schema, schemaFile = 'options.schema.json'): string {
  const defs = Object.entries((schema.$defs ?? {}) as Record<string, Schema>)
  return [
    `// Generated from ${schemaFile} by \`npm run docs\`; do not edit by hand.`,
    '',
    ...defs.flatMap(([name, def]) => [`${doc(def.description, '')}export type ${pascal(name)} = ${typeOf(def, '')}`, '']),
    `${doc(schema.description, '')}export type Options = ${objectType({ ...schema, type: 'object' }, '')}`,
    '',
  ].join('\n')
}

/** Generated option types: path relative to `root` → expected text. */
export function generatedTypes(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const file of fg.sync('plugins/*/*/options.schema.json', { cwd: root }).sort()) {
    const schema = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Schema
    out[file.replace(/options\.schema\.json$/, 'options.types.ts')] = renderOptionsTypes(schema)
  }
  return out
}
