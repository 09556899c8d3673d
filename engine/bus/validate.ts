import type { Publication } from '../envelope.ts'
import { TOPICS } from '../envelope.ts'
import { TfdriftError } from '../errors.ts'

const TOPIC_SET: ReadonlySet<unknown> = new Set(TOPICS)

/** Rejects a publication the bus cannot order or route (bad tenant, topic or type). */
export function validatePublication(publication: Publication<unknown>): void {
  // Fast path for the common well-formed publication: a few type checks, no allocation.
  if (publication !== null && typeof publication === 'object' && typeof publication.tenant === 'string' && publication.tenant !== '' &&
    TOPIC_SET.has(publication.topic) && typeof publication.type === 'string' && publication.type !== '' &&
    publication.id === undefined && publication.time === undefined) return
  const { tenant, topic, type, id, time } = publication ?? ({} as Publication<unknown>)
  let problem: string | undefined
  if (typeof tenant !== 'string' || tenant.length === 0) problem = 'tenant must be a non-empty string'
  else if (!TOPIC_SET.has(topic)) problem = `topic ${JSON.stringify(topic)} is not one of drifts, events, state, remediations, stats, metrics, system`
  else if (typeof type !== 'string' || type.length === 0) problem = 'type must be a non-empty string'
  else if (id !== undefined && (typeof id !== 'string' || id.length === 0)) problem = 'id, when given, must be a non-empty string'
  else if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) problem = 'time, when given, must be an ISO-8601 string'
  if (problem) throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', `Invalid publication: ${problem}.`)
}
