import { Observable, Subject } from 'rxjs'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Bus, BusHistoryLimits, HistoryPage, StreamPosition } from './bus.ts'
import type { Envelope, Publication, Topic } from '../envelope.ts'
import type { Clock } from '../plugin-api.ts'
import { systemClock } from '../clock.ts'
import { newEpoch, newId } from '../ids.ts'
import { silentLogger } from '../logger.ts'
import { TfdriftError } from '../errors.ts'
import { historyPageSize, resolveHistoryLimits } from './limits.ts'
import { validatePublication } from './validate.ts'
import { HISTORY_SCRIPT, PUBLISH_SCRIPT } from './redis-scripts.ts'
import { envelopeJson } from './serialise.ts'
import { RedisLiveStream } from './redis-live.ts'

export interface RedisBusOptions {
  /** `redis://[:password@]host:port[/db]`. */
  url: string
  /** Prefix of every key and of the fan-out channel (default `tfdrift:`); separate deployments on one Redis use different prefixes. */
  prefix?: string
  history?: Partial<BusHistoryLimits>
  clock?: Clock
  logger?: Logger
}

type ScriptedRedis = Redis & {
  tfdPublish(numKeys: number, ...keysAndArgs: string[]): Promise<Array<number | string>>
  tfdHistory(meta: string, stream: string, ...args: string[]): Promise<[number, number, string, string[]]>
}

/**
 * The Redis bus: one Redis Stream per (tenant, topic) holds history (entry id `<offset>-1`), a Lua
 * script assigns offsets atomically and PUBLISHes each envelope on one channel per prefix, which every
 * node subscribes to on a dedicated connection. Several nodes on one Redis therefore share offsets and
 * order, and a client may resume from any of them. Live delivery is asynchronous (after the round trip
 * through Redis), also for envelopes this node published, and gapless: what pub/sub lost while the
 * connection was down is read back from the stream (see `redis-live.ts`). A publish is acknowledged
 * once Redis executed it, so it is as durable as the Redis persistence settings make it.
 * Each stream has an epoch beside its counter; when Redis loses both, a new epoch starts.
 * Needs Redis >= 6.2 (XTRIM MINID). Create with `RedisBus.connect()`, which resolves once the fan-out
 * subscription is active.
 */
export class RedisBus implements Bus {
  readonly limits: BusHistoryLimits
  private readonly prefix: string
  private readonly channel: string
  private readonly streams = new Map<string, RedisLiveStream>()
  private readonly all = new Subject<Envelope>()
  private closed = false

  private constructor(
    private readonly cmd: ScriptedRedis,
    private readonly sub: Redis,
    options: RedisBusOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.prefix = options.prefix ?? 'tfdrift:'
    this.channel = `${this.prefix}fanout`
    this.limits = resolveHistoryLimits(options.history)
  }

