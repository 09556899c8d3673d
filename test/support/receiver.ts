/**
 * A real HTTP receiver on loopback for transport tests (webhook, Slack): records every request with
 * its raw body and headers, answers through a handler the test swaps, and can go down (connections
 * refused) and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received { path: string; headers: IncomingMessage['headers']; body: string; at: number }
export interface Answer { status?: number; headers?: Record<string, string>; body?: string; delay_ms?: number }
export type Handler = (req: Received) => Answer | Promise<Answer>

export class Receiver {
  readonly requests: Received[] = []
  handler: Handler = () => ({ status: 200 })
  private server: Server | undefined
  port = 0

  static async start(handler?: Handler): Promise<Receiver> {
    const r = new Receiver()
    if (handler) r.handler = handler
    await r.up()
    return r
  }

  get url(): string { return `http://127.0.0.1:${this.port}` }

  /** Listens (again) on the same port. */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res))
    server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', () => resolve()) })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Stops listening and drops open connections: the sender sees refused or reset connections. */
  async down(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const received: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() }
    this.requests.push(received)
    const answer = await this.handler(received)
    if (answer.delay_ms) await new Promise((r) => setTimeout(r, answer.delay_ms))
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers })
    res.end(answer.body ?? '{"ok":true}')
  }
}
