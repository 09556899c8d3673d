/** Turns per-item parse results of one pushed batch into the HTTP answer, enqueueing the good items. */
import type { ChangeEvent } from '../model.ts'
import type { PipelineItem, PluginContext } from '../plugin-api.ts'
import type { BoundedChannel } from './channel.ts'

export type ItemResult =
  | { kind: 'event'; event: ChangeEvent }
  | { kind: 'skipped'; reason: string; event_name?: string }
  | { kind: 'invalid'; message: string }

/**
 * 202 with counts when every item was usable; 400 naming each malformed item (the good ones are still
 * kept); 503 when the queue cannot take the batch (nothing kept, the sender should retry).
 */
export function ingestBatch(results: ItemResult[], channel: BoundedChannel<PipelineItem>, ctx: Pick<PluginContext, 'logger'>, what: string): { status: number; data: unknown } {
  const events = results.flatMap((r) => (r.kind === 'event' ? [r.event] : []))
  const skipped: Record<string, number> = {}
  for (const r of results) if (r.kind === 'skipped') skipped[r.reason] = (skipped[r.reason] ?? 0) + 1
  const rejected = results.flatMap((r, index) => (r.kind === 'invalid' ? [{ index, message: r.message }] : []))
  if (!channel.offer(events.map((data) => ({ type: 'change.received', topic: 'events' as const, data })))) {
    ctx.logger.warn({ batch: events.length, queued: channel.size }, `The ${what} queue is full; asked the sender to retry.`)
    return { status: 503, data: { code: 'queue_full', message: `tfdrift is busy (${channel.size} ${what}s queued); retry the batch later.` } }
  }
  if (rejected.length) {
    const list = rejected.slice(0, 10).map((r) => `item ${r.index}: ${r.message}`).join('; ')
    ctx.logger.warn({ rejected: rejected.length, accepted: events.length }, `Rejected ${rejected.length} malformed ${what}(s): ${list}.`)
    return {
      status: 400,
      data: {
        code: 'TFD_ERR_EVENT_INVALID',
        message: `${rejected.length} of ${results.length} ${what}(s) are malformed (${list}${rejected.length > 10 ? '; …' : ''}); the other ${events.length} were accepted — resend only the rejected ones.`,
        accepted: events.length, skipped, rejected,
      },
    }
  }
  return { status: 202, data: { accepted: events.length, skipped } }
}
