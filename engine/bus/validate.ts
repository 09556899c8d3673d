import type { Publication } from '../envelope.ts'
import { isTopic } from '../envelope.ts'
import { TfdriftError } from '../errors.ts'

/** Rejects a publication the bus cannot order or route (bad tenant, topic or type). */
export function validatePublication(publication: Publication<unknown>): void {
  const { tenant, topic, type, id, time } = publication ?? ({} as Publication<unknown>)
  let problem: string | undefined
  if (typeof tenant !== 'string' || tenant.length === 0) problem = 'tenant must be a non-empty string'
  else if (!isTopic(topic)) problem = `topic ${JSON.stringify(topic)} is not one of drifts, events, state, remediations, stats, metrics, system`
  else if (typeof type !== 'string' || type.length === 0) problem = 'type must be a non-empty string'
  else if (id !== undefined && (typeof id !== 'string' || id.length === 0)) problem = 'id, when given, must be a non-empty string'
  else if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) problem = 'time, when given, must be an ISO-8601 string'
  if (problem) throw new TfdriftError('TFD_ERR_BUS_PUBLICATION', `Invalid publication: ${problem}.`)
}
