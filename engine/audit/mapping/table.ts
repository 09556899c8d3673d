/**
 * The mapping table: every `mappings/*.json` file, validated against `mapping.schema.json` (ajv, all
 * problems at once, each with its file and JSON pointer) and indexed by event name. Loaded once per
 * process; a bad file is a coded error (TFD_ERR_MAPPING_INVALID), never a silently missing mapping.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ErrorObject } from 'ajv'
import { createAjv } from '../../schema/ajv.ts'
import { TfdriftError, type Problem } from '../../errors.ts'
import { CONVERTERS } from './convert.ts'

export type Op = 'create' | 'update' | 'delete' | 'action'

export interface AttributeRule {
  path: string
  from: string | string[]
  as?: string
  map?: Record<string, unknown>
  mode?: 'set' | 'add' | 'remove'
  sensitive?: boolean
}

export interface Target { type: string; id?: string | string[]; attributes?: AttributeRule[] }

export interface MappingEntry {
  events: string[]
  event_source?: string
  when?: string
  unless?: string
  type: string
  type_by_id_prefix?: boolean
  op: Op
  id: string | string[]
  arn?: string
  attributes?: AttributeRule[]
  also?: Target[]
  /** Where the entry came from, for the coverage report and error messages. */
  file: string
  pointer: string
}

export interface MappingFile { provider: 'aws' | 'google'; description?: string; entries: Omit<MappingEntry, 'file' | 'pointer'>[] }

export interface MappingTable {
  /** Entries by provider, then event name; several entries of one name are told apart by event_source / when / unless. */
  aws: Map<string, MappingEntry[]>
  google: Map<string, MappingEntry[]>
  files: string[]
}

export const MAPPINGS_DIR = fileURLToPath(new URL('../mappings/', import.meta.url))
const schema = JSON.parse(readFileSync(new URL('./mapping.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>
// strict: the schema is ours, so an unknown keyword in it is a bug worth failing on.
const validate = createAjv({ allErrors: true, strict: true, allowUnionTypes: true, withFormats: false }).compile<MappingFile>(schema)

function pointerOf(error: ErrorObject): string {
  const extra = (error.params as { additionalProperty?: string; missingProperty?: string })
  const leaf = extra.additionalProperty ?? extra.missingProperty
  return `${error.instancePath}${leaf ? `/${leaf}` : ''}` || '/'
}

/** Validates one parsed file; returns its problems (schema, unknown converter, duplicate event). */
export function checkMappingFile(doc: unknown, file: string): Problem[] {
  if (!validate(doc)) {
    return (validate.errors ?? []).map((e) => ({ code: 'TFD_ERR_MAPPING_INVALID' as const, file, pointer: pointerOf(e), message: `${pointerOf(e)} ${e.message ?? 'is invalid'}` }))
  }
  const problems: Problem[] = []
  doc.entries.forEach((entry, i) => {
    const targets = [{ attributes: entry.attributes, at: `/entries/${i}/attributes` }, ...(entry.also ?? []).map((t, j) => ({ attributes: t.attributes, at: `/entries/${i}/also/${j}/attributes` }))]
    for (const t of targets) (t.attributes ?? []).forEach((a, k) => {
      if (a.as && !(a.as in CONVERTERS)) problems.push({ code: 'TFD_ERR_MAPPING_INVALID', file, pointer: `${t.at}/${k}/as`, message: `converter "${a.as}" does not exist; use one of ${Object.keys(CONVERTERS).join(', ')}` })
    })
  })
  return problems
}

/** Reads and checks every mapping file of `dir`; throws TFD_ERR_MAPPING_INVALID listing every problem. */
export function loadMappings(dir = MAPPINGS_DIR): MappingTable {
  const table: MappingTable = { aws: new Map(), google: new Map(), files: [] }
  const problems: Problem[] = []
  const seen = new Map<string, string>()
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = join(dir, name)
    let doc: unknown
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'))
    } catch (error) {
      problems.push({ code: 'TFD_ERR_MAPPING_INVALID', file, pointer: '', message: `not valid JSON (${(error as Error).message})` })
      continue
    }
    const found = checkMappingFile(doc, file)
    problems.push(...found)
    if (found.length) continue
    const mapping = doc as MappingFile
    table.files.push(file)
    mapping.entries.forEach((raw, i) => {
      const entry: MappingEntry = { ...raw, file, pointer: `/entries/${i}` }
      for (const event of entry.events) {
        // The same name twice without anything to tell them apart would make the first one win by file order.
        const key = `${mapping.provider}|${event}|${entry.event_source ?? ''}|${entry.when ?? ''}|${entry.unless ?? ''}`
        const prev = seen.get(key)
        if (prev) problems.push({ code: 'TFD_ERR_MAPPING_INVALID', file, pointer: `/entries/${i}/events`, message: `${event} is mapped twice (also at ${prev}); tell the entries apart with event_source, when or unless` })
        seen.set(key, `${name}#/entries/${i}`)
        const list = table[mapping.provider].get(event)
        if (list) list.push(entry)
        else table[mapping.provider].set(event, [entry])
      }
    })
  }
  if (problems.length) {
    const list = problems.slice(0, 5).map((p) => `${p.file}#${p.pointer}: ${p.message}`).join('; ')
    throw new TfdriftError('TFD_ERR_MAPPING_INVALID', `${problems.length} problem(s) in the event mapping files: ${list}`, { problems })
  }
  return table
}

let cached: MappingTable | undefined
/** The built-in table, loaded on first use. */
export function mappingTable(): MappingTable {
  cached ??= loadMappings()
  return cached
}
