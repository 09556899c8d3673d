/** Root module outputs, with sensitive values masked: they must never leave the readers. */
import type { Snapshot } from '../model.ts'
import { readerError } from './errors.ts'
import { SENSITIVE_MASK } from './paths.ts'

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Outputs with sensitive values masked: they must never leave the reader. */
export function readOutputs(raw: unknown, source: string, at = '/outputs'): Snapshot['outputs'] {
  if (!isObj(raw)) throw readerError('TFD_ERR_STATE_INVALID', source, at, 'outputs must be an object.')
  const out: NonNullable<Snapshot['outputs']> = {}
  for (const [name, o] of Object.entries(raw)) {
    if (!isObj(o)) continue
    const sensitive = o.sensitive === true
    out[name] = { value: sensitive ? SENSITIVE_MASK : o.value, ...(sensitive ? { sensitive } : {}), ...(o.type === undefined ? {} : { type: o.type }) }
  }
  return out
}
