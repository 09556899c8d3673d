/**
 * The dashboard end to end: the built ui/dist served by a real runtime (demo estate, drift analysis,
 * remediation, SQLite store on disk), opened in headless Chromium (WebGL on SwiftShader; WebGPU on
 * SwiftShader's Vulkan driver for the renderer-choice cases, see ui/scripts/webgpu-chromium.ts). What a
 * user sees is checked through the page: canvas pixels, the DOM panels, and the model the canvas draws.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { silentLogger } from '../../engine/logger.ts'
import type { TfdriftConfig } from '../../engine/config/types.ts'
import { demo, drift, realtime, terraformRemediation } from '../../plugins/index.ts'
import { binaryPath, hasBinary, inCi } from '../support/system.ts'
import { webgpuChromium } from '../../ui/scripts/webgpu-chromium.ts'

const ADMIN = 'e2e-admin-token-0123456789abcdef'
const BROWSER_ARGS = ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking']
const READ = 'e2e-read-token-0123456789abcdef00'

let dir: string
let runtime: Runtime
let port = 0
let browser: Browser

function config(): TfdriftConfig {
  return {
    server: {
      port, host: '127.0.0.1',
      auth: { tokens: [{ token: ADMIN, tenant: 'acme', scopes: ['read', 'admin'], name: 'alice' }, { token: READ, tenant: 'acme', scopes: ['read'], name: 'bob' }] },
    },
    store: { kind: 'sqlite', path: join(dir, 'tfdrift.db') },
    pipelines: {
      demo: {
        tenant: 'acme',
        // No reverts: a plan the test decides on must not turn obsolete under it.
        discovery: [demo({ size: 400, interval: '1500ms', seed: 'e2e', initial_changes: 12, revert_probability: 0, max_open_changes: 1000 })],
        analysis: [drift()],
        remediation: [terraformRemediation({ mode: 'propose' })],
        transports: [realtime()],
      },
    },
  } as TfdriftConfig
}

async function start(): Promise<void> {
  runtime = await startRuntime(config(), { logger: silentLogger, cwd: dir })
  port = runtime.server!.port
}

async function open(token: string, query = ''): Promise<Page> {
  return (await openIn(browser, token, query)).page
}

/** Opens the dashboard in a browser or context; `warnings` collects the page's own console warnings (tfdrift: …). */
async function openIn(where: Browser | BrowserContext, token: string, query = ''): Promise<{ page: Page; warnings: string[] }> {
  const page = 'contexts' in where ? await where.newPage({ viewport: { width: 1280, height: 800 } }) : await where.newPage()
  const warnings: string[] = []
  page.on('console', (m) => { if (m.type() === 'warning' && m.text().startsWith('tfdrift:')) warnings.push(m.text()) })
  page.on('pageerror', (err) => console.error('page error:', err.message))
  await page.goto(`http://127.0.0.1:${port}/?token=${token}${query}`)
  await page.waitForFunction(() => (window as any).__tfdrift?.ready === true && (window as any).__tfdriftScene, undefined, { timeout: 60_000 })
  return { page, warnings }
}

const rendererOf = (page: Page) => page.evaluate(() => (window as any).__tfdriftScene.renderer as string)

/** The canvas shows more than a few colours, and zooming in from the full view crosses far, mid and near. */
async function expectDrawnAtEveryLod(page: Page): Promise<void> {
  const png = await page.locator('[data-testid="canvas"] canvas').screenshot()
  const { distinctColours } = await page.evaluate(async (b64) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const c = new OffscreenCanvas(img.width, img.height)
    const g = c.getContext('2d')!
    g.drawImage(img, 0, 0)
    const px = g.getImageData(0, 0, img.width, img.height).data
    const colours = new Set<number>()
    for (let i = 0; i < px.length; i += 4 * 7) colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!)
    return { distinctColours: colours.size }
  }, png.toString('base64'))
  expect(distinctColours).toBeGreaterThan(5)
  const lods = await page.evaluate(async () => {
    const scene = (window as any).__tfdriftScene
    const seen: string[] = []
    for (const ratio of [1, 0.3, 0.1, 0.03, 0.01, 0.003]) {
      scene.setCamera(0.5, 0.5, ratio)
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      seen.push(scene.view().lod)
    }
    return seen
  })
  expect(new Set(lods)).toEqual(new Set(['far', 'mid', 'near']))
  expect(lods[0]).toBe('far')
  expect(lods.at(-1)).toBe('near')
}

