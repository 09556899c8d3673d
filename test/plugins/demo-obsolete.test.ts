/**
 * Acceptance of #8 item 4 on the embedded default (`npm start`): its demo pipeline (demo → drift →
 * terraform-remediation, SQLite store) run for ten minutes of demo time — 150 changes at its 4 s
 * interval, here with no wait between them — leaves no `proposed` plan for a resolved drift, and at most
 * one proposed plan per open drift.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../engine/config/load.ts'
import type { TfdriftConfig } from '../../engine/config/types.ts'
import { manualClock } from '../../engine/clock.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startRuntime } from '../../engine/runtime.ts'
import { openStore } from '../../engine/store/open.ts'
import type { Drift, RemediationPlan } from '../../engine/model.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'tfdrift-demo-obsolete-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TEN_MINUTES_OF_CHANGES = (10 * 60) / 4

describe('the demo after ten minutes', () => {
  it('has no proposed plan for a resolved drift', async () => {
    const { config } = await loadConfig({ cwd: root, configPath: join(root, 'config', 'default.config.ts') }) as { config: TfdriftConfig }
    const demo = config.pipelines.demo!
    const node = demo.discovery![0]!
    const run: TfdriftConfig = {
      store: { kind: 'sqlite', path: join(dir, 'tfdrift.db') },
      pipelines: { demo: { ...demo, sources: [], transports: [], discovery: [{ ...node, with: { ...node.with, interval: 0, max_changes: TEN_MINUTES_OF_CHANGES } }] } },
    }
    const runtime = await startRuntime(run, { logger: silentLogger, clock: manualClock(Date.parse('2026-11-22T10:00:00.000Z')) })
    const state = (id: string) => runtime.stats().nodes.find((n) => n.node === id)?.state
    for (const deadline = Date.now() + 60_000; state('demo.discovery.0') !== 'completed';) {
      if (Date.now() > deadline) throw new Error('the demo did not finish its changes in time')
      await new Promise((r) => setTimeout(r, 20))
    }
    await runtime.stop()

    const store = await openStore({ kind: 'sqlite', path: join(dir, 'tfdrift.db') }, { cwd: dir })
    const all = async <T>(list: (page: number) => Promise<{ items: T[]; total: number }>) => {
      const out: T[] = []
      for (let page = 1; ; page++) { const got = await list(page); out.push(...got.items); if (out.length >= got.total || got.items.length === 0) return out }
    }
    const drifts = new Map((await all<Drift>((page) => store.listDrifts('demo', { page, limit: 1000 }))).map((d) => [d.id, d]))
    const plans = await all<RemediationPlan>((page) => store.listRemediations('demo', { page, limit: 1000 }))
    expect((await store.listChangeEvents('demo', { limit: 1 })).total).toBeGreaterThanOrEqual(TEN_MINUTES_OF_CHANGES)
    await store.close()

    const resolved = [...drifts.values()].filter((d) => d.status === 'resolved')
    expect(resolved.length).toBeGreaterThan(20)
    const proposed = plans.filter((p) => p.status === 'proposed')
    expect(proposed.filter((p) => drifts.get(p.drift_id)?.status === 'resolved').map((p) => `${p.summary} (${p.drift_id})`)).toEqual([])
    const perDrift = new Map<string, number>()
    for (const p of proposed) perDrift.set(p.drift_id, (perDrift.get(p.drift_id) ?? 0) + 1)
    expect([...perDrift.entries()].filter(([, n]) => n > 1)).toEqual([])
    expect(plans.filter((p) => p.status === 'obsolete').length).toBeGreaterThan(20)
  }, 90_000)
})
