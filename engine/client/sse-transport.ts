/**
 * SSE transport over `fetch` streaming, in browsers and Node alike. Not `EventSource`: it only hands
 * named events to listeners registered per name, and event types here are open-ended
 * (`drift.detected`, `remediation.approved`, …); it also cannot send an Authorization header, and it
 * reconnects on its own schedule instead of the client's backoff.
 */
import type { Envelope, Topic } from '../envelope.ts'
import { encodeResumeCursor, type CursorPosition } from '../realtime-cursor.ts'
import { SseParser } from './sse-parser.ts'
import type { ServerError, SubscribedInfo, Transport, TransportHandlers, TransportRequest } from './types.ts'

/** `GET /api/v1/stream?topic=a,b&severity_min=…`. */
export function sseUrl(req: Pick<TransportRequest, 'base' | 'topics' | 'filter'>): string {
  const url = new URL('/api/v1/stream', req.base.replace(/^ws/, 'http'))
  url.searchParams.set('topic', req.topics.join(','))
  for (const [k, v] of Object.entries(req.filter ?? {})) if (v) url.searchParams.set(k, String(v))
  return url.toString()
}

/** `drifts:12@EPOCH,events:40@EPOCH` for the topics that have an offset (the server's cursor form). */
export function cursorOf(req: Pick<TransportRequest, 'since' | 'epochs'>): string {
  const positions = new Map<Topic, CursorPosition>()
  for (const [topic, offset] of req.since) positions.set(topic, { offset, epoch: req.epochs.get(topic) })
  return encodeResumeCursor(positions, true)
}

/** Opens an SSE transport; reports through `handlers`. */
export function openEventStream(fetchFn: typeof fetch, req: TransportRequest, handlers: TransportHandlers): Transport {
  const abort = new AbortController()
  let opened = false
  let done = false
  const finish = (info: { reason: string; error?: ServerError; code?: number }) => {
    if (done) return
    done = true
    handlers.closed({ opened, ...info })
  }
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (req.token) headers.authorization = `Bearer ${req.token}`
  const cursor = cursorOf(req)
  if (cursor) headers['last-event-id'] = cursor

  void (async () => {
    let response: Response
    try {
      response = await fetchFn(sseUrl(req), { headers, signal: abort.signal, cache: 'no-store' })
    } catch (err) {
      return finish({ reason: 'connection failed', error: { code: 'network_error', message: (err as Error).message } })
    }
    if (response.status !== 200 || !response.body) {
      let error: ServerError = { code: `http_${response.status}`, message: `The stream answered HTTP ${response.status}.`, status: response.status }
      try {
        const body = (await response.json()) as { error?: { code?: string; message?: string } }
        if (body.error?.code) error = { code: body.error.code, message: body.error.message ?? error.message, status: response.status }
      } catch { /* not JSON */ }
      return finish({ reason: 'stream refused', error })
    }
    opened = true
    handlers.opened({ transport: 'sse' })
    const parser = new SseParser()
    const decoder = new TextDecoder()
    const reader = response.body.getReader()
    try {
      for (;;) {
        const { value, done: end } = await reader.read()
        if (end) break
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          if (done) return
          let data: unknown
          try {
            data = JSON.parse(message.data)
          } catch {
            handlers.error({ code: 'invalid_json', message: `SSE event "${message.event}" has data that is not JSON.` })
            continue
          }
          if (message.event === 'subscribed') handlers.subscribed(data as SubscribedInfo)
          else if (message.event === 'error') handlers.error(data as ServerError)
          else handlers.event(data as Envelope)
        }
      }
      finish({ reason: 'stream ended' })
    } catch (err) {
      finish({ reason: 'stream failed', error: { code: 'network_error', message: (err as Error).message } })
    }
  })()

  return {
    kind: 'sse',
    close() {
      finish({ reason: 'client closed', code: 1000 })
      abort.abort()
    },
  }
}
