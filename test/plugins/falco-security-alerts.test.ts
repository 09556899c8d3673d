/**
 * Falco's other alerts (issue 8, item 5) end to end: a runtime with the real server on loopback and
 * real `falco` sources; syscall and Kubernetes alerts posted over HTTP reach a WS subscriber of the
 * `events` topic as schema-valid `security.alert` envelopes (and a `severity_min` filter applies to
 * them), while a node with `security_alerts: false` answers and behaves as before. With the corpus,
 * every real fixture alert arrives as one or the other kind, in the counts the files give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRuntime, type Runtime } from '../../engine/runtime.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { validateEnvelope } from '../../engine/events.ts'
import type { Envelope } from '../../engine/envelope.ts'
import type { ChangeEvent } from '../../engine/model.ts'
import type { SecurityAlert } from '../../plugins/sources/falco/convert.ts'
import { requireCorpus } from '../support/corpus.ts'
import { until, WsClient } from '../server/support.ts'

const TOKEN = 'acme-falco-token-0123456789'
const QUIET_PATH = '/hooks/falco-quiet'

/** Syscall, Kubernetes-audit and CloudTrail alerts in the shapes Falco's http_output posts (own values). */
const shell = (rule = 'Terminal shell in container') => ({
  hostname: 'node-3', output: 'Critical A shell was spawned in a container (user=root shell=bash)', priority: 'Critical', rule, source: 'syscall',
  tags: ['container', 'shell'], time: '2026-11-21T10:01:02.123456789Z', output_fields: { 'container.id': 'c0ffee123456', 'proc.name': 'bash', 'user.name': 'root', 'proc.env[DB_PASSWORD]': 'hunter2-pass' },
})
const exec = { output: 'Notice Attach/Exec to pod (user=alice pod=web-0 ns=prod)', priority: 'Notice', rule: 'Attach/Exec Pod', source: 'k8s_audit', tags: ['k8s'], time: '2026-11-21T10:02:00.000000000Z', output_fields: { 'ka.target.name': 'web-0', 'ka.target.namespace': 'prod', 'ka.user.name': 'alice' } }
const cloudAlert = (name: string) => ({ priority: 'Warning', rule: 'Terraform Managed Resource Modified', source: 'aws_cloudtrail', time: '2026-11-21T10:03:00Z', output_fields: { 'ct.name': name, 'ct.request.instanceid': 'i-0123456789abcdef0', 'ct.user': 'bob' } })

