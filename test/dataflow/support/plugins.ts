/** Small inline plugins for dataflow tests: real definitions, exercised through the real host. */
import { Observable, map, filter } from 'rxjs'
import { definePlugin, type PipelineItem, type PluginContext } from '../../../engine/plugin-api.ts'

/** A source that emits `count` items, awaiting demand when `cooperative` (the default). */
export function counterSource(name = 'counter', opts: { count: number; cooperative?: boolean; topic?: 'events'; type?: string }) {
  return definePlugin({
    name, kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create(ctx: PluginContext) {
      const output = new Observable<PipelineItem>((sub) => {
        let stopped = false
        void (async () => {
          for (let i = 0; i < opts.count && !stopped && !ctx.signal.aborted; i++) {
            if (opts.cooperative !== false && ctx.demand.paused) await ctx.demand.ready()
            sub.next({ type: opts.type ?? 'tick', topic: opts.topic, data: { i } })
            // Yield now and then so the rest of the engine (restarts, timers) runs during a flood.
            if (i % 256 === 255) await new Promise((r) => setImmediate(r))
          }
          sub.complete()
        })()
        return () => { stopped = true }
      })
      return { output }
    },
  })
}

/** An analysis plugin mapping each item with `fn`. */
export function mapper(name: string, fn: (item: PipelineItem) => PipelineItem, kind: 'analysis' | 'remediation' = 'analysis') {
  return definePlugin({
    name, kind, version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create: () => ({ operator: (input$) => input$.pipe(map(fn)) }),
  })
}

/** An operator that collects what it receives into `seen` and emits nothing. */
export function collector(name: string, seen: PipelineItem[], kind: 'analysis' | 'remediation' = 'remediation') {
  return definePlugin({
    name, kind, version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create: () => ({ operator: (input$) => input$.pipe(filter((item) => { seen.push(item); return false })) }),
  })
}

/** A source whose items the test pushes through `subject`. */
export function subjectSource(name: string, subject: { asObservable(): Observable<PipelineItem> }) {
  return definePlugin({
    name, kind: 'source', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create: () => ({ output: subject.asObservable() }),
  })
}

/** An analysis plugin that throws on every item it receives. */
export function alwaysThrows(name = 'always-throws') {
  return definePlugin({
    name, kind: 'analysis', version: '1.0.0', apiVersion: '^1.0.0', optionsSchema: {},
    create: () => ({ operator: (input$) => input$.pipe(map((): PipelineItem => { throw new Error('boom on every event') })) }),
  })
}

/** Turns every item into a `drift.detected` item (what the store writer persists). */
export const toDrift = (name = 'to-drift') => mapper(name, (item) => {
  const i = (item.data as { i: number }).i
  return { type: 'drift.detected', data: { id: `d${String(i).padStart(6, '0')}`, kind: 'modified', address: `aws_s3_bucket.b${i}`, type: 'aws_s3_bucket', provider: 'aws', severity: 'low', detected_at: '2026-01-01T00:00:00.000Z', status: 'open', changes: [] } }
})
