/**
 * The embedded default (`npm start`): config/default.config.ts validates, and booted for real (SQLite in a
 * temp dir, port 0, faster changes) it serves the placeholder dashboard and fills drifts and remediation
 * plans that an anonymous reader sees over REST and SSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import http from 'node:http'
import { loadConfig } from '../../engine/config/load.ts'
import { resolveConfig } from '../../engine/config/validate.ts'
import type { PluginDefinition } from '../../engine/plugin-api.ts'
import { BUILTIN_PLUGINS } from '../../plugins/index.ts'
import type { TfdriftConfig } from '../../engine/config/types.ts'
import { silentLogger } from '../../engine/logger.ts'
import type { Runtime } from '../../engine/runtime.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Polls `probe` until it returns a value (no fixed sleeps: each try waits on a real request). */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('embedded default config', () => {
  let runtime: Runtime | undefined
  let dir: string
  let config: TfdriftConfig
  let base: string

  beforeAll(async () => {
    delete process.env.TFDRIFT_TOKEN
    process.env.TFDRIFT_PORT = '0'
    config = (await loadConfig({ cwd: root, configPath: join(root, 'config', 'default.config.ts') })).config as TfdriftConfig
    dir = mkdtempSync(join(tmpdir(), 'tfdrift-default-'))
    const fast = JSON.parse(JSON.stringify(config)) as TfdriftConfig
    fast.store = { kind: 'sqlite', path: join(dir, 'tfdrift.db') }
    fast.pipelines.demo!.discovery![0]!.with = { size: 600, interval: 100, max_changes: 40 }
    const { startRuntime } = await import('../../engine/runtime.ts')
    // Booted with the built-ins' schemas minus "$schema": the runtime part then tests this config's wiring
    // even while the host's options validator cannot compile draft 2020-12 schemas (the first test says so).
    const builtins = BUILTIN_PLUGINS.map((p): PluginDefinition => {
      const { $schema: _s, $id: _i, ...schema } = p.optionsSchema as Record<string, unknown>
      return { ...p, optionsSchema: schema }
    })
    runtime = await startRuntime(fast, { logger: silentLogger, configFile: join(root, 'config', 'default.config.ts'), builtins })
    base = `http://127.0.0.1:${runtime.server!.port}`
  })
  afterAll(async () => {
    await runtime?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
    delete process.env.TFDRIFT_PORT
  })

  it('validates with no problems (what `npm start` checks first)', async () => {
    const resolved = await resolveConfig({ cwd: root, configPath: join(root, 'config', 'default.config.ts') })
    expect(resolved.problems.map((p) => `${p.pointer}: ${p.message}`)).toEqual([])
  })

  it('is the demo pipeline with an anonymous read-only dashboard, a SQLite store under .tfdrift/, and no token unless TFDRIFT_TOKEN is set', () => {
    expect(config.server?.auth?.anonymous).toEqual({ tenant: 'demo', scopes: ['read'] })
    expect(config.server?.auth?.tokens).toBeUndefined()
    expect(config.store).toEqual({ kind: 'sqlite', path: join(root, '.tfdrift', 'tfdrift.db') })
    const demo = config.pipelines.demo!
    expect(demo.tenant).toBe('demo')
    expect([demo.discovery, demo.analysis, demo.remediation, demo.transports].map((s) => s?.map((n) => n.use))).toEqual([['demo'], ['drift'], ['terraform-remediation'], ['realtime']])
  })

  it('serves drifts and remediation plans to an anonymous reader', async () => {
    const drifts = await until(async () => {
      const body = await (await fetch(`${base}/api/v1/drifts?limit=50`)).json() as { success: boolean; data: { total: number; items: Array<{ kind: string; actor?: { user?: string } }> } }
      return body.success && body.data.total > 2 ? body.data : undefined
    })
    expect(drifts.items.some((d) => d.actor?.user)).toBe(true)
    const plans = await until(async () => {
      const body = await (await fetch(`${base}/api/v1/remediations`)).json() as { success: boolean; data: { total: number } }
      return body.success && body.data.total > 0 ? body.data : undefined
    })
    expect(plans.total).toBeGreaterThan(0)
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>tfdrift')
  })

  it('streams drifts over SSE without a token', async () => {
    const first = await new Promise<string>((resolveLine, reject) => {
      const req = http.get(`${base}/api/v1/stream?topic=drifts`, (res) => {
        expect(res.statusCode).toBe(200)
        let buf = ''
        res.on('data', (chunk) => {
          buf += String(chunk)
          const m = /event: (drift\.\w+)\n/.exec(buf)
          if (m) { req.destroy(); resolveLine(m[1]!) }
        })
      })
      req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(e) })
    })
    expect(first).toMatch(/^drift\.(detected|updated|resolved)$/)
  })
})
