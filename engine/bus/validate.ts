import type { Publication } from '../envelope.ts'
import { TOPICS } from '../envelope.ts'
import { TfdriftError } from '../errors.ts'
import { jsonValueProblem, MAX_FILE_JSON_DEPTH } from '../json-depth.ts'

const TOPIC_SET: ReadonlySet<unknown> = new Set(TOPICS)

/**
 * Deepest `data` the bus takes. Clients' JSON is cut at MAX_JSON_DEPTH (64) before it gets here, but
 * in-process publishers carry Terraform attribute values from files, bounded at MAX_FILE_JSON_DEPTH,
 * inside a few levels of drift; refusing those would lose real drifts. Still far below where
 * JSON.stringify and the recursive readers overflow (thousands of levels).
 */
export const MAX_DATA_DEPTH = MAX_FILE_JSON_DEPTH + 8

/**
 * Rejects a publication the bus cannot order or route (bad tenant, topic or type), or whose data some
 * reader could not serialise (too deep, cyclic, BigInt): refused here, it never takes an offset, so no
 * stream can fail at that offset for every later reader (hub fan-out, history replay, the store).
 */
export function validatePublication(publication: Publication<unknown>): void {
  // Fast path for the common well-formed publication: a few type checks, then the walk over its data.
  if (publication !== null && typeof publication === 'object' && typeof publication.tenant === 'string' && publication.tenant !== '' &&
    TOPIC_SET.has(publication.topic) && typeof publication.type === 'string' && publication.type !== '' &&
    publication.id === undefined && publication.time === undefined) return validateData(publication.data)
  const { tenant, topic, type, id, time } = publication ?? ({} as Publication<unknown>)
  let problem: string | undefined
  if (typeof tenant !== 'string' || tenant.length === 0) problem = 'tenant must be a non-empty string'
  else if (!TOPIC_SET.has(topic)) problem = `topic ${JSON.stringify(topic)} is not one of drifts, events, state, remediations, stats, metrics, system, graph`
  else if (typeof type !== 'string' || type.length === 0) problem = 'type must be a non-empty string'
  else if (id !== undefined && (typeof id !== 'string' || id.length === 0)) problem = 'id, when given, must be a non-empty string'
  else if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) problem = 'time, when given, must be an ISO-8601 string'
  if (problem) throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', `Invalid publication: ${problem}.`)
  validateData(publication.data)
}

function validateData(data: unknown): void {
  const problem = jsonValueProblem(data, MAX_DATA_DEPTH)
  if (problem) throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', `Invalid publication: data ${problem}.`)
}
