/**
 * The one ajv factory: every JSON Schema validator in tfdrift (config, plugin options, events, publish
 * bodies, snapshots, mapping tables) and in plugins is compiled by an instance made here, so drafts,
 * formats and the ESM/CommonJS interop of ajv-formats are decided once. Public as `createAjv` from
 * `tfdrift`.
 */
import { Ajv, type Options } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
type AddFormats = <A extends Ajv | Ajv2020>(ajv: A) => A
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats

/** ajv's own options, plus the draft (default 2020-12) and whether ajv-formats' formats are added (`withFormats`, default true). */
export interface CreateAjvOptions extends Options {
  draft?: '2020-12' | '07'
  withFormats?: boolean
}

/** A new ajv instance for draft 2020-12 (or draft-07 when asked), with formats unless `withFormats: false`. */
export function createAjv(options: CreateAjvOptions & { draft: '07' }): Ajv
export function createAjv(options?: CreateAjvOptions): Ajv2020
export function createAjv({ draft = '2020-12', withFormats = true, ...options }: CreateAjvOptions = {}): Ajv | Ajv2020 {
  const ajv = draft === '07' ? new Ajv(options) : new Ajv2020(options)
  return withFormats ? addFormats(ajv) : ajv
}

/** True when a schema declares draft-07 in `$schema` (draft 2020-12 and draft-07 cannot share one instance). */
export function isDraft07(schema: object): boolean {
  return String((schema as { $schema?: unknown }).$schema ?? '').includes('draft-07')
}
