/**
 * A real `redis-server` for integration tests: started on a free loopback port in a temp dir, with
 * persistence off, and killed afterwards. Suites that need it skip with `describe.skipIf(!hasBinary
 * ('redis-server'))` (announced once per run); under CI a missing binary fails them instead.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnTracked } from './processes.ts'
import { binaryPath } from './system.ts'

export interface RedisServer {
  url: string
  port: number
  stop(): Promise<void>
  /** `kill -9` of the server (an outage); `restart()` brings it back on the same port and directory. */
  kill(): Promise<void>
  restart(): Promise<void>
}

export interface RedisOptions {
  /** Append-only file with fsync on every write, so a killed server comes back with its data. */
  persistent?: boolean
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
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const binary = binaryPath('redis-server')
  const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']
  // Files share one server across tests (some start it lazily inside the first), so it lasts for the file.
  const launch = (port: number, dir: string) =>
    spawnTracked(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir], { stdio: 'ignore' }, 'file')
  const exitOf = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'tfdrift-redis-'))
    let child = launch(port, dir)
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
      stop: async () => {
        child.kill('SIGTERM')
        await exitOf(child)
        rmSync(dir, { recursive: true, force: true })
      },
      kill: async () => {
        child.kill('SIGKILL')
        await exitOf(child)
      },
      restart: async () => {
        child = launch(port, dir)
        await waitReady(child, port, 10_000)
      },
    }
  }
  throw new Error(`could not start redis-server: ${(lastError as Error)?.message}`)
}
