import type { TemplatedApp } from 'uWebSockets.js'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { ServerConfig } from '../config/types.ts'
import type { Authenticate } from './principal.ts'
import type { Connections } from './connections.ts'
import type { Hub } from './hub.ts'
import type { ResolvedLimits } from './limits.ts'
import type { ServerMetrics } from './metrics.ts'

/** What the WS and SSE endpoints share: the app they mount on, the fan-out hub, auth, limits and metrics. */
export interface StreamContext {
  app: TemplatedApp
  bus: Bus
  hub: Hub
  authenticate: Authenticate
  config: ServerConfig
  limits: ResolvedLimits
  connections: Connections
  metrics: ServerMetrics
  logger: Logger
}
