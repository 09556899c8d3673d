/**
 * The load generator's clients: raw TCP sockets with just enough protocol to count deliveries.
 * WS: hand-written upgrade, one masked subscribe frame, then a frame-header walker that skips payloads
 * (only sampled sockets decode payloads for latency). SSE: counts `\n\n` event terminators.
 * This keeps the generator far cheaper per delivery than any server it measures.
 */
import net from 'node:net'

const now = () => performance.timeOrigin + performance.now()
const T_RE = /"t":([0-9.]+)/
const OFFSET_RE = /"offset":(\d+)/

export interface ClientOptions {
  port: number
  kind: 'ws' | 'sse'
  /** WS subscribe message / SSE query. */
  path: string
  subscribe?: string
  /** Decode payloads: latency samples and the last offset. */
  sample?: boolean
  onLatency?: (ms: number) => void
}

/** Masked client text frame (zero mask key: the payload bytes stay as they are). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255])
  return Buffer.concat([head, Buffer.from([0, 0, 0, 0]), payload])
}

export class RawClient {
  frames = 0
  bytes = 0
  closeCode = 0
  lastOffset = 0
  offsets?: number[]
  ended = false
  readonly socket: net.Socket
  readonly ready: Promise<void>
  private handshake = true
  private head = ''
  private skip = 0
  private pending: Buffer | null = null
  private payload: Buffer[] = []
  private opcode = 0
  private tail = ''
  private lastChar = 0

  constructor(private readonly o: ClientOptions) {
    this.socket = net.connect(o.port, '127.0.0.1')
    this.socket.setNoDelay(true)
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => {
        const upgrade = o.kind === 'ws' ? 'upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n' : 'accept: text/event-stream\r\n'
        this.socket.write(`GET ${o.path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${upgrade}\r\n`)
      })
      this.socket.on('data', (chunk: Buffer) => {
        if (this.handshake) {
          this.head += chunk.toString('latin1')
          const end = this.head.indexOf('\r\n\r\n')
          if (end < 0) return
          if (!/^HTTP\/1.1 (101|200)/.test(this.head)) return reject(new Error(this.head.split('\r\n')[0]))
          this.handshake = false
          const rest = chunk.subarray(chunk.length - (this.head.length - end - 4))
          if (o.kind === 'ws' && o.subscribe) this.socket.write(textFrame(o.subscribe))
          resolve()
          if (rest.length) this.onData(rest)
          return
        }
        this.onData(chunk)
      })
      this.socket.on('error', (err) => { this.ended = true; reject(err) })
      this.socket.on('close', () => { this.ended = true })
    })
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length
    if (this.o.kind === 'sse') return this.onSse(chunk)
    if (this.pending) { chunk = Buffer.concat([this.pending, chunk]); this.pending = null }
    let i = 0
    const n = chunk.length
    while (i < n) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, n - i)
        if (this.o.sample || this.offsets || this.opcode === 8) this.payload.push(chunk.subarray(i, i + take))
        this.skip -= take
        i += take
        if (this.skip === 0) this.frameDone()
        continue
      }
      if (n - i < 2) { this.pending = chunk.subarray(i); return }
      const b0 = chunk[i], b1 = chunk[i + 1] & 127
      let len = b1, h = 2
      if (b1 === 126) { if (n - i < 4) { this.pending = chunk.subarray(i); return } len = chunk.readUInt16BE(i + 2); h = 4 }
      else if (b1 === 127) { if (n - i < 10) { this.pending = chunk.subarray(i); return } len = Number(chunk.readBigUInt64BE(i + 2)); h = 10 }
      this.opcode = b0 & 15
      i += h
      this.skip = len
      if (len === 0) this.frameDone()
    }
  }

  private frameDone(): void {
    if (this.opcode === 1) this.frames++
    if (this.opcode === 8) {
      const p = Buffer.concat(this.payload)
      this.closeCode = p.length >= 2 ? p.readUInt16BE(0) : 1005
    } else if ((this.o.sample || this.offsets) && this.opcode === 1) this.decode(Buffer.concat(this.payload).toString())
    this.payload = []
  }

  private decode(text: string): void {
    const t = T_RE.exec(text)
    if (t) this.o.onLatency?.(now() - Number(t[1]))
    const off = OFFSET_RE.exec(text)
    if (off) {
      this.lastOffset = Number(off[1])
      this.offsets?.push(this.lastOffset)
    }
  }

  private onSse(chunk: Buffer): void {
    // Count event terminators; a "\n\n" split over two reads is caught with the previous last byte.
    let from = 0
    if (this.lastChar === 10 && chunk[0] === 10) { this.frames++; from = 1 }
    for (let k = chunk.indexOf(10, from); k >= 0 && k < chunk.length - 1; k = chunk.indexOf(10, k + 1)) if (chunk[k + 1] === 10) { this.frames++; k++ }
    this.lastChar = chunk[chunk.length - 1]
    if (this.o.sample) {
      this.tail += chunk.toString()
      let e: number
      while ((e = this.tail.indexOf('\n\n')) >= 0) { this.decode(this.tail.slice(0, e)); this.tail = this.tail.slice(e + 2) }
    }
  }

  /**
   * Stops reading at the socket. `net.Socket.pause()` alone only pauses the stream: libuv keeps reading
   * into its buffer up to the highWaterMark (16 KiB), so 10k "paused" clients would still cost the
   * generator 10k reads per message on the CPU it shares with the latency probe.
   */
  pause(): void {
    this.socket.pause()
    const h = this.handle()
    if (h?.reading) { h.reading = false; h.readStop() }
  }

  /** Restarts reading (the stream's own resume does not restart a handle stopped behind its back). */
  resume(): void {
    const h = this.handle()
    if (h && !h.reading && !this.socket.destroyed) { h.reading = true; h.readStart() }
    this.socket.resume()
  }

  private handle(): { reading: boolean; readStop(): number; readStart(): number } | undefined {
    return (this.socket as unknown as { _handle?: { reading: boolean; readStop(): number; readStart(): number } })._handle
  }
  close(): void { this.socket.destroy() }
}

/** Opens `count` clients, `concurrency` at a time. */
export async function openMany(count: number, make: (i: number) => RawClient, concurrency = 500): Promise<RawClient[]> {
  const out: RawClient[] = []
  for (let i = 0; i < count; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, k) => make(i + k))
    await Promise.all(batch.map((c) => c.ready))
    out.push(...batch)
  }
  return out
}
