/** Turns per-item parse results of one pushed batch into the HTTP answer, enqueueing the good items. */
import type { ChangeEvent } from '../model.ts'
import type { PipelineItem, PluginContext } from '../plugin-api.ts'
import type { BoundedChannel } from './channel.ts'
import { DURABLE_TIMEOUT_MS, forget } from '../dataflow/acks.ts'

export type ItemResult =
  | { kind: 'event'; event: ChangeEvent }
  | { kind: 'skipped'; reason: string; event_name?: string }
  | { kind: 'invalid'; message: string }

/**
 * 202 with counts when every item was usable; 400 naming each malformed item (the good ones are still
 * kept); 503 when the queue cannot take the batch (nothing kept, the sender should retry), or when the
 * pipeline did not take the queued items durably in time (resend: nothing acknowledged is lost, a
 * resent record may be seen twice). The answer waits for `ctx.whenDurable` where the engine provides
 * it, so a 2xx survives `kill -9`. `extra` items (a Falco batch's security alerts) are queued with the
 * change events, all or nothing.
 */
export async function ingestBatch(results: ItemResult[], channel: BoundedChannel<PipelineItem>, ctx: Pick<PluginContext, 'logger' | 'whenDurable'>, what: string, extra: readonly PipelineItem[] = []): Promise<{ status: number; data: unknown }> {
  const skipped: Record<string, number> = {}
  const items: PipelineItem[] = []
  const rejected: Array<{ index: number; message: string }> = []
  for (let index = 0; index < results.length; index++) {
    const r = results[index]!
    if (r.kind === 'event') items.push({ type: 'change.received', topic: 'events', data: r.event })
    else if (r.kind === 'skipped') skipped[r.reason] = (skipped[r.reason] ?? 0) + 1
    else rejected.push({ index, message: r.message })
  }
  const events = items.length
  items.push(...extra)
  const durable = ctx.whenDurable?.(items)
  if (!channel.offer(items)) {
    forget(items)
    ctx.logger.warn({ batch: items.length, queued: channel.size }, `The ${what} queue is full; asked the sender to retry.`)
    return { status: 503, data: { code: 'queue_full', message: `tfdrift is busy (${channel.size} ${what}s queued); retry the batch later.` } }
  }
  if (durable && !(await durable)) {
    ctx.logger.warn({ batch: items.length, queued: channel.size }, `A ${what} batch was queued but not confirmed durable in time; asked the sender to resend it.`)
    return { status: 503, data: { code: 'TFD_ERR_INGEST_NOT_DURABLE', message: `The batch was queued but the pipeline did not store it within ${DURABLE_TIMEOUT_MS / 1000} s (it is stalled or its store is failing); resend it — a record may then be seen twice, none is lost.` } }
  }
  if (rejected.length) {
    const list = rejected.slice(0, 10).map((r) => `item ${r.index}: ${r.message}`).join('; ')
    ctx.logger.warn({ rejected: rejected.length, accepted: events }, `Rejected ${rejected.length} malformed ${what}(s): ${list}.`)
    return {
      status: 400,
      data: {
        code: 'TFD_ERR_EVENT_INVALID',
        message: `${rejected.length} of ${results.length} ${what}(s) are malformed (${list}${rejected.length > 10 ? '; …' : ''}); the other ${events} were accepted — resend only the rejected ones.`,
        accepted: events, skipped, rejected,
      },
    }
  }
  return { status: 202, data: { accepted: events, skipped } }
}
