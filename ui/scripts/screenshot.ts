/**
 * `npm run screenshot`: the README's picture of the dashboard, taken from the real thing — the embedded
 * demo estate (as `npm start` runs it, with an in-memory store) served on an ephemeral port, opened in
 * headless Chromium, a drifted resource selected so the side panel shows its diff.
 *   CHROMIUM_PATH=…   browser binary (default /usr/bin/chromium)
 *   --out FILE        default docs/dashboard.png
 */
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startRuntime } from '../../engine/runtime.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { demo, drift, realtime, terraformRemediation } from '../../plugins/index.ts'
import { ensureBuild } from './ensure-build.mjs'

const outIndex = process.argv.indexOf('--out')
const out = outIndex > 0 ? process.argv[outIndex + 1]! : fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url))

await ensureBuild()
const runtime = await startRuntime({
  server: { port: 0, host: '127.0.0.1', auth: { anonymous: { tenant: 'demo', scopes: ['read'] } } },
  pipelines: {
    demo: {
      tenant: 'demo',
      discovery: [demo({ size: 2500, interval: '2s' })],
      analysis: [drift()],
      remediation: [terraformRemediation({ mode: 'propose' })],
      transports: [realtime()],
    },
  },
}, { logger: silentLogger, store: new MemoryStore() })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  await page.goto(`http://127.0.0.1:${runtime.server!.port}/`)
  await page.waitForFunction(() => (window as any).__tfdrift?.ready === true, undefined, { timeout: 120_000 })
  // Let a few rounds of simulated changes arrive, then open the first drift in the list.
  await page.waitForSelector('[data-testid="drift-row"]', { timeout: 60_000 })
  await page.click('[data-testid="drift-row"]')
  await page.waitForSelector('[data-testid="panel"]', { timeout: 10_000 })
  // Pull back from the selection so the picture shows its neighbourhood: shapes, icons and edges (middle level of detail).
  await page.evaluate(() => {
    const scene = (window as any).__tfdriftScene
    const view = scene.view()
    scene.setCamera(view.x, view.y, 0.25)
  })
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  await page.screenshot({ path: out })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
  await runtime.stop()
}
