/**
 * `realtime` transport: asks the runtime to start the realtime server (WS + SSE + REST on one port).
 * Delivery needs nothing per pipeline — the server's hub subscribes to the bus per (tenant, topic) on
 * demand — so the instance only records that the pipeline is exposed. Configure the server itself under
 * `server` (port, auth, cors, limits).
 */
import { createRequire } from 'node:module'
import { definePlugin, nodeHelper } from '../../../engine/plugin-api.ts'

/** Options of the `realtime` transport (none; see options.schema.json). */
export type RealtimeOptions = Record<string, never>

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

const realtimePlugin = definePlugin<'transport', RealtimeOptions>({
  name: 'realtime',
  kind: 'transport',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Live delivery of every topic over WebSocket (/ws) and SSE (/api/v1/stream), with recovery by offset.',
  optionsSchema,
  create(ctx) {
    return {
      start() {
        ctx.logger.debug({ tenant: ctx.tenant }, 'Pipeline events are served live by the realtime server.')
      },
    }
  },
})

export default realtimePlugin

/** Config helper: `transports: [realtime()]`. */
export const realtime = nodeHelper<RealtimeOptions>('realtime')
