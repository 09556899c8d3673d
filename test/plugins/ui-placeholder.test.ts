/**
 * The placeholder dashboard in a real browser: the unbuilt `ui/` folder served by the server (the
 * fallback module runs since browsers cannot load .ts), connected anonymously to the SSE stream,
 * listing drifts as they are published and greying out resolved ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import type { Drift } from '../../engine/model.ts'
import { startServer, type Server } from '../../engine/server/index.ts'
import { binaryPath, hasBinary } from '../support/system.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

describe.skipIf(!hasBinary('chromium'))('placeholder dashboard (ui/)', () => {
  let server: Server
  let bus: MemoryBus
  let browser: Browser
  beforeAll(async () => {
    bus = new MemoryBus()
    server = await startServer({
      config: { port: 0, host: '127.0.0.1', auth: { anonymous: { tenant: 'demo', scopes: ['read'] } } },
      bus, store: new MemoryStore(), logger: silentLogger, rest: false, uiDir: join(root, 'ui'),
    })
    browser = await chromium.launch({ executablePath: binaryPath('chromium'), args: ['--no-sandbox'] })
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await bus?.close()
  })

  it('lists drifts live from the SSE stream', async () => {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.port}/`)
    await page.waitForSelector('#status.live', { timeout: 15_000 })
    const drift: Drift = {
      id: 'drift_1', kind: 'modified', address: 'module.prod.module.service["payments-ue1"].aws_security_group.app', type: 'aws_security_group', provider: 'aws',
      severity: 'critical', changes: [{ path: 'ingress', expected: [], actual: [{ from_port: 22 }], sensitive: false }],
      actor: { user: 'alice.nguyen@acme.example', event_name: 'AuthorizeSecurityGroupIngress' }, detected_at: '2026-11-22T10:00:00.000Z', status: 'open',
    }
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'demo', data: drift })
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'other-tenant', data: { ...drift, id: 'drift_x', address: 'aws_instance.secret' } })
    const row = await page.waitForSelector('#drifts tr', { timeout: 15_000 })
    const text = await row.innerText()
    expect(text.toLowerCase()).toContain('critical')
    expect(text).toContain('aws_security_group.app')
    expect(text).toContain('alice.nguyen@acme.example · AuthorizeSecurityGroupIngress')
    expect(await page.locator('#count').innerText()).toBe('1 open drift')
    await bus.publish({ topic: 'drifts', type: 'drift.resolved', tenant: 'demo', data: { ...drift, status: 'resolved' } })
    await page.waitForSelector('#drifts tr.resolved', { timeout: 15_000 })
    expect(await page.locator('#drifts tr').count()).toBe(1)
    expect(await page.locator('#count').innerText()).toBe('0 open drifts')
    await page.close()
  })
})
