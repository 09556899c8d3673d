import { afterEach, describe, expect, it } from 'vitest'
import { PassThrough, Writable } from 'node:stream'
import { MemoryBus, testContext } from 'tfdrift/testing'
import type { Drift } from 'tfdrift'
import { createStdoutTransport } from './index.ts'

const drift = (over: Partial<Drift> = {}): Drift => ({
  id: 'd1', kind: 'modified', address: 'module.prod.aws_instance.app[0]', type: 'aws_instance', provider: 'aws', severity: 'high',
  changes: [{ path: 'instance_type', expected: 'm6i.large', actual: 't3.2xlarge', sensitive: false }],
  actor: { user: 'alice@acme.example' }, detected_at: '2026-11-22T10:00:00.000Z', status: 'open', ...over,
})

describe('stdout transport', () => {
  const buses: MemoryBus[] = []
  afterEach(async () => { for (const b of buses.splice(0)) await b.close() })
  const setup = () => {
    const bus = new MemoryBus()
    buses.push(bus)
    const lines: string[] = []
    const out = new Writable({ write(chunk, _e, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb() } })
    return { bus, lines, out, ctx: testContext({ bus }) }
  }

  it('prints one summary line per envelope of the chosen topics of its tenant', async () => {
    const { bus, lines, out, ctx } = setup()
    const t = createStdoutTransport(ctx, { topics: ['drifts', 'events'] }, out)
    await t.start?.()
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift() })
    await bus.publish({ topic: 'events', type: 'change.received', tenant: 'acme', data: { id: 'e1', source: 'demo', time: 'x', event_name: 'ModifyInstanceAttribute', resource_type: 'aws_instance', resource_id: 'i-0abc', actor: { user: 'alice', source_ip: '203.0.113.24' } } })
    await bus.publish({ topic: 'remediations', type: 'remediation.proposed', tenant: 'acme', data: {} })
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'other', data: drift() })
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d drifts drift\.detected high modified module\.prod\.aws_instance\.app\[0\] instance_type by alice@acme\.example$/)
    expect(lines[1]).toMatch(/events change\.received ModifyInstanceAttribute aws_instance i-0abc by alice \(203\.0\.113\.24\)$/)
    await t.close?.()
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift() })
    expect(lines).toHaveLength(2)
  })

  it('prints whole envelopes as JSON lines and filters drifts by severity', async () => {
    const { bus, lines, out, ctx } = setup()
    const t = createStdoutTransport(ctx, { topics: ['drifts'], format: 'json', min_severity: 'high' }, out)
    await t.start?.()
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift({ severity: 'low' }) })
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift({ severity: 'critical', id: 'd2' }) })
    expect(lines).toHaveLength(1)
    const env = JSON.parse(lines[0]!)
    expect(env).toMatchObject({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', offset: 2, data: { id: 'd2', severity: 'critical' } })
  })

  it('prints Falco-compatible JSON alerts with masked values', async () => {
    const { bus, lines, out, ctx } = setup()
    const t = createStdoutTransport(ctx, { topics: ['drifts', 'system'], format: 'falco' }, out)
    await t.start?.()
    await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift({ severity: 'critical', changes: [{ path: 'password', expected: 'old-secret', actual: 'new-secret', sensitive: false }] }) })
    await bus.publish({ topic: 'system', type: 'delivery.gap', tenant: 'acme', data: { reason: 'history_gap' } })
    expect(lines).toHaveLength(2)
    const alert = JSON.parse(lines[0]!)
    expect(Object.keys(alert).sort()).toEqual(['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time'])
    expect(alert).toMatchObject({
      rule: 'Terraform drift detected', priority: 'Critical', source: 'tfdrift', tags: ['tfdrift', 'drifts', 'modified', 'aws'],
      output_fields: { 'tfdrift.offset': 1, 'drift.address': 'module.prod.aws_instance.app[0]', 'drift.kind': 'modified', 'user.name': 'alice@acme.example', 'drift.paths': ['password'] },
    })
    expect(alert.output).toContain('drift.detected critical modified module.prod.aws_instance.app[0] password by alice@acme.example')
    expect(lines[0]).not.toContain('secret')
    expect(JSON.parse(lines[1]!)).toMatchObject({ rule: 'tfdrift delivery.gap', priority: 'Warning', tags: ['tfdrift', 'system'] })
  })

  it('drops (and counts) lines instead of buffering without bound when output stalls', async () => {
    const bus = new MemoryBus()
    buses.push(bus)
    const stalled = new PassThrough({ highWaterMark: 16 }) // nobody reads it
    const t = createStdoutTransport(testContext({ bus }), { topics: ['drifts'], format: 'json', max_pending_bytes: 4096 }, stalled)
    await t.start?.()
    for (let i = 0; i < 200; i++) await bus.publish({ topic: 'drifts', type: 'drift.detected', tenant: 'acme', data: drift({ id: `d${i}` }) })
    expect(t.dropped()).toBeGreaterThan(150)
    expect(stalled.writableLength).toBeLessThan(4096 + 2048)
    await t.close?.()
  })
})
