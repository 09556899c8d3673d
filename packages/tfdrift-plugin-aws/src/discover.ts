/**
 * One scan: every selected collector over every account × region (global ones once per account), all calls
 * through one bounded `Calls`. The snapshot's `covered_types` holds exactly the types enumerated completely
 * everywhere: a type that failed in one region, or that the credentials may not read, is left out — so
 * the drift analyzer never reports its resources `missing` (nor unmanaged ones it did see).
 */
import type { Logger } from 'pino'
import type { PluginMetrics, ResourceInstance, Snapshot } from 'tfdrift'
import { AccountClients } from './clients.ts'
import { Calls } from './calls.ts'
import { describe, isAccessDenied } from './errors.ts'
import type { AwsOptions } from './options.ts'
import type { Collector, Scope } from './resource.ts'
import { cloudControlCollectors } from './collectors/cloudcontrol.ts'
import { dynamodbCollectors } from './collectors/dynamodb.ts'
import { ec2Collectors } from './collectors/ec2.ts'
import { iamCollectors } from './collectors/iam.ts'
import { kmsCollectors } from './collectors/kms.ts'
import { s3Collectors } from './collectors/s3.ts'

/** Every collector of the plugin, native APIs first. */
export const COLLECTORS: Collector[] = [...ec2Collectors, ...iamCollectors, ...s3Collectors, ...dynamodbCollectors, ...kmsCollectors, ...cloudControlCollectors]

/** Every Terraform type the plugin can enumerate. */
export const SUPPORTED_TYPES: string[] = [...new Set(COLLECTORS.flatMap((c) => c.types))].sort()

/** Why a type is not in `covered_types`. */
export interface Uncovered { type: string; account: string; region: string; reason: 'access_denied' | 'error'; message: string }

export interface DiscoverResult {
  snapshot: Snapshot
  uncovered: Uncovered[]
  stats: { requests: number; retried: number; tasks: number; resources: number; ms: number }
}

export interface DiscoverHooks {
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>
  metrics?: PluginMetrics
  signal?: AbortSignal
}

/** Collectors for the selected types (all when none are named). */
export function selectCollectors(options: Pick<AwsOptions, 'types' | 'cloudcontrol'>): Collector[] {
  const wanted = options.types ? new Set(options.types) : undefined
  return COLLECTORS.filter((c) => (options.cloudcontrol || !c.name.startsWith('cloudcontrol:')) && (!wanted || c.types.some((t) => wanted.has(t))))
}

/** Runs one discovery and returns the observed snapshot. Throws only when no account can be reached at all. */
export async function discover(options: AwsOptions, hooks: DiscoverHooks = {}): Promise<DiscoverResult> {
  const started = Date.now()
  const log = hooks.logger
  const calls = new Calls(options.concurrency, options.max_retry_ms, hooks.signal)
  const base = new AccountClients({ endpoint: options.endpoint, maxAttempts: options.max_attempts, stats: calls.stats })
  const home = options.regions[0]!
  const collectors = selectCollectors(options)
  const wanted = options.types ? new Set(options.types) : undefined
  const selectedTypes = [...new Set(collectors.flatMap((c) => c.types))].filter((t) => !wanted || wanted.has(t))
  const accounts: Array<{ label: string; clients: AccountClients }> = options.accounts?.length
    ? options.accounts.map((a) => ({ label: a.role_arn.split(':')[4]!, clients: base.assume(a, home) }))
    : [{ label: '', clients: base }]

  const resources: ResourceInstance[] = []
  const uncovered: Uncovered[] = []
  const failedTypes = new Set<string>()
  const fail = (types: readonly string[], account: string, region: string, error: unknown) => {
    const reason = isAccessDenied(error) ? 'access_denied' : 'error'
    for (const type of types) {
      if (wanted && !wanted.has(type)) continue
      failedTypes.add(type)
      uncovered.push({ type, account, region, reason, message: describe(error) })
    }
    log?.warn({ types, account, region, reason, error: describe(error) }, reason === 'access_denied'
      ? `The credentials may not read ${types.join(', ')} in ${account}/${region}; these types are reported as not covered.`
      : `Reading ${types.join(', ')} in ${account}/${region} failed (${describe(error)}); these types are reported as not covered.`)
  }

  const found = hooks.metrics?.counter('aws_resources_discovered_total', 'Live AWS resources discovered.')
  const progressGauge = hooks.metrics?.gauge('aws_discovery_tasks_done', 'Discovery tasks (collector × account × region) done in the current scan.')
  const tasks: Array<() => Promise<void>> = []
  let done = 0
  const total = () => tasks.length
  const finish = (label: string) => {
    done++
    progressGauge?.set(done)
    log?.info({ progress: { done, total: total(), unit: 'tasks', resources: resources.length, requests: calls.stats.requests }, task: label }, `Discovery ${done}/${total()}: ${label} done.`)
  }

  await Promise.all(accounts.map(async (acct) => {
    let account: string
    try {
      account = await calls.run(() => acct.clients.accountId(home))
    } catch (error) {
      fail(selectedTypes, acct.label || 'default', '*', error)
      return
    }
    for (const collector of collectors) {
      for (const region of collector.global ? [home] : options.regions) {
        const scope: Scope = { account, region, clients: acct.clients, calls, detail: options.cloudcontrol_detail, signal: hooks.signal }
        const label = `${collector.name} ${account}/${collector.global ? 'global' : region}`
        tasks.push(async () => {
          try {
            await collector.collect(scope, {
              add: (r) => { resources.push(r); found?.inc() },
              fail: (type, error) => fail([type], account, region, error),
            })
          } catch (error) {
            if (hooks.signal?.aborted) throw error
            fail(collector.types, account, region, error)
          }
          finish(label)
        })
      }
    }
  }))
  log?.info({ progress: { done: 0, total: tasks.length, unit: 'tasks' }, accounts: accounts.length, regions: options.regions }, `Discovering ${selectedTypes.length} AWS types in ${accounts.length} account(s) × ${options.regions.length} region(s): ${tasks.length} tasks.`)
  await Promise.all(tasks.map((t) => t()))
  for (const a of accounts) a.clients.destroy()
  base.destroy()

  // A resource type that failed somewhere is dropped whole: its resources elsewhere are still compared
  // when matched, but never reported unmanaged, and the state's are never reported missing.
  const covered = selectedTypes.filter((t) => !failedTypes.has(t)).sort()
  const accountIds = [...new Set(resources.map((r) => r.arn?.split(':')[4]).filter(Boolean))]
  const snapshot: Snapshot = {
    kind: 'observed',
    source: `aws:${accounts.map((a) => a.label).filter(Boolean).join(',') || accountIds.join(',') || 'default'}:${options.regions.join(',')}`,
    taken_at: new Date().toISOString(),
    resources,
    covered_types: covered,
  }
  const stats = { requests: calls.stats.requests, retried: calls.stats.retried, tasks: tasks.length, resources: resources.length, ms: Date.now() - started }
  log?.info({ ...stats, covered: covered.length, uncovered: failedTypes.size }, `Discovered ${resources.length} AWS resources of ${covered.length} covered types in ${stats.ms} ms (${stats.requests} requests).`)
  return { snapshot, uncovered, stats }
}
