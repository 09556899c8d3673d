import { TfdriftError } from '../errors.ts'

/**
 * An envelope's JSON around its offset: `head + offset + tail`. Built before the offset is assigned,
 * so data that cannot be serialised is rejected before it takes an offset, and a bus assigning the
 * offset inside Redis or a journal batch only concatenates.
 */
export interface EnvelopeJson { head: string; tail: string }

/** Serialises an envelope's fields; throws TFD_ERR_BUS_PUBLICATION when `data` is not JSON-serialisable. */
export function envelopeJson(id: string, topic: string, type: string, tenant: string, time: string, data: unknown): EnvelopeJson {
  let body: string | undefined
  try {
    body = JSON.stringify(data ?? null)
  } catch (error) {
    throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', `Invalid publication: data cannot be serialised as JSON (${(error as Error).message}).`, { cause: error })
  }
  if (body === undefined) throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', 'Invalid publication: data cannot be serialised as JSON (a function or symbol).')
  return {
    head: `{"id":${JSON.stringify(id)},"offset":`,
    tail: `,"topic":${JSON.stringify(topic)},"type":${JSON.stringify(type)},"tenant":${JSON.stringify(tenant)},"time":${JSON.stringify(time)},"data":${body}}`,
  }
}