  /** Connects both connections and subscribes; rejects with TFD_ERR_BUS_CONNECT when Redis is unreachable. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const logger = options.logger ?? silentLogger
    const common = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000 }
    const cmd = new Redis(options.url, common) as ScriptedRedis
    const sub = new Redis(options.url, common)
    for (const conn of [cmd, sub]) conn.on('error', (error: Error) => logger.warn({ err: error.message, url: redactUrl(options.url) }, 'The Redis bus connection reported an error; ioredis retries.'))
    cmd.defineCommand('tfdPublish', { lua: PUBLISH_SCRIPT })
    cmd.defineCommand('tfdHistory', { numberOfKeys: 2, lua: HISTORY_SCRIPT })
    const bus = new RedisBus(cmd, sub, options, options.clock ?? systemClock, logger)
    try {
      await Promise.all([cmd.connect(), sub.connect()])
      sub.on('message', (channel: string, message: string) => bus.onMessage(channel, message))
      await sub.subscribe(bus.channel)
      // ioredis reconnects and subscribes again by itself; what was published meanwhile is read back from the streams.
      sub.on('ready', () => bus.resync())
    } catch (error) {
      cmd.disconnect(); sub.disconnect()
      throw new TfdriftError('TFD_ERR_BUS_CONNECT', `Could not connect the Redis bus to ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error })
    }
    return bus
  }

  async publish<T>(publication: Publication<T>): Promise<Envelope<T>> {
    return (await this.publishBatch([publication]))[0] as Envelope<T>
  }

  async publishBatch(publications: readonly Publication[]): Promise<Envelope[]> {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; publish before shutdown starts.')
    if (publications.length === 0) return []
    const now = this.clock.now()
    const keys: string[] = []
    const items: string[] = []
    const prepared = publications.map((publication) => {
      validatePublication(publication)
      const { tenant, topic, type } = publication
      const id = publication.id ?? newId(now)
      const time = publication.time ?? new Date(now).toISOString()
      const json = envelopeJson(id, topic, type, tenant, time, publication.data)
      const k = this.keys(tenant, topic)
      keys.push(k.meta, k.stream, `${k.base}:id:${publication.id ?? ''}`)
      items.push(json.head, json.tail, publication.id !== undefined ? '1' : '')
      return { id, time }
    })
    const args = [String(now), String(now - this.limits.max_age_ms), String(this.limits.max_events), this.channel, String(this.limits.max_age_ms), newEpoch()]
    const reply = await this.run(() => this.cmd.tfdPublish(keys.length, ...keys, ...args, ...items))
    const out: Envelope[] = []
    for (let i = 0; i < publications.length; i++) {
      const { tenant, topic, type, data } = publications[i]
      const fresh = Number(reply[i * 3]) === 1
      const offset = Number(reply[i * 3 + 1])
      const env = { id: prepared[i].id, offset, topic, type, tenant, time: prepared[i].time, data }
      if (fresh) { out.push(env); continue }
      // An idempotent repeat: answer with what was published under that id first.
      const earlier = await this.history(tenant, topic, offset - 1, 1)
      out.push(earlier.envelopes[0]?.offset === offset ? earlier.envelopes[0] : env)
    }
    return out
  }

  live(tenant: string, topic: Topic): Observable<Envelope> {
    const key = `${tenant}\u0000${topic}`
    return new Observable<Envelope>((subscriber) => {
      let stream = this.streams.get(key)
      if (!stream || stream.subject.hasError) {
        stream = new RedisLiveStream(`${tenant}/${topic}`, (after) => this.history(tenant, topic, after), () => this.position(tenant, topic), this.logger)
        this.streams.set(key, stream)
      }
      const live = stream
      const subscription = live.subject.subscribe(subscriber)
      return () => {
        subscription.unsubscribe()
        if (!live.subject.observed && this.streams.get(key) === live) {
          live.end()
          this.streams.delete(key)
        }
      }
    })
  }

  liveAll(): Observable<Envelope> {
    return this.all.asObservable()
  }

  async history(tenant: string, topic: Topic, afterOffset: number, limit?: number): Promise<HistoryPage> {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; read history before shutdown starts.')
    const after = Math.max(0, Math.floor(Number.isFinite(afterOffset) ? afterOffset : 0))
    const keys = this.keys(tenant, topic)
    const cutoff = this.clock.now() - this.limits.max_age_ms
    const [last, oldest, epoch, rows] = await this.run(() => this.cmd.tfdHistory(keys.meta, keys.stream, String(after), String(historyPageSize(limit)), String(cutoff), newEpoch()))
    const envelopes = rows.map((row) => JSON.parse(row) as Envelope)
    const complete = after >= last || (oldest !== 0 && oldest <= after + 1)
    return { envelopes, complete, oldest_offset: oldest, last_offset: last, epoch }
  }

  async lastOffset(tenant: string, topic: Topic): Promise<number> {
    return (await this.position(tenant, topic)).last_offset
  }

  async position(tenant: string, topic: Topic): Promise<StreamPosition> {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; read positions before shutdown starts.')
    const keys = this.keys(tenant, topic)
    const [last, , epoch] = await this.run(() => this.cmd.tfdHistory(keys.meta, keys.stream, '0', '0', String(this.clock.now() - this.limits.max_age_ms), newEpoch()))
    return { last_offset: last, epoch }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const stream of this.streams.values()) { stream.end(); stream.subject.complete() }
    this.all.complete()
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()])
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return
    const newline = message.indexOf('\n')
    let env: Envelope
    try {
      env = JSON.parse(message.slice(newline + 1)) as Envelope
    } catch {
      this.logger.warn({ channel }, 'Ignored a malformed message on the Redis bus channel; another writer shares this prefix.')
      return
    }
    this.streams.get(`${env.tenant}\u0000${env.topic}`)?.offer(message.slice(0, newline), env)
    if (this.all.observed) this.all.next(env)
  }

  /** After the fan-out connection came back: every live stream reads what it missed. */
  private resync(): void {
    if (this.closed) return
    for (const stream of this.streams.values()) stream.resync()
  }

  /**
   * Keys of one stream. The hash tag is the tenant, so one publish batch (always one tenant) touches a
   * single cluster slot; tenants are URI-encoded so `:` or `{` cannot collide.
   */
  private keys(tenant: string, topic: Topic) {
    const base = `${this.prefix}{${encodeURIComponent(tenant)}}:${topic}`
    return { base, meta: `${base}:meta`, stream: `${base}:stream` }
  }

  private async run<R>(command: () => Promise<R>): Promise<R> {
    try {
      return await command()
    } catch (error) {
      throw new TfdriftError('TFD_ERR_BUS_CONNECT', `A Redis bus command failed: ${(error as Error).message}`, { cause: error })
    }
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparseable redis url>'
  }
}
