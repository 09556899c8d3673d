import { Subject } from 'rxjs'
import type { Logger } from 'pino'
import type { HistoryPage, StreamPosition } from './bus.ts'
import type { Envelope } from '../envelope.ts'
import { TfdriftError } from '../errors.ts'

/** Reads a stream's history after an offset (one page). */
type ReadHistory = (after: number) => Promise<HistoryPage>

/**
 * One (tenant, topic) stream of the Redis bus as this node delivers it live: in offset order, with no
 * gap and no repeat, although Redis pub/sub loses every message published while the subscriber
 * connection is down and history reads race pub/sub.
 *
 * The stream starts from the position Redis reports when the first subscriber arrives. A message that
 * is not the next offset is held while the missing ones are read from the Redis stream; `resync()`
 * (after a reconnect) reads whatever was published meanwhile. When continuity is lost for good — the
 * epoch changed (Redis lost its data) or history no longer holds the gap — the subject errors with
 * TFD_ERR_BUS_CONTINUITY, so subscribers start over from history and tell their clients.
 */
export class RedisLiveStream {
  readonly subject = new Subject<Envelope>()
  private epoch: string | undefined
  private delivered = 0
  private busy = true
  private held: Array<{ epoch: string; env: Envelope }> = []
  private ended = false

  constructor(
    private readonly stream: string,
    private readonly read: ReadHistory,
    position: () => Promise<StreamPosition>,
    private readonly logger: Logger,
  ) {
    void this.run(async () => {
      const pos = await position()
      this.epoch = pos.epoch
      this.delivered = pos.last_offset
    })
  }

  /** An envelope from the fan-out channel. */
  offer(epoch: string, env: Envelope): void {
    if (this.ended) return
    if (this.busy) { this.held.push({ epoch, env }); return }
    if (epoch !== this.epoch) return this.lose(`its epoch changed from ${this.epoch} to ${epoch} (Redis lost its data)`)
    if (env.offset <= this.delivered) return // already delivered from history
    if (env.offset === this.delivered + 1) {
      this.delivered = env.offset
      this.subject.next(env)
      return
    }
    this.held.push({ epoch, env })
    void this.run(() => this.fill())
  }

  /** Delivers what was published while messages could not arrive (the subscriber connection was down). */
  resync(): void {
    if (!this.ended && !this.busy) void this.run(() => this.fill())
  }

  /** Stops delivering (the last subscriber left, or the bus closed). */
  end(): void {
    this.ended = true
    this.held = []
  }

  /** Runs `step` with offers held, then replays the held ones; a failed read is retried on the next offer or resync. */
  private async run(step: () => Promise<void>): Promise<void> {
    this.busy = true
    try {
      await step()
    } catch (error) {
      this.logger.warn({ stream: this.stream, err_message: (error as Error).message }, 'Could not read the Redis stream to fill a live gap; retrying on the next message or reconnect.')
      if (this.epoch === undefined) {
        this.busy = false
        return this.lose('its position could not be read')
      }
    }
    this.busy = false
    const held = this.held
    this.held = []
    for (const h of held) this.offer(h.epoch, h.env)
  }

  private async fill(): Promise<void> {
    for (;;) {
      const page = await this.read(this.delivered)
      if (this.ended) return
      if (page.epoch !== this.epoch) return this.lose(`its epoch changed from ${this.epoch} to ${page.epoch} (Redis lost its data)`)
      if (!page.complete) return this.lose(`offsets after ${this.delivered} are no longer in its history`)
      for (const env of page.envelopes) {
        if (env.offset !== this.delivered + 1) continue
        this.delivered = env.offset
        this.subject.next(env)
      }
      if (this.delivered >= page.last_offset || page.envelopes.length === 0) return
    }
  }

  private lose(why: string): void {
    if (this.ended) return
    this.end()
    this.logger.warn({ stream: this.stream, delivered: this.delivered }, `Live delivery of a Redis bus stream lost continuity: ${why}. Subscribers resume from history.`)
    this.subject.error(new TfdriftError('TFD_ERR_BUS_CONTINUITY', `Live delivery of ${this.stream} lost continuity: ${why}.`))
  }
}