describe('Falco security alerts through the runtime, over HTTP and WS', () => {
  const bus = new MemoryBus()
  let runtime: Runtime
  let base: string
  const clients: WsClient[] = []
  const subscribe = async (filter?: Record<string, string>) => {
    const c = await WsClient.connect(`ws://127.0.0.1:${runtime.server!.port}/ws`, TOKEN)
    clients.push(c)
    expect((await c.request({ type: 'subscribe', topic: 'events', ...(filter ? { filter } : {}) })).type).toBe('subscribed')
    return c
  }
  const post = (path: string, body: string, type = 'application/json') =>
    fetch(base + path, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${TOKEN}` } })
  const ofType = (c: WsClient, type: string) => c.events.filter((e) => e.type === type)

  beforeAll(async () => {
    runtime = await startRuntime({
      server: { port: 0, host: '127.0.0.1', auth: { tokens: [{ token: TOKEN, tenant: 'acme', scopes: ['read', 'publish'], name: 'falco' }] } },
      pipelines: {
        prod: { tenant: 'acme', sources: [{ use: 'falco' }] },
        quiet: { tenant: 'acme', sources: [{ use: 'falco', with: { path: QUIET_PATH, security_alerts: false } }] },
      },
    }, { logger: silentLogger, bus, store: new MemoryStore(), persist: false })
    base = `http://127.0.0.1:${runtime.server!.port}`
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await runtime?.stop()
    await bus.close()
  })

  it('publishes syscall and Kubernetes alerts on `events` as schema-valid security.alert envelopes that a WS subscriber receives', async () => {
    const all = await subscribe()
    const high = await subscribe({ severity_min: 'high' })
    const res = await post('/api/v1/falco/events', JSON.stringify([shell(), exec, cloudAlert('ModifyInstanceAttribute')]))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ success: true, data: { accepted: 1, alerts: 2, skipped: {} } })

    await until(() => all.events.length >= 3, 'three events on the WS stream')
    for (const e of all.events) expect(validateEnvelope(e), e.type).toEqual({ ok: true })
    expect(ofType(all, 'change.received').map((e) => (e.data as ChangeEvent).event_name)).toEqual(['ModifyInstanceAttribute'])
    const alerts = ofType(all, 'security.alert') as Array<Envelope<SecurityAlert>>
    expect(alerts.map((e) => [e.topic, e.tenant, e.data.rule, e.data.priority, e.data.severity, e.data.source])).toEqual([
      ['events', 'acme', 'Terminal shell in container', 'Critical', 'critical', 'syscall'], ['events', 'acme', 'Attach/Exec Pod', 'Notice', 'low', 'k8s_audit'],
    ])
    expect(alerts[0]!.data).toMatchObject({ hostname: 'node-3', time: '2026-11-21T10:01:02.123Z', tags: ['container', 'shell'], output_fields: { 'proc.name': 'bash', 'proc.env[DB_PASSWORD]': '(sensitive)' } })
    expect(JSON.stringify(all.events)).not.toContain('hunter2')

    // The filtered stream is ordered: once the marker arrives, a delivered Notice alert would already be there.
    expect((await post('/api/v1/falco/events', JSON.stringify(shell('Marker shell')))).status).toBe(202)
    await until(() => high.events.some((e) => (e.data as SecurityAlert).rule === 'Marker shell'), 'the marker on the filtered stream')
    expect(high.events.map((e) => (e.data as SecurityAlert).rule)).toEqual(['Terminal shell in container', 'Marker shell'])
  })

  it('with security_alerts off answers as before (skipped: not_cloud, no alerts count) and publishes only the change event', async () => {
    const c = await subscribe()
    const res = await post(QUIET_PATH, JSON.stringify([shell('Quiet shell'), exec, cloudAlert('StopInstances')]))
    expect(await res.json()).toEqual({ success: true, data: { accepted: 1, skipped: { not_cloud: 2 } } })
    expect(res.status).toBe(202)
    expect((await post('/api/v1/falco/events', JSON.stringify(shell('Quiet marker')))).status).toBe(202)
    await until(() => c.events.some((e) => (e.data as SecurityAlert).rule === 'Quiet marker') && c.events.some((e) => (e.data as ChangeEvent).event_name === 'StopInstances'), 'the change event and the marker')
    expect(ofType(c, 'security.alert').map((e) => (e.data as SecurityAlert).rule)).toEqual(['Quiet marker'])
  })

  const corpus = requireCorpus()
  it.runIf(corpus)('delivers every real fixture alert posted as one NDJSON batch: change events and security alerts in the counts the files give', async () => {
    const dir = join(corpus!, 'falco')
    const alerts = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>)
    const cloud = (a: Record<string, unknown>) => a.source === 'aws_cloudtrail' || a.source === 'gcpaudit' || Object.keys((a.output_fields ?? {}) as object).some((k) => /^(ct|gcp)\./.test(k))
    const others = alerts.filter((a) => !cloud(a)).length
    const c = await subscribe()
    const res = await post('/api/v1/falco/events', alerts.map((a) => JSON.stringify(a)).join('\n'), 'application/x-ndjson')
    expect(res.status).toBe(202)
    const { data } = await res.json() as { data: { accepted: number; alerts: number; skipped: Record<string, number> } }
    // The one read-only cloud alert (DescribeInstances) is skipped by default, as before; nothing else is.
    expect(data).toEqual({ accepted: alerts.filter(cloud).length - 1, alerts: others, skipped: { read_only: 1 } })
    await until(() => c.events.length >= data.accepted + data.alerts, 'every accepted alert on the WS stream')
    expect(ofType(c, 'security.alert')).toHaveLength(others)
    expect(ofType(c, 'change.received')).toHaveLength(data.accepted)
    const invalid = c.events.map((e) => ({ type: e.type, check: validateEnvelope(e) })).filter((r) => !r.check.ok)
    expect(invalid).toEqual([])
  })
})
