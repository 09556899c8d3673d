import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { spawnTracked } from '../support/processes.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { hasBinary } from '../support/system.ts'
import { SseClient, until } from './support.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let redis: RedisServer | undefined
afterAll(async () => { await redis?.stop() })

/** Runs `tfdrift relay` as a user would (the bin), resolving with its port once it logs that it runs. */
function relay(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
  const child = spawnTracked(process.execPath, ['bin/tfdrift.mjs', 'relay', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT, env: { ...process.env, TFDRIFT_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (d) => { err += d })
    child.stdout!.on('data', (d) => {
      out += d
      for (const line of out.split('\n')) {
        if (!line.includes('tfdrift relay running')) continue
        resolve({ child, port: JSON.parse(line).port, exited })
      }
    })
    void exited.then((code) => reject(new Error(`relay exited with ${code}: ${err}${out}`)))
  })
}

async function roundTrip(port: number, publishToken: string, readToken: string): Promise<void> {
  const sse = await SseClient.open(`http://127.0.0.1:${port}/api/v1/stream?topic=events&token=${readToken}`)
  expect(sse.status).toBe(200)
  await until(() => sse.events.some((e) => e.event === 'subscribed'), 'subscribed', 10_000)
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/publish`, {
    method: 'POST', headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'events', type: 'app.hello', data: { hello: 'relay' } }),
  })
  expect(res.status).toBe(200)
  await until(() => sse.envelopes().length === 1, 'event over SSE', 10_000)
  expect(sse.envelopes()[0]).toMatchObject({ topic: 'events', type: 'app.hello', data: { hello: 'relay' } })
  sse.close()
}

describe('tfdrift relay (the CLI command)', () => {
  it('runs without a config with TFDRIFT_TOKEN, relays a publication to a stream, stops cleanly on SIGTERM', async () => {
    const { child, port, exited } = await relay([], { TFDRIFT_TOKEN: 'cli-test-token' })
    await roundTrip(port, 'cli-test-token', 'cli-test-token')
    // The operator's token also scrapes /metrics (it needs the metrics scope once any auth exists); nobody else does.
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer cli-test-token' } })
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('tfdrift_server_published_total')
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)

  it.skipIf(!hasBinary('redis-server'))('runs config/examples/relay.json on a Redis bus with separate publish and read tokens', async () => {
    redis = await startRedis()
    const { child, port, exited } = await relay(['--config', 'config/examples/relay.json'], { REDIS_URL: redis.url, RELAY_PUBLISH_TOKEN: 'pub-t', RELAY_READ_TOKEN: 'read-t' })
    await roundTrip(port, 'pub-t', 'read-t')
    const forbidden = await fetch(`http://127.0.0.1:${port}/api/v1/publish`, { method: 'POST', headers: { authorization: 'Bearer read-t' }, body: '{}' })
    expect(forbidden.status).toBe(403)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)
})

describe('tfdrift relay with a relay-only config (issue 11)', () => {
  it('runs a config that has a server and no pipelines at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfdrift-relay-only-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const config = join(dir, 'relay.json')
    writeFileSync(config, JSON.stringify({
      server: { auth: { tokens: [{ token: 'relay-only-token', tenant: 'acme', scopes: ['read', 'publish'] }] } },
      store: { kind: 'memory' },
    }))
    const { child, port, exited } = await relay(['--config', config], {})
    await roundTrip(port, 'relay-only-token', 'relay-only-token')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)
})
