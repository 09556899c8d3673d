/**
 * `drift` analysis: consumes `snapshot` items (latest expected and observed per source) and
 * `change.received` items (who changed what), emits `drift.detected` / `drift.updated` /
 * `drift.resolved` on topic `drifts` and `state.summary` on topic `state`. Its memory (open drifts,
 * sources) lives in the store, so a restart continues the same drifts (see memory.ts).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Observable } from 'rxjs'
import { TfdriftError } from '../../../engine/errors.ts'
import type { ChangeEvent, Severity, Snapshot } from '../../../engine/model.ts'
import { definePlugin, nodeHelper, type PipelineItem } from '../../../engine/plugin-api.ts'
import { IgnoreRules } from '../../../engine/drift/ignore.ts'
import { SeverityRater, type SeverityRule } from '../../../engine/drift/severity.ts'
import { registerSetAttributes } from '../../../engine/drift/sets.ts'
import { DriftTracker } from './tracker.ts'
import { loadMemory, memoryScope, MemoryWriter } from './memory.ts'

/** Options of the `drift` plugin (see options.schema.json). */
export interface DriftOptions {
  ignore?: string[]
  ignore_file?: string
  severity_rules?: SeverityRule[]
  min_severity?: Severity
  set_attributes?: string[]
  recent_changes?: number
  forward_snapshots?: boolean
}

const optionsSchema = createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>

/** Builds the ignore rules from `ignore` then `ignore_file`. */
function ignoreRules(options: DriftOptions): IgnoreRules {
  const rules = new IgnoreRules(options.ignore ?? [])
  if (options.ignore_file) {
    try {
      rules.add(readFileSync(options.ignore_file, 'utf8'))
    } catch (error) {
      throw new TfdriftError('TFD_ERR_IGNORE_FILE', `${options.ignore_file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error })
    }
  }
  return rules
}

export default definePlugin<'analysis', DriftOptions>({
  name: 'drift',
  kind: 'analysis',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Finds missing, unmanaged and modified resources between Terraform state and the live cloud.',
  optionsSchema,
  async create(ctx, options) {
    if (options.set_attributes?.length) registerSetAttributes(options.set_attributes)
    const scope = memoryScope(ctx)
    const memory = new MemoryWriter((entries) => ctx.store.savePluginState(ctx.tenant, scope, entries).catch((error: unknown) => {
      ctx.logger.error({ err_message: (error as Error)?.message }, 'Could not save the drift tracker\'s memory; after a restart some drifts may be detected again.')
    }))
    const tracker = new DriftTracker({
      ignore: ignoreRules(options),
      severity: new SeverityRater(options.severity_rules ?? []),
      ...(options.min_severity ? { minSeverity: options.min_severity } : {}),
      recentChanges: options.recent_changes ?? 10_000,
      now: () => ctx.clock.isoNow(),
      ...(ctx.discovery ? { discovery: ctx.discovery } : {}),
      persist: (entries) => memory.add(entries),
    }, await loadMemory(ctx))
    let told = false
    const operator = (input: Observable<PipelineItem>) => new Observable<PipelineItem>((subscriber) => {
      // Synchronous per item: nothing is queued here, so the engine's bounded edge is the only buffer.
      const sub = input.subscribe({
        next(item) {
          let out: PipelineItem[] = []
          try {
            if (item.type === 'snapshot') {
              out = tracker.onSnapshot(item.data as Snapshot, item.origin)
              if (options.forward_snapshots) out.unshift(item)
              if (!told && tracker.waitingFor.length > 0) {
                told = true
                ctx.logger.info({ waiting_for: tracker.waitingFor }, 'Missing and unmanaged drifts wait until every discovery node has delivered a snapshot; modified drifts are reported meanwhile.')
              }
            } else if (item.type === 'change.received') {
              out = tracker.onChange(item.data as ChangeEvent)
            }
          } catch (error) {
            // A bad item must not end the pipeline: log it and keep the previous drifts.
            ctx.logger.error({ err: error, item_type: item.type }, 'The drift analyzer could not process an item; it was skipped.')
            return
          }
          for (const o of out) subscriber.next(o)
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      })
      return () => sub.unsubscribe()
    })
    return { operator, close: () => memory.flush() }
  },
})

/** Typed config helper: `drift({ ignore: ['aws_instance.*.tags.LastScanned'] })`. */
export const drift = nodeHelper<DriftOptions>('drift')