/** Slot and id of a node that has (or has not) an open drift. */
async function nodeWhere(page: Page, drifted: boolean): Promise<{ slot: number; id: string; address: string; type: string; resource_id?: string }> {
  return page.evaluate((drifted) => {
    const m = (window as any).__tfdrift.model
    for (let i = 0; i < m.nodeSlots; i++) {
      if (!(m.flags[i] & 1) || (m.severity[i] > 0) !== drifted || !(m.data[i].raw?.resource_id)) continue
      const d = m.data[i]
      return { slot: i, id: d.id, address: d.address, type: d.type, resource_id: d.raw.resource_id }
    }
    throw new Error(`no ${drifted ? 'drifted' : 'clean'} node`)
  }, drifted)
}

describe.skipIf(!hasBinary('chromium'))('dashboard in Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tfdrift-ui-'))
    await start()
    browser = await chromium.launch({ executablePath: binaryPath('chromium'), args: BROWSER_ARGS })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await runtime?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('loads the estate and draws a non-blank canvas; zooming crosses every level of detail', async () => {
    const page = await open(READ)
    const nodes = await page.evaluate(() => (window as any).__tfdrift.model.nodeCount)
    expect(nodes).toBeGreaterThanOrEqual(400)
    if (process.env.TFDRIFT_UI_SHOTS) await page.screenshot({ path: join(process.env.TFDRIFT_UI_SHOTS, 'loaded.png') })
    await expectDrawnAtEveryLod(page)
    await page.close()
  })

  describe('renderer choice', () => {
    const webgpu = hasBinary('chromium') ? webgpuChromium(binaryPath('chromium')) : undefined
    // Debian's chromium package ships the driver; under CI its absence is a broken setup, not a skip.
    const needWebGpu = inCi()
    if (!webgpu && hasBinary('chromium') && !needWebGpu) console.warn('Chromium\'s SwiftShader Vulkan driver (vk_swiftshader_icd.json) not found: WebGPU browser tests skipped (install: sudo apt-get install -y chromium)')
    let gpuBrowser: Browser | undefined
    const withWebGpu = async () => {
      if (!webgpu) throw new Error('Chromium\'s SwiftShader Vulkan driver (vk_swiftshader_icd.json beside the chromium binary) is missing; WebGPU cannot be tested. Install Debian\'s chromium package.')
      return (gpuBrowser ??= await chromium.launch({
        executablePath: binaryPath('chromium'), args: [...BROWSER_ARGS, ...webgpu.args], env: { ...process.env, ...webgpu.env },
      }))
    }
    afterAll(async () => { await gpuBrowser?.close() })

    it.skipIf(!webgpu && !needWebGpu)('draws with WebGPU where the browser offers it: non-blank, every level of detail', async () => {
      const { page, warnings } = await openIn(await withWebGpu(), READ)
      expect(await rendererOf(page)).toBe('webgpu')
      await expectDrawnAtEveryLod(page)
      expect(warnings).toEqual([])
      await page.close()
    })

    it.skipIf(!webgpu && !needWebGpu)('?renderer=webgl forces WebGL where WebGPU is offered', async () => {
      const { page, warnings } = await openIn(await withWebGpu(), READ, '&renderer=webgl')
      expect(await rendererOf(page)).toBe('webgl')
      expect(warnings).toEqual([])
      await page.close()
    })

    it.skipIf(!webgpu && !needWebGpu)('a WebGPU device that rejects the programs gives way to WebGL, with one console line', async () => {
      const context = await (await withWebGpu()).newContext({ viewport: { width: 1280, height: 800 } })
      // What a shader or pipeline the device refuses looks like to the warm-up frame.
      await context.addInitScript(() => { (globalThis as any).GPUDevice.prototype.popErrorScope = async () => ({ message: 'simulated validation error' }) })
      const { page, warnings } = await openIn(context, READ)
      expect(await rendererOf(page)).toBe('webgl')
      expect(warnings).toEqual([expect.stringMatching(/WebGPU could not draw the scene \(simulated validation error\); using WebGL/)])
      await expectDrawnAtEveryLod(page)
      await context.close()
    })

    it('without WebGPU the page draws with WebGL; forcing WebGPU falls back and says so', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      await context.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }) })
      const auto = await openIn(context, READ)
      expect(await rendererOf(auto.page)).toBe('webgl')
      expect(auto.warnings).toEqual([])
      const forced = await openIn(context, READ, '&renderer=webgpu')
      expect(await rendererOf(forced.page)).toBe('webgl')
      expect(forced.warnings).toEqual([expect.stringMatching(/^tfdrift: WebGPU could not draw the scene .*; using WebGL\.$/)])
      await expectDrawnAtEveryLod(forced.page)
      await context.close()
    })
  })

  it('clicking a drifted node opens its panel with expected vs actual and the actor', async () => {
    const page = await open(READ)
    await page.waitForFunction(() => { const m = (window as any).__tfdrift.model; for (let i = 0; i < m.nodeSlots; i++) if (m.severity[i] > 0) return true; return false }, undefined, { timeout: 30_000 })
    const node = await nodeWhere(page, true)
    await page.evaluate((slot) => (window as any).__tfdriftScene.focus(slot, 0.02), node.slot)
    await page.waitForTimeout(0)
    const at = await page.waitForFunction((slot) => {
      const scene = (window as any).__tfdriftScene
      const p = scene.screenPositionOf(slot)
      return p && scene.pick(p.x, p.y) === slot ? p : undefined
    }, node.slot, { timeout: 10_000 }).then((h) => h.jsonValue() as Promise<{ x: number; y: number }>)
    await page.mouse.click(at.x, at.y)
    const panel = page.locator('[data-testid="panel"]')
    await panel.waitFor({ timeout: 10_000 })
    expect(await panel.getAttribute('aria-label')).toContain(node.address)
    const openDrifts = (await (await fetch(`http://127.0.0.1:${port}/api/v1/drifts?status=open&limit=1000`, { headers: { authorization: `Bearer ${READ}` } })).json()).data.items as any[]
    const mine = openDrifts.filter((d) => d.address === node.address)
    expect(mine.length).toBeGreaterThan(0)
    const changes = mine.flatMap((d) => d.changes ?? [])
    if (changes.length) {
      await panel.locator('[data-testid="change-row"]').first().waitFor()
      const text = await panel.locator('[data-testid="changes"]').first().innerText()
      expect(text).toContain(changes[0].path)
    }
    const actor = mine.find((d) => d.actor)?.actor
    if (actor?.user) expect(await panel.locator('[data-testid="actor"]').first().innerText()).toContain(actor.user)
    await page.close()
  })

  it('a drift published while watching turns its node within 1 s, and it is listed', async () => {
    const page = await open(READ)
    const node = await nodeWhere(page, false)
    await page.evaluate((slot) => {
      const w = window as any
      w.__turned = undefined
      w.__tfdrift.model.subscribe(() => { if (w.__tfdrift.model.severity[slot] === 5 && !w.__turned) w.__turned = performance.timeOrigin + performance.now() })
    }, node.slot)
    const id = `e2e-${Date.now()}`
    const sent = Date.now()
    await runtime.bus.publish({
      tenant: 'acme', topic: 'drifts', type: 'drift.detected',
      data: { id, kind: 'modified', type: node.type, provider: 'aws', address: node.address, resource_id: node.resource_id, severity: 'critical', detected_at: new Date().toISOString(), status: 'open', changes: [{ path: 'instance_type', expected: 't3.micro', actual: 't3.xlarge' }] },
    })
    const turned = await page.waitForFunction(() => (window as any).__turned, undefined, { timeout: 5_000 }).then((h) => h.jsonValue() as Promise<number>)
    expect(turned - sent).toBeLessThan(1000)
    await page.locator(`[data-testid="drift-row"][data-drift-id="${id}"]`).waitFor({ timeout: 5_000 })
    await page.close()
  })

  it('search jumps to a resource; a severity filter hides clean nodes', async () => {
    const page = await open(READ)
    const node = await nodeWhere(page, false)
    await page.fill('[data-testid="search"]', node.address)
    const result = page.locator('[data-testid="search-result"]').first()
    await result.waitFor({ timeout: 5_000 })
    await result.click()
    await page.locator('[data-testid="panel"]').waitFor({ timeout: 5_000 })
    expect(await page.locator('[data-testid="panel"]').getAttribute('aria-label')).toContain(node.address)
    await page.click('[data-testid="filter-severity-critical"]')
    await page.waitForFunction((slot) => ((window as any).__tfdrift.model.flags[slot] & 2) !== 0, node.slot, { timeout: 5_000 })
    await page.waitForFunction(() => /severity=critical/.test(location.search), undefined, { timeout: 5_000 })
    await page.close()
  })

  it('approve and reject (with a reason) are offered to an admin token and absent for a read token', async () => {
    const remediations = async () => (await (await fetch(`http://127.0.0.1:${port}/api/v1/remediations?status=proposed&limit=100`, { headers: { authorization: `Bearer ${READ}` } })).json()).data.items as any[]
    const driftOf = async (plan: any) => (await (await fetch(`http://127.0.0.1:${port}/api/v1/drifts/${plan.drift_id}`, { headers: { authorization: `Bearer ${READ}` } })).json()).data
    // Plans of open drifts on resources the graph has (an unmanaged drift has no address to search).
    let plans: Array<{ plan: any; drift: any }> = []
    for (let i = 0; i < 60 && plans.length < 2; i++) {
      plans = []
      for (const plan of (await remediations()).filter((p) => p.drift_id)) {
        const d = await driftOf(plan)
        if (d?.address && d.status === 'open' && !plans.some((p) => p.drift.address === d.address)) plans.push({ plan, drift: d })
      }
      if (plans.length < 2) await new Promise((r) => setTimeout(r, 500))
    }
    expect(plans.length).toBeGreaterThanOrEqual(2)
    const reader = await open(READ)
    const first = plans[0]!.drift
    await reader.fill('[data-testid="search"]', first.address)
    await reader.locator('[data-testid="search-result"]').first().click()
    await reader.locator('[data-testid="remediation"]').first().waitFor({ timeout: 10_000 })
    expect(await reader.locator('[data-testid="approve"]').count()).toBe(0)
    expect(await reader.locator('[data-testid="reject"]').count()).toBe(0)
    expect(await reader.locator('[data-testid="change-set-revert"]').count()).toBe(0)
    await reader.close()

    const admin = await open(ADMIN)
    await admin.fill('[data-testid="search"]', first.address)
    await admin.locator('[data-testid="search-result"]').first().click()
    await admin.locator(`[data-testid="remediation"][data-status="proposed"] [data-testid="approve"]`).first().click()
    await admin.locator('[data-testid="remediation"][data-status="approved"]').first().waitFor({ timeout: 10_000 })
    // The resource's open drifts as one reviewed change: generated, stored and offered as a zip.
    await admin.click('[data-testid="change-set-revert"]')
    const link = admin.locator('[data-testid="change-set-download"]')
    await link.waitFor({ timeout: 10_000 })
    const setId = await link.getAttribute('data-change-set-id')
    const zip = await fetch(`http://127.0.0.1:${port}/api/v1/remediations/change-sets/${setId}/plan.zip`, { headers: { authorization: `Bearer ${READ}` } })
    expect(zip.status).toBe(200)
    expect(zip.headers.get('content-type')).toContain('application/zip')
    expect(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString()).toBe('PK')

    const second = plans[1]!.drift
    await admin.fill('[data-testid="search"]', second.address)
    await admin.locator('[data-testid="search-result"]').first().click()
    const card = admin.locator(`[data-testid="remediation"][data-status="proposed"]`).first()
    const planId = await card.getAttribute('data-plan-id')
    await card.locator('[data-testid="reject"]').click()
    expect(await admin.locator('[data-testid="reject-confirm"]').isDisabled()).toBe(true)
    await admin.fill('[data-testid="reject-reason"]', 'change window closed')
    await admin.click('[data-testid="reject-confirm"]')
    await admin.locator(`[data-testid="remediation"][data-plan-id="${planId}"][data-status="rejected"]`).waitFor({ timeout: 10_000 })
    // A decision is kept even when the demo later reverts the change (only proposed plans turn obsolete).
    const stored = (await (await fetch(`http://127.0.0.1:${port}/api/v1/remediations/${planId}`, { headers: { authorization: `Bearer ${READ}` } })).json()).data
    expect(stored.status).toBe('rejected')
    expect(JSON.stringify(stored)).toContain('change window closed')
    await admin.close()
  }, 90_000)

  it('a server restart shows "reconnecting", then resumes with no missing drift', async () => {
    const page = await open(READ)
    await runtime.stop()
    await page.waitForFunction(() => /reconnecting|offline/.test(document.querySelector('[data-testid="connection"]')?.textContent ?? ''), undefined, { timeout: 15_000 })
    expect(await page.locator('[data-testid="connection"]').innerText()).toMatch(/reconnecting/)
    // The same port: the bind waits out the last run's TIME_WAIT connections (engine/server/listen.ts).
    await start()
    await page.waitForFunction(() => /live/.test(document.querySelector('[data-testid="connection"]')?.textContent ?? ''), undefined, { timeout: 60_000 })
    const node = await nodeWhere(page, false)
    const ids = [`restart-${Date.now()}-a`, `restart-${Date.now()}-b`]
    for (const id of ids) {
      await runtime.bus.publish({
        tenant: 'acme', topic: 'drifts', type: 'drift.detected',
        data: { id, kind: 'modified', type: node.type, provider: 'aws', address: node.address, resource_id: node.resource_id, severity: 'high', detected_at: new Date().toISOString(), status: 'open' },
      })
    }
    for (const id of ids) await page.locator(`[data-testid="drift-row"][data-drift-id="${id}"]`).waitFor({ timeout: 10_000 })
    // Every open drift the server has is in the page's store.
    const openDrifts = (await (await fetch(`http://127.0.0.1:${port}/api/v1/drifts?status=open&limit=1000`, { headers: { authorization: `Bearer ${READ}` } })).json()).data.items as any[]
    const known = await page.evaluate(() => [...(window as any).__tfdrift.driftIds?.() ?? []])
    if (known.length) for (const d of openDrifts) expect(known).toContain(d.id)
    await page.close()
  }, 180_000)
})
