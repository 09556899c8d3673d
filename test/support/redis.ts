/**
 * A real `redis-server` for integration tests: started on a free loopback port in a temp dir, with
 * persistence off, and killed afterwards. A missing binary fails the test (it is installed in CI) —
 * never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServer {
  url: string
  port: number
  stop(): Promise<void>
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server'

/** Throws with the install command when `redis-server` is not on PATH. */
export function requireRedisBinary(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new Error(`redis-server is required for the Redis bus tests and was not found (${probe.error?.message ?? probe.stderr}). Install it: apt-get install -y redis-server`)
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Resolves when the server answers PING with PONG (raw RESP, no client library involved). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.setTimeout(500, () => { socket.destroy(); resolve(false) })
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => { data += chunk.toString(); if (data.includes('\r\n')) { socket.end(); resolve(data.startsWith('+PONG')) } })
    socket.on('error', () => resolve(false))
  })
}

async function waitReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`)
    if (await ping(port)) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms`)
}

/** Starts a private redis-server; retries on a port race. */
export async function startRedis(): Promise<RedisServer> {
  requireRedisBinary()
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'tfdrift-redis-'))
    const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
    try {
      await waitReady(child, port, 10_000)
    } catch (error) {
      lastError = error
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
      continue
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: () => new Promise<void>((resolve) => {
        const done = () => { rmSync(dir, { recursive: true, force: true }); resolve() }
        if (child.exitCode !== null) return done()
        child.once('exit', done)
        child.kill('SIGTERM')
      }),
    }
  }
  throw new Error(`could not start redis-server: ${(lastError as Error)?.message}`)
}
