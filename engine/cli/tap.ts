/**
 * `tfdrift tap <topic>`: prints the live envelopes of a running server, one JSON line each, by reading
 * its SSE stream (`GET /api/v1/stream?topic=…&since=…`) with fetch. Reconnects with `Last-Event-ID`
 * after a dropped connection, so nothing is missed while the server's history covers the gap.
 */
import { Command, InvalidArgumentError } from 'commander'
import { TfdriftError } from '../errors.ts'
import { TOPICS } from '../envelope.ts'
import { reportError } from './problems.ts'

export interface TapOptions {
  url: string
  topic: string
  token?: string
  since?: number
  /** Stop after this many events. */
  limit?: number
  signal?: AbortSignal
  write?: (line: string) => void
  /** Where notices go (default stderr), e.g. that history no longer covered a gap. */
  warn?: (line: string) => void
  /** Retry dropped connections (default true); auth and not-found answers are never retried. */
  reconnect?: boolean
}

/** One parsed SSE message. */
interface SseMessage { id?: string; event?: string; data: string }

/** Splits an SSE byte stream into messages (comments and `retry:` lines are skipped). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder()
  let buffer = ''
  let message: SseMessage = { data: '' }
  let hasData = false
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let newline: number
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
      if (line === '') {
        if (hasData) yield message
        message = { data: '' }
        hasData = false
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') {
        message.data = hasData ? `${message.data}\n${value}` : value
        hasData = true
      } else if (field === 'id') message.id = value
      else if (field === 'event') message.event = value
    }
  }
}

/** Streams envelopes to `write` until aborted, the limit is reached, or a non-retryable answer. Returns the count. */
export async function tap(options: TapOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  let lastId: string | undefined
  /** The epoch each topic was last in, to tell "the server lost its data" from "history was trimmed". */
  const epochs = new Map<string, string>()
  let count = 0
  let delay = 250
  for (;;) {
    const url = new URL('/api/v1/stream', options.url)
    url.searchParams.set('topic', options.topic)
    if (options.since !== undefined && lastId === undefined) url.searchParams.set('since', String(options.since))
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    if (lastId !== undefined) headers['last-event-id'] = lastId
    let response: Response
    try {
      response = await fetch(url, { headers, signal: options.signal })
    } catch (error) {
      if (options.signal?.aborted) return count
      if (options.reconnect === false) throw streamError(`cannot reach ${url.origin}: ${(error as Error).message}`, error)
      await pause(delay, options.signal)
      delay = Math.min(delay * 2, 10_000)
      continue
    }
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '')
      throw streamError(`${url.origin} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`)
    }
    delay = 250
    try {
      for await (const message of readSse(response.body)) {
        if (message.id !== undefined) lastId = message.id
        let envelope: unknown
        try {
          envelope = JSON.parse(message.data)
        } catch {
          continue // not an envelope (keep-alive payloads, if any)
        }
        if (!isEnvelope(envelope)) {
          // Control messages (`event: subscribed`) are not events; say so only when history lost some.
          const info = envelope as { recovered?: boolean; topic?: string; since?: number; oldest_offset?: number; epoch?: string }
          if (message.event === 'subscribed') {
            const warn = options.warn ?? ((l: string) => process.stderr.write(`${l}\n`))
            const before = info.topic ? epochs.get(info.topic) : undefined
            if (info.recovered === false && before !== undefined && info.epoch !== undefined && info.epoch !== before) {
              warn(`tap: the server lost the ${info.topic} stream this tap followed (its epoch changed); replaying the new one from offset ${info.oldest_offset}.`)
            } else if (info.recovered === false) {
              warn(`tap: history no longer covers ${info.topic} after offset ${info.since}; resuming from offset ${info.oldest_offset} (some events were missed).`)
            }
            if (info.topic && info.epoch) epochs.set(info.topic, info.epoch)
          }
          continue
        }
        write(JSON.stringify(envelope))
        count++
        if (options.limit !== undefined && count >= options.limit) return count
      }
    } catch (error) {
      if (options.signal?.aborted) return count
      if (options.reconnect === false) throw streamError(`stream from ${url.origin} broke: ${(error as Error).message}`, error)
    }
    if (options.signal?.aborted) return count
    if (options.reconnect === false) return count
    await pause(delay, options.signal)
  }
}

function isEnvelope(value: unknown): boolean {
  const v = value as Record<string, unknown> | null
  return !!v && typeof v === 'object' && typeof v.offset === 'number' && typeof v.topic === 'string' && typeof v.type === 'string' && 'data' in v
}

function streamError(message: string, cause?: unknown): TfdriftError {
  return new TfdriftError('TFD_ERR_TAP_STREAM', message, { cause })
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

function nonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer')
  return n
}

/** Builds the `tap` command. */
export function tapCommand(): Command {
  return new Command('tap')
    .description(`Print live events of a running server, one JSON envelope per line. Topics: ${[...TOPICS, 'all'].join(', ')}.`)
    .argument('<topic>', 'topic to follow')
    .option('--url <url>', 'server base URL (env TFDRIFT_URL)', process.env.TFDRIFT_URL ?? 'http://localhost:8080')
    .option('--token <token>', 'bearer token with the read scope (env TFDRIFT_TOKEN)')
    .option('--since <offset>', 'replay from after this offset first (history permitting)', nonNegativeInt)
    .option('--limit <n>', 'exit after n events', nonNegativeInt)
    .addHelpText('after', '\nExit codes: 0 stopped (Ctrl-C or --limit reached), 1 the stream could not be read (refused, unauthorised, unknown topic).')
    .action(async (topic: string, opts: { url: string; token?: string; since?: number; limit?: number }) => {
      const controller = new AbortController()
      const stop = () => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        await tap({ url: opts.url, topic, token: opts.token ?? process.env.TFDRIFT_TOKEN, since: opts.since, limit: opts.limit, signal: controller.signal })
      } catch (error) {
        process.exitCode = reportError(error)
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}
