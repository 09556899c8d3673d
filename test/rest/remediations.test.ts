/** Approving and rejecting remediation plans: admin only, records who, publishes on the bus. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstValueFrom, take, toArray } from 'rxjs'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { seed } from './fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness } from './harness.ts'

let h: Harness
let bus: MemoryBus
beforeAll(async () => {
  const { store } = makeStore('memory')
  await seed(store)
  bus = new MemoryBus()
  h = await startRest(store, bus)
})
afterAll(async () => { await h.close(); await bus.close() })

describe('POST /api/v1/remediations/:id/approve|reject', () => {
  it('approve records the admin and publishes remediation.approved on the tenant remediations topic', async () => {
    const published = firstValueFrom(bus.live('acme', 'remediations'))
    const { status, body } = await h.call('/api/v1/remediations/r-web/approve', TOKENS.acmeAdmin, { method: 'POST' })
    expect(status).toBe(200)
    expect(body.data).toMatchObject({ id: 'r-web', status: 'approved', decided_by: 'acme-admin' })
    expect(Date.parse(body.data.decided_at)).not.toBeNaN()
    const envelope = await published
    expect(envelope).toMatchObject({ topic: 'remediations', type: 'remediation.approved', tenant: 'acme', data: { id: 'r-web', status: 'approved', decided_by: 'acme-admin' } })
    expect(envelope.offset).toBeGreaterThan(0)
    const reread = await h.call('/api/v1/remediations/r-web', TOKENS.acmeRead)
    expect(reread.body.data.status).toBe('approved')
  })

  it('reject works with a JSON content type and no body, and publishes remediation.rejected', async () => {
    const published = firstValueFrom(bus.live('acme', 'remediations'))
    const { status, body } = await h.call('/api/v1/remediations/r-subnet/reject', TOKENS.acmeAdmin, { method: 'POST', headers: { 'content-type': 'application/json' } })
    expect(status).toBe(200)
    expect(body.data).toMatchObject({ id: 'r-subnet', status: 'rejected', decided_by: 'acme-admin' })
    expect((await published).type).toBe('remediation.rejected')
  })

  it('a decided plan cannot be decided again, and nothing is published for refusals', async () => {
    const before = await bus.lastOffset('acme', 'remediations')
    const again = await h.call('/api/v1/remediations/r-web/reject', TOKENS.acmeAdmin, { method: 'POST' })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain('already approved (by acme-admin)')
    const readOnly = await h.call('/api/v1/remediations/r-web/reject', TOKENS.acmeRead, { method: 'POST' })
    expect(readOnly.status).toBe(403)
    expect(await bus.lastOffset('acme', 'remediations')).toBe(before)
  })

  it('publishes on the deciding tenant only', async () => {
    const globexEvents = firstValueFrom(bus.live('globex', 'remediations').pipe(take(1), toArray()))
    const acmeBefore = await bus.lastOffset('acme', 'remediations')
    const { status } = await h.call('/api/v1/remediations/globex-r1/approve', TOKENS.globexAdmin, { method: 'POST' })
    expect(status).toBe(200)
    const [env] = await globexEvents
    expect(env).toMatchObject({ tenant: 'globex', data: { id: 'globex-r1', decided_by: 'globex-admin' } })
    expect(await bus.lastOffset('acme', 'remediations')).toBe(acmeBefore)
  })
})
