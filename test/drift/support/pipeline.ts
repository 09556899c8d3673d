/**
 * Real runtime runs for the drift tracker's continuity tests: a pipeline of scripted discovery and
 * source nodes (the test pushes their items), the built-in `drift` and `terraform-remediation`, an
 * SQLite file that outlives each run, and every envelope the run published.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { Subject } from 'rxjs'
import type { Subscription } from 'rxjs'
import type { Clock, NodeConfig, PipelineItem } from '../../../engine/plugin-api.ts'
import { definePlugin } from '../../../engine/plugin-api.ts'
import type { ChangeEvent, ResourceInstance, Snapshot } from '../../../engine/model.ts'
import type { Envelope } from '../../../engine/envelope.ts'
import { startRuntime, type Runtime } from '../../../engine/runtime.ts'
import { silentLogger } from '../../../engine/logger.ts'

/** A discovery or source plugin whose items the test pushes into the instance the runtime created last. */
export function scripted(name: string, kind: 'discovery' | 'source' = 'discovery') {
  let current = new Subject<PipelineItem>()
  const plugin = definePlugin({
    name, kind, version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create: () => { current = new Subject<PipelineItem>(); return { output: current.asObservable() } },
  })
  return { plugin, push: (item: PipelineItem) => current.next(item) }
}

/** A resource instance; an unmanaged one has no address, so its `type` is given. */
export const instance = (address: string, id: string, attributes: Record<string, unknown> = {}, type = address.split('.')[0]!): ResourceInstance =>
  ({ address, mode: 'managed', type, name: address.split('.')[1] ?? '', provider: 'aws', resource_id: id, attributes: { id, ...attributes } })

export const snapshot = (kind: Snapshot['kind'], source: string, resources: ResourceInstance[], clock: Clock): PipelineItem<Snapshot> =>
  ({ type: 'snapshot', data: { kind, source, taken_at: clock.isoNow(), resources } })

export const change = (id: string, resourceId: string, user: string, clock: Clock, eventName = 'ModifyInstanceAttribute'): PipelineItem<ChangeEvent> => ({
  type: 'change.received', topic: 'events',
  data: { id, source: 'cloudtrail', time: clock.isoNow(), event_name: eventName, resource_id: resourceId, actor: { user, arn: `arn:aws:iam::123456789012:user/${user}` } },
})

/** One run of the runtime over `dir`/tfdrift.db, recording every envelope it publishes. */
export interface Run {
  runtime: Runtime
  seen: Envelope[]
  types(type: string): Envelope[]
  stop(): Promise<void>
}

export async function boot(dir: string, clock: Clock, pipeline: Record<string, NodeConfig[]>): Promise<Run> {
  const runtime = await startRuntime({
    store: { kind: 'sqlite', path: 'tfdrift.db' },
    pipelines: { prod: { tenant: 'acme', ...pipeline } },
  }, { logger: silentLogger, cwd: dir, clock, persist: { max_delay_ms: 2 } })
  const seen: Envelope[] = []
  const sub: Subscription = runtime.bus.liveAll().subscribe((e) => seen.push(e))
  return {
    runtime, seen,
    types: (type) => seen.filter((e) => e.type === type),
    async stop() { await runtime.stop(); sub.unsubscribe() },
  }
}

/** Polls `probe` until it holds (each try waits a few ms of real time). */
export async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * Temp dirs and runs of one test file, cleaned up after each test, pass or fail: `dir()` makes the
 * test's directory, `boot()` starts a run that is stopped afterwards, `forget()` after stopping one by hand.
 */
export function testRuns(prefix: string) {
  let dir: string | undefined
  let running: Run | undefined
  afterEach(async () => {
    await running?.stop()
    running = undefined
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })
  return {
    dir: () => (dir = mkdtempSync(join(tmpdir(), prefix))),
    boot: async (...args: Parameters<typeof boot>) => (running = await boot(...args)),
    forget: () => { running = undefined },
  }
}
