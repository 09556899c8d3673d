import { Observable, Subject } from 'rxjs'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Bus, BusHistoryLimits, HistoryPage } from './bus.ts'
import type { Envelope, Publication, Topic } from '../envelope.ts'
import type { Clock } from '../plugin-api.ts'
import { systemClock } from '../clock.ts'
import { newId } from '../ids.ts'
import { silentLogger } from '../logger.ts'
import { TfdriftError } from '../errors.ts'
import { historyPageSize, resolveHistoryLimits } from './limits.ts'
import { validatePublication } from './validate.ts'
import { HISTORY_SCRIPT, PUBLISH_SCRIPT } from './redis-scripts.ts'

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
  tfdPublish(counter: string, stream: string, idem: string, ...args: string[]): Promise<[number, number]>
  tfdHistory(counter: string, stream: string, ...args: string[]): Promise<[number, number, string[]]>
}

/**
 * The Redis bus: one Redis Stream per (tenant, topic) holds history (entry id `<offset>-1`), a Lua
 * script assigns offsets atomically and PUBLISHes each envelope on one channel per prefix, which every
 * node subscribes to on a dedicated connection. Several nodes on one Redis therefore share offsets and
 * order, and a client may resume from any of them. Live delivery is asynchronous (after the round trip
 * through Redis), also for envelopes this node published. Needs Redis >= 6.2 (XTRIM MINID).
 * Create with `RedisBus.connect()`, which resolves once the fan-out subscription is active.
 */
export class RedisBus implements Bus {
  readonly limits: BusHistoryLimits
  private readonly prefix: string
  private readonly channel: string
  private readonly streams = new Map<string, Subject<Envelope>>()
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
    cmd.defineCommand('tfdPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT })
    cmd.defineCommand('tfdHistory', { numberOfKeys: 2, lua: HISTORY_SCRIPT })
    const bus = new RedisBus(cmd, sub, options, options.clock ?? systemClock, logger)
    try {
      await Promise.all([cmd.connect(), sub.connect()])
      sub.on('message', (channel: string, message: string) => bus.onMessage(channel, message))
      await sub.subscribe(bus.channel)
    } catch (error) {
      cmd.disconnect(); sub.disconnect()
      throw new TfdriftError('TFD_ERR_BUS_CONNECT', `Could not connect the Redis bus to ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error })
    }
    return bus
  }

  async publish<T>(publication: Publication<T>): Promise<Envelope<T>> {
    if (this.closed) throw new TfdriftError('TFD_ERR_BUS_CLOSED', 'The bus is closed; publish before shutdown starts.')
    validatePublication(publication)
    const { tenant, topic, type } = publication
    const now = this.clock.now()
    const id = publication.id ?? newId(now)
    const time = publication.time ?? new Date(now).toISOString()
    const head = `{"id":${JSON.stringify(id)},"offset":`
    const tail = `,"topic":${JSON.stringify(topic)},"type":${JSON.stringify(type)},"tenant":${JSON.stringify(tenant)},"time":${JSON.stringify(time)},"data":${JSON.stringify(publication.data ?? null)}}`
    const keys = this.keys(tenant, topic)
    const idem = publication.id !== undefined ? `${keys.base}:id:${publication.id}` : `${keys.base}:id:`
    const [fresh, offset] = await this.run(() => this.cmd.tfdPublish(
      keys.counter, keys.stream, idem,
      head, tail, String(this.limits.max_events), String(now), String(now - this.limits.max_age_ms), this.channel,
      publication.id !== undefined ? String(this.limits.max_age_ms) : '',
    ))
    if (fresh === 1) return { id, offset, topic, type, tenant, time, data: publication.data }
    const earlier = await this.history(tenant, topic, offset - 1, 1)
    const env = earlier.envelopes[0]
    return (env?.offset === offset ? env : { id, offset, topic, type, tenant, time, data: publication.data }) as Envelope<T>
  }

  live(tenant: string, topic: Topic): Observable<Envelope> {
    const key = `${tenant}\u0000${topic}`
    return new Observable<Envelope>((subscriber) => {
      let subject = this.streams.get(key)
      if (!subject) { subject = new Subject(); this.streams.set(key, subject) }
      const subscription = subject.subscribe(subscriber)
      return () => {
        subscription.unsubscribe()
        if (!subject.observed && this.streams.get(key) === subject) this.streams.delete(key)
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
    const [last, oldest, rows] = await this.run(() => this.cmd.tfdHistory(keys.counter, keys.stream, String(after), String(historyPageSize(limit)), String(cutoff)))
    const envelopes = rows.map((row) => JSON.parse(row) as Envelope)
    const complete = after >= last || (oldest !== 0 && oldest <= after + 1)
    return { envelopes, complete, oldest_offset: oldest, last_offset: last }
  }

  async lastOffset(tenant: string, topic: Topic): Promise<number> {
    const value = await this.run(() => this.cmd.get(this.keys(tenant, topic).counter))
    return value === null ? 0 : Number(value)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const subject of this.streams.values()) subject.complete()
    this.all.complete()
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()])
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return
    let env: Envelope
    try {
      env = JSON.parse(message) as Envelope
    } catch {
      this.logger.warn({ channel }, 'Ignored a malformed message on the Redis bus channel; another writer shares this prefix.')
      return
    }
    this.streams.get(`${env.tenant}\u0000${env.topic}`)?.next(env)
    if (this.all.observed) this.all.next(env)
  }

  /** Keys of one stream; the hash tag keeps a stream's keys in one cluster slot. Tenants are URI-encoded so `:` or `{` cannot collide. */
  private keys(tenant: string, topic: Topic) {
    const base = `${this.prefix}{${encodeURIComponent(tenant)}:${topic}}`
    return { base, counter: `${base}:offset`, stream: `${base}:stream` }
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
