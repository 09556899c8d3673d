/** Routing rules of a delivering transport, compiled once into a predicate over envelopes. */
import type { Envelope } from '../envelope.ts'
import { SEVERITIES } from '../model.ts'
import type { DeliveryRoute } from '../plugin-api.ts'

/**
 * A predicate for `route`. A rule about a field the envelope's data lacks does not filter it, so one
 * transport can take drifts of high severity and every `system` event at once.
 */
export function compileRoute(route: DeliveryRoute = {}): (env: Envelope) => boolean {
  const minRank = route.min_severity ? SEVERITIES.indexOf(route.min_severity) : -1
  const kinds = route.kinds?.length ? new Set<string>(route.kinds) : undefined
  const providers = route.providers?.length ? new Set(route.providers) : undefined
  const exact = new Set((route.types ?? []).filter((t) => !t.endsWith('*')))
  const prefixes = (route.types ?? []).filter((t) => t.endsWith('*')).map((t) => t.slice(0, -1))
  const types = route.types?.length ? (type: string) => exact.has(type) || prefixes.some((p) => type.startsWith(p)) : undefined
  return (env) => {
    if (types && !types(env.type)) return false
    const data = env.data as Record<string, unknown> | null
    if (!data || typeof data !== 'object') return true
    if (minRank >= 0 && typeof data.severity === 'string') {
      const rank = SEVERITIES.indexOf(data.severity as (typeof SEVERITIES)[number])
      if (rank < 0 || rank > minRank) return false
    }
    if (kinds && env.topic === 'drifts' && typeof data.kind === 'string' && !kinds.has(data.kind)) return false
    if (providers && typeof data.provider === 'string' && !providers.has(data.provider)) return false
    return true
  }
}
