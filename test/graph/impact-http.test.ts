/**
 * The demo estate over real HTTP: `/graph/impact` of a checkout-ew1 security group stays inside that
 * module instance, and `/graph` carries the resolved edges, not one per instance of every dependency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { buildGraph } from '../../engine/graph/index.ts'
import type { Snapshot } from '../../engine/model.ts'
import { generateEstate } from '../../plugins/discovery/demo/estate/index.ts'
import { makeStore, startRest, TOKENS, type Harness } from '../rest/harness.ts'

const { resources } = generateEstate({ size: 2500, seed: 'tfdrift-demo', regions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'] })
const snapshot: Snapshot = { kind: 'expected', source: 'demo', taken_at: '2026-01-01T00:00:00.000Z', resources }
const module = 'module.prod.module.service["checkout-ew1"]'

describe('demo graph over HTTP', () => {
  let h: Harness
  let dispose: () => Promise<void>
  beforeAll(async () => {
    const made = makeStore('memory')
    dispose = made.dispose
    await made.store.saveSnapshot('acme', 'demo', snapshot)
    h = await startRest(made.store, new MemoryBus())
  })
  afterAll(async () => { await h.close(); await dispose() })

  it('GET /graph/impact/<checkout-ew1 security group> lists only resources of that module instance', async () => {
    const { status, body } = await h.call(`/api/v1/graph/impact/${encodeURIComponent(`${module}.aws_security_group.app`)}?limit=1000`, TOKENS.acmeRead)
    expect(status).toBe(200)
    const addresses: string[] = body.data.items.map((i: { address: string }) => i.address)
    expect(body.data.total).toBe(addresses.length)
    expect(addresses).toContain(`${module}.aws_instance.app[0]`)
    expect(addresses.filter((a) => !a.startsWith(`${module}.`))).toEqual([])
  })

  it('GET /graph holds the resolved edges (a few per node, a few MB)', async () => {
    const { status, body, text } = await h.call('/api/v1/graph', TOKENS.acmeRead)
    expect(status).toBe(200)
    expect(body.data.node_count).toBe(2500)
    expect(body.data.edge_count).toBe(buildGraph([snapshot]).edges.length)
    expect(body.data.edge_count / body.data.node_count).toBeLessThan(4)
    // Linking every instance made this body 45 MB.
    expect(text.length).toBeLessThan(5 * 2 ** 20)
  })
})
