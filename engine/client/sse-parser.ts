/**
 * An incremental parser for `text/event-stream` (WHATWG HTML §9.2): feed it decoded text chunks as they
 * arrive, split anywhere, and it yields complete events. Handles CRLF/CR/LF line ends, comments,
 * multi-line `data:`, `id:` (kept across events as the last event id), and `retry:`.
 */

export interface SseMessage {
  /** `event:` field, default `message`. */
  event: string
  data: string
  /** Last event id in effect when this event was dispatched. */
  id: string
}

export class SseParser {
  private buffer = ''
  private data: string[] = []
  private event = ''
  private sawData = false
  private pendingCr = false
  /** The last `id:` seen (what a reconnect sends as `Last-Event-ID`). */
  lastEventId = ''
  /** The last valid `retry:` hint, ms. */
  retry?: number

  /** Parses a chunk; returns the events it completed. */
  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = []
    let text = chunk
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCr) {
      this.pendingCr = false
      if (text.startsWith('\n')) text = text.slice(1)
    }
    this.buffer += text
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      const line = this.buffer.slice(start, i)
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++
        } else {
          this.pendingCr = true
        }
      }
      start = i + 1
      const message = this.line(line)
      if (message) out.push(message)
    }
    this.buffer = this.buffer.slice(start)
    return out
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    switch (field) {
      case 'event': this.event = value; break
      case 'data': this.data.push(value); this.sawData = true; break
      case 'id': if (!value.includes('\u0000')) this.lastEventId = value; break
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break
      default: break
    }
    return undefined
  }

  private dispatch(): SseMessage | undefined {
    const event = this.event || 'message'
    const had = this.sawData
    const data = this.data.join('\n')
    this.data = []
    this.event = ''
    this.sawData = false
    return had ? { event, data, id: this.lastEventId } : undefined
  }
}
