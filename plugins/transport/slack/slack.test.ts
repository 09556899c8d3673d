/**
 * The slack transport under the engine's delivery loop, against a local HTTP receiver standing in for
 * Slack: digests within 1 message/s under a burst, masking, links, chat.postMessage with a bot token
 * and Slack's Retry-After, and no secret in the logs.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryBus, MemoryStore, DeliveryRunner, testContext } from 'tfdrift/testing'
import { Receiver } from '../../../test/support/receiver.ts'
import { publishDrifts, startRunner } from '../../../test/support/delivery.ts'
import { until } from '../../../test/server/support.ts'
import { createSlackTransport } from './index.ts'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c() })

const driftCount = (body: string) => Number(/^(\d+) drifts? in /.exec((JSON.parse(body) as { text: string }).text)?.[1] ?? NaN)

describe('slack transport', () => {
  it('turns a burst of 1,000 drifts into digests at most one per second, counting every drift once', async () => {
    const receiver = await Receiver.start(() => ({ status: 200, body: 'ok' }))
    const bus = new MemoryBus()
    const transport = createSlackTransport(testContext(), { webhook_url: `${receiver.url}/services/T/B/secretpart`, dashboard_url: 'https://tfdrift.example.com', batch_size: 400, start_from: 'oldest' })
    const runner = await startRunner(bus, new MemoryStore(), transport, 'slack')
    cleanup.push(async () => { await runner.stop(); await receiver.down(); await bus.close() })
    await publishDrifts(bus, 1000, 0, (i) => ({
      severity: i % 10 === 0 ? 'critical' : 'high',
      changes: [{ path: 'master_password', expected: 'hunter2-old', actual: 'hunter2-new', sensitive: false }, { path: 'instance_type', expected: 't3.micro', actual: 't3.large', sensitive: false }],
    }))
    await until(() => runner.stats()[0]!.delivered === 1000, 'all drifts delivered', 10_000)
    const messages = receiver.requests
    expect(messages.length).toBeLessThanOrEqual(3)
    expect(messages.reduce((sum, m) => sum + driftCount(m.body), 0)).toBe(1000)
    for (let i = 1; i < messages.length; i++) expect(messages[i]!.at - messages[i - 1]!.at).toBeGreaterThanOrEqual(990)
    const first = JSON.parse(messages[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> }
    expect(first.blocks.length).toBeLessThanOrEqual(50)
    expect(first.text).toMatch(/^400 drifts in acme: 40 critical, 360 high$/)
    const detail = first.blocks[1]!.text!.text
    expect(detail).toContain('*CRITICAL* modified `aws_security_group.sg_d0`')
    expect(detail).toContain('`instance_type`: t3.micro → t3.large')
    expect(detail).toContain('by *alice*')
    expect(detail).toContain('<https://tfdrift.example.com/?drift=d0|Open in dashboard>')
    expect(first.blocks.at(-1)!.elements![0]!.text).toContain('…and 390 more (39 critical, 351 high)')
    for (const m of messages) expect(m.body).not.toContain('hunter2')
  })

  it('posts with a bot token to chat.postMessage, waits out a 429 for its Retry-After, and never logs the token', async () => {
    const token = 'xoxb-test-token-never-logged'
    let calls = 0
    const receiver = await Receiver.start((req) => {
      if (req.headers.authorization !== `Bearer ${token}`) return { status: 200, body: '{"ok":false,"error":"invalid_auth"}' }
      if (++calls === 1) return { status: 429, headers: { 'retry-after': '1' } }
      return { status: 200, body: '{"ok":true}' }
    })
    let logs = ''
    const logger = pino({ level: 'debug' }, new Writable({ write(chunk, _e, cb) { logs += chunk; cb() } }))
    const bus = new MemoryBus()
    const transport = createSlackTransport(testContext(), { token, channel: '#drift', api_url: `${receiver.url}/api`, retry: { base_ms: 1, cap_ms: 5 }, start_from: 'oldest' })
    const runner = new DeliveryRunner(transport, { bus, store: new MemoryStore(), logger, pipeline: 'p', node: 'p.transports.1', plugin: 'slack', tenant: 'acme' })
    await runner.start()
    cleanup.push(async () => { await runner.stop(); await transport.close?.(); await receiver.down(); await bus.close() })
    await publishDrifts(bus, 1)
    await until(() => runner.stats()[0]!.delivered === 1, 'delivered after the 429', 5000)
    expect(receiver.requests.map((r) => r.path)).toEqual(['/api/chat.postMessage', '/api/chat.postMessage'])
    expect(receiver.requests[1]!.at - receiver.requests[0]!.at).toBeGreaterThanOrEqual(950)
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({ channel: '#drift', text: '1 drift in acme: 1 high' })
    expect(runner.stats()[0]).toMatchObject({ retries: 1, dead_lettered: 0 })
    expect(logs).toContain('Delivery failed; retrying after a backoff.')
    expect(logs).not.toContain(token)
  })

  it('refuses options that name neither or both ways of posting', () => {
    expect(() => createSlackTransport(testContext(), {})).toThrow(/webhook_url, or token and channel/)
    expect(() => createSlackTransport(testContext(), { webhook_url: 'https://hooks.slack.com/x', token: 'xoxb-1', channel: '#a' })).toThrow(/TFD_ERR|webhook_url/)
    expect(() => createSlackTransport(testContext(), { token: 'xoxb-1' })).toThrow(/channel/)
  })
})
