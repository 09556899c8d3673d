/**
 * Issue 11, defect 5 over a real HTTP listener and both stores: secrets inside JSON-encoded string
 * attributes, and sensitive marks that only one of the two snapshots carries, never appear in a REST
 * response body — drifts (as a third-party analyzer might have stored them, unmasked) and state views
 * of either kind — while what is not secret stays readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import type { Drift, ResourceInstance, Snapshot } from '../../engine/model.ts'
import { makeStore, startRest, TOKENS, type Harness, type StoreKind } from './harness.ts'

const read = TOKENS.acmeRead
const T0 = '2026-11-22T10:00:00.000Z'
/** Every secret in the fixtures starts with this; no response may hold it. */
const SECRET = /S1-[a-z-]+/

const conn = (host: string) => JSON.stringify({ host, port: 5432, password: 'S1-conn-pw', extra: JSON.stringify({ api_token: 'S1-nested-token', region: 'eu' }) })

function res(address: string, attributes: Record<string, unknown>, sensitive_paths?: ResourceInstance['sensitive_paths']): ResourceInstance {
  const [type, name] = address.split('.') as [string, string]
  return { address, mode: 'managed', type, name, provider: 'aws', resource_id: String(attributes.id), attributes, ...(sensitive_paths ? { sensitive_paths } : {}) }
}
const snapshot = (kind: Snapshot['kind'], resources: ResourceInstance[]): Snapshot => ({ kind, source: `${kind}.tfstate`, taken_at: T0, serial: 1, lineage: 'l', resources })

// The SSM value is marked only in the expected state; the rule description only in the refreshed one,
// at the index the live side numbers it by (block shape differs too: a list there, an object here).
const expected = [
  res('aws_db_instance.main', { id: 'db-1', connection_info: conn('db-old.internal'), engine: 'postgres' }),
  res('aws_ssm_parameter.p', { id: 'p-1', value: 'S1-ssm-value', type: 'SecureString' }, [['value']]),
  res('aws_security_group.sg', { id: 'sg-1', rule: { description: 'S1-rule-desc', cidr: '10.0.0.0/8' } }),
]
const observed = [
  res('aws_db_instance.main', { id: 'db-1', connection_info: conn('db-new.internal'), engine: 'postgres' }),
  res('aws_ssm_parameter.p', { id: 'p-1', value: 'S1-ssm-live', type: 'SecureString' }),
  res('aws_security_group.sg', { id: 'sg-1', rule: [{ description: 'S1-rule-live', cidr: '10.0.0.0/8' }] }, [['rule', 0, 'description']]),
]
const rawDrift: Drift = {
  id: 'd-conn', kind: 'modified', address: 'aws_db_instance.main', type: 'aws_db_instance', provider: 'aws', severity: 'high', detected_at: T0, status: 'open',
  changes: [{ path: 'connection_info', expected: conn('db-old.internal'), actual: conn('db-new.internal'), sensitive: false }],
}

describe.each<StoreKind>(['memory', 'sqlite'])('REST masking over the %s store', (kind) => {
  let h: Harness
  let dispose: () => Promise<void>
  beforeAll(async () => {
    const made = makeStore(kind)
    dispose = made.dispose
    await made.store.saveSnapshot('acme', 'prod', snapshot('expected', expected))
    await made.store.saveSnapshot('acme', 'prod', snapshot('observed', observed))
    await made.store.saveDrifts('acme', [rawDrift])
    h = await startRest(made.store, new MemoryBus())
  })
  afterAll(async () => { await h.close(); await dispose() })

  it('drifts: secrets inside JSON strings are masked in lists and by id; hosts stay readable', async () => {
    for (const path of ['/api/v1/drifts', '/api/v1/drifts/d-conn']) {
      const r = await h.call(path, read)
      expect(r.status).toBe(200)
      expect(r.text, path).not.toMatch(SECRET)
      expect(r.text, path).toContain('db-new.internal')
    }
    const change = (await h.call('/api/v1/drifts/d-conn', read)).body.data.changes[0]
    expect(JSON.parse(change.actual)).toMatchObject({ host: 'db-new.internal', password: '(sensitive)' })
    expect(JSON.parse(JSON.parse(change.actual).extra)).toEqual({ api_token: '(sensitive)', region: 'eu' })
  })

  it('state views of both kinds mask JSON secrets and marks from either snapshot', async () => {
    const paths = [
      '/api/v1/state/resources', '/api/v1/state/resources?kind=observed', '/api/v1/state/resources?kind=observed&pipeline=prod',
      ...expected.map((r) => `/api/v1/state/resources/${encodeURIComponent(r.address)}`),
    ]
    for (const path of paths) {
      const r = await h.call(path, read)
      expect(r.status, path).toBe(200)
      expect(r.text, path).not.toMatch(SECRET)
    }
    const live = (await h.call('/api/v1/state/resources?kind=observed', read)).body.data.items as ResourceInstance[]
    const byAddress = Object.fromEntries(live.map((r) => [r.address, r.attributes]))
    expect(byAddress['aws_ssm_parameter.p']).toEqual({ id: 'p-1', value: '(sensitive)', type: 'SecureString' })
    expect(JSON.parse(byAddress['aws_db_instance.main']!.connection_info as string)).toMatchObject({ host: 'db-new.internal', port: 5432, password: '(sensitive)' })
    const state = (await h.call('/api/v1/state/resources', read)).body.data.items as ResourceInstance[]
    expect(state.find((r) => r.address === 'aws_security_group.sg')!.attributes).toEqual({ id: 'sg-1', rule: { description: '(sensitive)', cidr: '10.0.0.0/8' } })
  })
})
