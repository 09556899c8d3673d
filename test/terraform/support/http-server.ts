/** A loopback HTTP server with a swappable handler, recording requests (method, url, headers). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  url: string
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>
  handler: (req: IncomingMessage, res: ServerResponse) => void
  close(): Promise<void>
}

export async function startServer(handler: TestServer['handler']): Promise<TestServer> {
  const state: Partial<TestServer> = { requests: [], handler }
  const server = createServer((req, res) => {
    req.resume()
    state.requests!.push({ method: req.method!, url: req.url!, headers: req.headers })
    state.handler!(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  return state as TestServer
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}
