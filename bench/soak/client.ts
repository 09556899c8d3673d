/**
 * A soak subscriber (WS or SSE) that keeps its own books: it resumes from the last offset (and epoch)
 * it saw on every reconnect, and checks each envelope against that offset. Raw protocol only — `ws`
 * frames and an SSE stream read with the client's SseParser — so what it counts is what the server
 * sent, not what a client library smoothed over.
 *
 * Books, per client: an offset at or below the last one seen is a duplicate; a jump over offsets that
 * publish acknowledged is a loss, unless the server said `recovered: false` on the subscription that
 * delivered it — then the jump is "unrecoverable (told)", the honest outcome when history ran out.
 * Jumps are settled at the end (`settle`), since an envelope often arrives before its publish's reply.
 */
import http from 'node:http'
import WebSocket from 'ws'
import { SseParser } from '../../engine/client/sse-parser.ts'

export interface Books {
  received: number
  duplicates: number
  epochChanges: number
  reconnects: number
  /** How connections ended: `4008`, `sse-end`, `dropped` (ours), … */
  closes: Map<string, number>
}

export const newBooks = (): Books => ({ received: 0, duplicates: 0, epochChanges: 0, reconnects: 0, closes: new Map() })

/** Offsets `from`..`to` never arrived; `told` when the server said so (`recovered: false`). */
interface Gap { from: number; to: number; told: boolean }

export interface Server { port: number; token: string; topic: string }

export class SoakClient {
  last = 0
  epoch?: string
  /** Reading stopped on purpose (a slow consumer). */
  paused = false
  private toldGap = false
  private readonly gaps: Gap[] = []
  private ws?: WebSocket
  private sse?: http.ClientRequest
  private res?: http.IncomingMessage
  private live = false

  constructor(readonly kind: 'ws' | 'sse', private readonly server: Server, readonly books: Books, private readonly onDown: (client: SoakClient, how: string) => void) {}

  get connected(): boolean { return this.live }

  /** Opens a connection resuming after `last`; a no-op while one is open (reconnect timers may race). */
  connect(): void {
    if (this.live) return
    this.live = true
    if (this.kind === 'ws') this.openWs()
    else this.openSse()
  }

  /** Drops the connection without a goodbye, as a network blip would. */
  drop(): void {
    if (!this.live) return
    this.ws?.terminate()
    this.sse?.destroy()
    this.down('dropped')
  }

  pause(): void {
    this.paused = true
    this.ws?.pause()
    this.res?.pause()
  }

  resume(): void {
    this.paused = false
    this.ws?.resume()
    this.res?.resume()
  }

  private down(how: string): void {
    if (!this.live) return
    this.live = false
    this.ws = undefined
    this.sse = undefined
    this.res = undefined
    this.books.closes.set(how, (this.books.closes.get(how) ?? 0) + 1)
    this.onDown(this, how)
  }

  private openWs(): void {
    const ws = new WebSocket(`ws://127.0.0.1:${this.server.port}/ws`, { headers: { authorization: `Bearer ${this.server.token}` }, perMessageDeflate: false })
    this.ws = ws
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', topic: this.server.topic, since: this.last, ...(this.epoch ? { epoch: this.epoch } : {}) }))
      if (this.paused) ws.pause() // ws ignores pause() while still connecting
    })
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString())
      if (m.type === 'event') this.envelope(m.event)
      else if (m.type === 'subscribed') this.subscribed(m)
      else if (m.type === 'error') console.error(`soak: ws error reply ${JSON.stringify(m)}`)
    })
    ws.on('close', (code) => { if (this.ws === ws) this.down(String(code)) })
    ws.on('error', () => { /* 'close' follows */ })
  }

  private openSse(): void {
    const since = this.epoch ? `${this.last}@${this.epoch}` : String(this.last)
    const path = `/api/v1/stream?topic=${this.server.topic}&since=${encodeURIComponent(since)}`
    const req = http.get({ host: '127.0.0.1', port: this.server.port, path, headers: { authorization: `Bearer ${this.server.token}`, accept: 'text/event-stream' } })
    this.sse = req
    req.on('response', (res) => {
      if (this.sse !== req) return res.destroy()
      this.res = res
      if (res.statusCode !== 200) {
        res.resume()
        return this.down(`http-${res.statusCode}`)
      }
      const parser = new SseParser()
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        for (const m of parser.push(chunk)) {
          if (m.event === 'subscribed') this.subscribed(JSON.parse(m.data))
          else if (m.event === 'error') console.error(`soak: sse error event ${m.data}`)
          else this.envelope(JSON.parse(m.data))
        }
      })
      res.on('end', () => { if (this.sse === req) this.down('sse-end') })
      if (this.paused) res.pause()
    })
    req.on('error', () => { if (this.sse === req) this.down('sse-error') })
    req.on('close', () => { if (this.sse === req) this.down('sse-closed') })
  }

  private subscribed(info: { recovered?: boolean; epoch?: string }): void {
    if (info.epoch !== undefined) {
      if (this.epoch !== undefined && info.epoch !== this.epoch) {
        // A new epoch numbers its offsets afresh: these books cannot compare across it, so say so.
        this.books.epochChanges++
        this.last = 0
      }
      this.epoch = info.epoch
    }
    this.toldGap = info.recovered === false
  }

  private envelope(env: { offset: number }): void {
    const offset = env.offset
    this.books.received++
    if (offset <= this.last) {
      this.books.duplicates++
      return
    }
    if (offset > this.last + 1) this.gaps.push({ from: this.last + 1, to: offset - 1, told: this.toldGap })
    this.toldGap = false
    this.last = offset
  }

  /** Acknowledged offsets up to `final` this client never received: lost, and told. */
  settle(final: number, acked: (offset: number) => boolean): { lost: number; told: number } {
    const out = { lost: 0, told: 0 }
    const gaps = [...this.gaps, { from: this.last + 1, to: final, told: false }]
    for (const gap of gaps) {
      for (let o = gap.from; o <= gap.to; o++) if (acked(o)) out[gap.told ? 'told' : 'lost']++
    }
    return out
  }
}
