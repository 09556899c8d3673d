/**
 * The client in a real browser (headless Chromium via playwright-core): bundled for the browser with
 * esbuild, loaded on the server's own origin, using the browser's native WebSocket and fetch streams.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import { binaryPath, hasBinary } from '../support/system.ts'

let browser: Browser
let page: Page
let server: Server
const bus = new MemoryBus()

describe.skipIf(!hasBinary('chromium'))('client in Chromium', () => {
  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('../../engine/client/index.ts', import.meta.url))],
      bundle: true, write: false, format: 'iife', globalName: 'tfdrift', platform: 'browser', target: 'es2022',
    })
    server = await startServer({
      // Browsers send Origin on WebSocket upgrades even on the same origin, so the allow-list must admit it.
      config: { port: 0, host: '127.0.0.1', cors: { origins: ['*'] }, auth: { tokens: [{ token: 'acme-token', tenant: 'acme', scopes: ['read'], name: 'acme' }] } },
      bus, store: new MemoryStore(), logger: silentLogger, rest: false,
    })
    browser = await chromium.launch({ executablePath: binaryPath('chromium'), args: ['--no-sandbox'] })
    page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.port}/health`) // any page of the server's origin
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await bus.close()
  })

  it.each(['ws', 'sse'] as const)('receives live events over %s with the browser\u2019s own APIs', async (transport) => {
    const before = await bus.lastOffset('acme', 'drifts')
    await page.evaluate(async ({ transport, url }) => {
      const w = window as any
      w.received = []
      w.client = w.tfdrift.connect({ url, token: 'acme-token', topics: ['drifts'], transport })
      w.client.on('event', (e: any) => w.received.push(e.offset))
      await w.client.ready()
      w.usedNativeWebSocket = typeof WebSocket === 'function'
    }, { transport, url: `http://127.0.0.1:${server.port}` })
    for (let i = 0; i < 3; i++) await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: { i } })
    await page.waitForFunction(() => (window as any).received.length === 3, undefined, { timeout: 10_000 })
    const state = await page.evaluate(() => {
      const w = window as any
      const out = { received: w.received, transport: w.client.transport, native: w.usedNativeWebSocket }
      w.client.close()
      return out
    })
    expect(state).toEqual({ received: [before + 1, before + 2, before + 3], transport, native: true })
  })
})
