/**
 * WebSocket transport: `GET /ws?token=`, waits for `welcome`, then one `subscribe` per topic with its
 * resume offset. Browsers (and Node ≥ 22) have a global WebSocket; on Node 20 the `ws` package is
 * imported on first use, through a computed specifier so browser bundlers leave it alone.
 */
import type { Envelope, Topic } from '../envelope.ts'
import type { Filter, ServerError, SubscribedInfo, Transport, TransportHandlers, TransportRequest, WelcomeMessage } from './types.ts'

/** The subset of the WHATWG WebSocket API used here (browser, Node ≥ 22, and `ws` all provide it). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onerror: ((ev: unknown) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

let cached: Promise<WebSocketConstructor> | undefined

/** The platform WebSocket, or the `ws` package's on Node 20. */
export function loadWebSocket(): Promise<WebSocketConstructor> {
  const native = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (native) return Promise.resolve(native)
  const specifier = 'ws'
  cached ??= import(/* @vite-ignore */ specifier).then((m: { default?: WebSocketConstructor; WebSocket?: WebSocketConstructor }) => (m.WebSocket ?? m.default)!)
  return cached
}

/** `http://h:p` → `ws://h:p/ws?token=…`. */
export function wsUrl(base: string, token?: string): string {
  const url = new URL('/ws', base.replace(/^http/, 'ws'))
  if (token) url.searchParams.set('token', token)
  return url.toString()
}

/** Opens a WS transport; reports through `handlers`. */
export function openWebSocket(Ctor: WebSocketConstructor, req: TransportRequest, handlers: TransportHandlers): Transport {
  let opened = false
  let done = false
  let failure: ServerError | undefined
  const socket = new Ctor(wsUrl(req.base, req.token))
  const send = (msg: object) => {
    if (socket.readyState === 1) socket.send(JSON.stringify(msg))
  }
  const subscribe = (topic: Topic, since: number | undefined, filter: Filter | undefined, epoch: string | undefined) =>
    send({ type: 'subscribe', id: `sub:${topic}`, topic, ...(filter ? { filter } : {}), ...(since !== undefined ? { since, ...(epoch ? { epoch } : {}) } : {}) })

  socket.onmessage = (ev) => {
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data))
    } catch {
      return handlers.error({ code: 'invalid_json', message: 'The server sent a frame that is not JSON.' })
    }
    switch (msg.type) {
      case 'event':
        return handlers.event(msg.event as Envelope)
      case 'welcome':
        opened = true
        handlers.opened({ transport: 'ws', welcome: msg as unknown as WelcomeMessage })
        for (const topic of req.topics) subscribe(topic, req.since.get(topic), req.filter, req.epochs.get(topic))
        return
      case 'subscribed': {
        const { type: _t, id: _i, via: _v, ...info } = msg
        return handlers.subscribed(info as unknown as SubscribedInfo)
      }
      case 'error': {
        const id = typeof msg.id === 'string' && msg.id.startsWith('sub:') ? (msg.id.slice(4) as Topic) : undefined
        return handlers.error({ code: String(msg.code), message: String(msg.message), ...(id ? { topic: id } : {}) })
      }
      default:
        return // pong, unsubscribed, query_result: nothing to do for a subscriber
    }
  }
  socket.onerror = (ev) => {
    // `ws` reports a refused upgrade as "Unexpected server response: 401"; browsers give no detail.
    const message = String((ev as { message?: string }).message ?? (ev as { error?: Error }).error?.message ?? 'WebSocket error')
    const status = /Unexpected server response: (\d{3})/.exec(message)?.[1]
    failure = status
      ? { code: Number(status) === 401 ? 'unauthorized' : Number(status) === 403 ? 'forbidden' : 'upgrade_refused', message, status: Number(status) }
      : { code: 'ws_error', message }
  }
  socket.onclose = (ev) => {
    if (done) return
    done = true
    handlers.closed({ opened, code: ev.code, reason: ev.reason || (opened ? 'connection closed' : 'connection failed'), ...(failure ? { error: failure } : {}) })
  }
  return {
    kind: 'ws',
    resubscribe: (topic, since, epoch) => subscribe(topic, since, req.filter, epoch),
    close() {
      if (done) return
      done = true
      try { socket.close(1000, 'client closed') } catch { /* already closing */ }
      handlers.closed({ opened, code: 1000, reason: 'client closed' })
    },
  }
}
