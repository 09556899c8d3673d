import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tap } from '../../engine/cli/tap.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { runCli } from './support.ts'

/** A real SSE endpoint over loopback speaking the server's stream format (id: offset, event: type, data: envelope). */
interface Seen { url: string; authorization?: string; lastEventId?: string }
function envelope(offset: number) {
  return { id: `01J${offset}`, offset, topic: 'drifts', type: 'drift.detected', tenant: 'acme', time: '2026-11-22T10:00:00.000Z', data: { address: `aws_instance.web[${offset}]` } }
}
const servers: http.Server[] = []
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r) }))) })

async function sseServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url!, authorization: req.headers.authorization, lastEventId: req.headers['last-event-id'] as string | undefined })
    handler(req, res, seen)
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

function send(res: http.ServerResponse, offset: number) {
  res.write(`id: ${offset}\nevent: drift.detected\ndata: ${JSON.stringify(envelope(offset))}\n\n`)
}

describe('tfdrift tap', () => {
  it('prints one JSON envelope per line, sends the token and since, and exits 0 at --limit', async () => {
    const { url, seen } = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('retry: 1000\n: keep-alive\n\n')
      send(res, 8)
      // A message split across writes, with CRLF line ends, must still parse.
      const text = `id: 9\r\nevent: drift.detected\r\ndata: ${JSON.stringify(envelope(9))}\r\n\r\n`
      res.write(text.slice(0, 17))
      setImmediate(() => res.write(text.slice(17)))
    })
    const result = await runCli(['tap', 'drifts', '--url', url, '--since', '7', '--limit', '2'], { env: { TFDRIFT_TOKEN: 'tok-123' } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([envelope(8), envelope(9)])
    expect(seen[0]!.url).toBe('/api/v1/stream?topic=drifts&since=7')
    expect(seen[0]!.authorization).toBe('Bearer tok-123')
  })

  it('resumes with Last-Event-ID after the connection drops, without duplicates', async () => {
    const { url, seen } = await sseServer((req, res, all) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      if (all.length === 1) { send(res, 1); send(res, 2); res.end(); return }
      const from = Number(req.headers['last-event-id'])
      send(res, from + 1)
    })
    const lines: string[] = []
    const count = await tap({ url, topic: 'drifts', limit: 3, write: (l) => lines.push(l) })
    expect(count).toBe(3)
    expect(lines.map((l) => JSON.parse(l).offset)).toEqual([1, 2, 3])
    expect(seen.map((s) => s.lastEventId)).toEqual([undefined, '2'])
  })

  it('skips control messages and warns when history no longer covers the gap', async () => {
    const { url } = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`event: subscribed\ndata: ${JSON.stringify({ topic: 'drifts', since: 3, recovered: false, oldest_offset: 40, last_offset: 41 })}\n\n`)
      send(res, 40)
    })
    const lines: string[] = []
    const warnings: string[] = []
    expect(await tap({ url, topic: 'drifts', since: 3, limit: 1, write: (l) => lines.push(l), warn: (l) => warnings.push(l) })).toBe(1)
    expect(lines.map((l) => JSON.parse(l))).toEqual([envelope(40)])
    expect(warnings).toEqual(['tap: history no longer covers drifts after offset 3; resuming from offset 40 (some events were missed).'])
  })

  it('resumes with its offset and epoch, and says so when the server lost the stream (new epoch)', async () => {
    const { url, seen } = await sseServer((_req, res, all) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const epoch = all.length === 1 ? 'EPOCHONE01' : 'EPOCHTWO02'
      res.write(`event: subscribed\ndata: ${JSON.stringify({ topic: 'drifts', since: 0, recovered: all.length === 1, epoch, oldest_offset: 1, last_offset: 1 })}\n\n`)
      res.write(`id: 1@${epoch}\nevent: drift.detected\ndata: ${JSON.stringify(envelope(1))}\n\n`)
      if (all.length === 1) res.end()
    })
    const warnings: string[] = []
    expect(await tap({ url, topic: 'drifts', limit: 2, write: () => {}, warn: (l) => warnings.push(l) })).toBe(2)
    expect(seen.map((s) => s.lastEventId)).toEqual([undefined, '1@EPOCHONE01'])
    expect(warnings).toEqual(['tap: the server lost the drifts stream this tap followed (its epoch changed); replaying the new one from offset 1.'])
  })

  it('fails with TFD_ERR_TAP_STREAM and the status when the server refuses', async () => {
    const { url } = await sseServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ success: false, error: { code: 'TFD_ERR_AUTH', message: 'token required' } }))
    })
    await expect(tap({ url, topic: 'drifts', write: () => {} })).rejects.toSatisfy((e: unknown) => e instanceof TfdriftError && e.code === 'TFD_ERR_TAP_STREAM' && e.message.includes('401'))
    const result = await runCli(['tap', 'drifts', '--url', url])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/answered 401: .*token required.* \[TFD_ERR_TAP_STREAM\]/)
  })
})
