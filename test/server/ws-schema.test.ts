import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { publishMany, startTestServer, TOKENS, until, WsClient, type TestServer } from './support.ts'

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'))
const ajv = new Ajv2020({ strict: false, allErrors: true })
const serverMsg = ajv.compile(load('ws-server-message.schema.json'))
const clientMsg = ajv.compile(load('ws-client-message.schema.json'))

let t: TestServer
beforeAll(async () => { t = await startTestServer() })
afterAll(async () => { await t.close() })

describe('WS message schemas', () => {
  it('every message type the server sends matches schemas/ws-server-message.schema.json', async () => {
    const c = await WsClient.connect(t.ws, TOKENS.acme)
    const requests = [
      { type: 'subscribe', topic: 'drifts', since: 0, filter: { severity_min: 'low' }, id: 1 },
      { type: 'subscribe', topic: 'all', id: 2 },
      { type: 'ping', id: 3 },
      { type: 'query', what: 'history', topic: 'drifts', after: 0, id: 4 },
      { type: 'query', what: 'last_offset', topic: 'all', id: 5 },
      { type: 'query', what: 'topics', id: 6 },
      { type: 'unsubscribe', topic: 'events', id: 7 },
    ]
    for (const r of requests) {
      expect(clientMsg(r), JSON.stringify(clientMsg.errors)).toBe(true)
      await c.request(r)
    }
    await publishMany(t.bus, 'acme', 'drifts', 2, 10, () => ({ severity: 'high' }))
    c.send('nonsense')
    await c.next((m) => m.type === 'error')
    await until(() => c.events.length >= 2, 'events')
    const types = new Set(c.messages.map((m) => m.type))
    expect([...types].sort()).toEqual(['error', 'event', 'pong', 'query_result', 'subscribed', 'unsubscribed', 'welcome'])
    for (const m of c.messages) expect(serverMsg(m), `${JSON.stringify(m)}: ${JSON.stringify(serverMsg.errors)}`).toBe(true)
    c.close()
  })
})
