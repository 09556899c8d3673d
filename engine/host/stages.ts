import type { PluginKind } from '../plugin-api.ts'

/** The pipeline stages of a config, in default wiring order, with the plugin kind each one holds. */
export const STAGES = [
  { stage: 'discovery', kind: 'discovery' },
  { stage: 'sources', kind: 'source' },
  { stage: 'analysis', kind: 'analysis' },
  { stage: 'remediation', kind: 'remediation' },
  { stage: 'transports', kind: 'transport' },
] as const satisfies ReadonlyArray<{ stage: string; kind: PluginKind }>

export type StageName = (typeof STAGES)[number]['stage']

/** Escapes one JSON-pointer reference token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** `/pipelines/<p>/<stage>/<i>` for a node of a config. */
export function nodePointer(pipeline: string, stage: string, index: number): string {
  return `/pipelines/${pointerToken(pipeline)}/${pointerToken(stage)}/${index}`
}
