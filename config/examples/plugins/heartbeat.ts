/** An example local plugin: a source that publishes a heartbeat on the `system` topic. */
import { definePlugin, type PipelineItem } from 'tfdrift'
import { interval, map } from 'rxjs'

export interface HeartbeatOptions { every_ms: number; label: string }

export default definePlugin<'source', HeartbeatOptions>({
  name: 'heartbeat',
  kind: 'source',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Publishes a heartbeat event on the system topic at a fixed interval.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      every_ms: { type: 'integer', minimum: 100, default: 5000, description: 'Interval between heartbeats, ms.' },
      label: { type: 'string', default: 'local', description: 'Shown in each heartbeat.' },
    },
  },
  create(ctx, options) {
    ctx.logger.info({ every_ms: options.every_ms }, 'Heartbeat started.')
    return {
      output: interval(options.every_ms).pipe(
        map((n): PipelineItem => ({ type: 'system.heartbeat', topic: 'system', data: { n, label: options.label } })),
      ),
    }
  },
})
