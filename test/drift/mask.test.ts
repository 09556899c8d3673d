import { describe, expect, it, vi } from 'vitest'
import { MASK, maskChange, maskDrift, maskResource, maskSecrets } from '../../engine/drift/mask.ts'
import { compareInstances } from '../../engine/drift/compare.ts'
import type { ResourceInstance } from '../../engine/model.ts'

const resource = (attributes: Record<string, unknown>, sensitive_paths?: ResourceInstance['sensitive_paths']): ResourceInstance => ({
  address: 'aws_db_instance.main', mode: 'managed', type: 'aws_db_instance', name: 'main', provider: 'aws', attributes, sensitive_paths,
})

describe('maskResource', () => {
  it('masks values at sensitive paths, including inside lists, and leaves the input untouched', () => {
    const input = resource({ id: 'db-1', settings: [{ admin_login: 'root', engine: 'pg' }] }, [['settings', 0, 'admin_login']])
    const masked = maskResource(input)
    expect(masked.attributes).toEqual({ id: 'db-1', settings: [{ admin_login: MASK, engine: 'pg' }] })
    expect((input.attributes.settings as Array<Record<string, unknown>>)[0].admin_login).toBe('root')
  })

  it('masks secret-named attributes that state did not mark sensitive (older providers, snapshots from other tools)', () => {
    const masked = maskResource(resource({ id: 'db-1', password: 'hunter2', master_user_secret: [{ secret_arn: 'arn:x' }], engine: 'postgres', api_key: '' }))
    expect(masked.attributes).toEqual({ id: 'db-1', password: MASK, master_user_secret: MASK, engine: 'postgres', api_key: '' })
  })

  it('returns the same object when there is nothing to mask', () => {
    const plain = resource({ id: 'db-1', engine: 'postgres' })
    expect(maskResource(plain)).toBe(plain)
  })
})

// Defect 5 of issue 11: a string attribute holding JSON (`connection_info = jsonencode({...})`) carried
// its secrets past every mask, which looked at attribute names and paths only.
describe('secrets inside JSON-encoded strings', () => {
  const conn = JSON.stringify({ host: 'h', password: 'S1-json-secret' })

  it('masks secret-named keys inside a JSON string and keeps the document shape', () => {
    expect(maskSecrets(conn)).toBe(JSON.stringify({ host: 'h', password: MASK }))
    expect(maskSecrets({ settings: [{ config: conn }] })).toEqual({ settings: [{ config: JSON.stringify({ host: 'h', password: MASK }) }] })
    expect(maskSecrets(`  [{"client_secret": "S3", "n": 1}]`)).toBe('[{"client_secret":"(sensitive)","n":1}]')
  })

  it('masks a JSON string nested inside a JSON string, at every level', () => {
    const inner = JSON.stringify({ api_token: 'S2-inner', region: 'eu' })
    const outer = JSON.stringify({ name: 'app', env: inner, list: [JSON.stringify([{ password: 'S3-list' }])] })
    const masked = maskSecrets(outer) as string
    expect(masked).not.toMatch(/S2-inner|S3-list/)
    const doc = JSON.parse(masked)
    expect(JSON.parse(doc.env)).toEqual({ api_token: MASK, region: 'eu' })
    expect(JSON.parse(doc.list[0])).toEqual([{ password: MASK }])
  })

  it('returns the value itself when nothing is masked, and never parses strings that cannot hold a secret key', () => {
    const pretty = JSON.stringify({ host: 'h', port: 5432 }, null, 2)
    const parse = vi.spyOn(JSON, 'parse')
    try {
      expect(maskSecrets(pretty)).toBe(pretty)
      expect(maskSecrets('x'.repeat(1_000_000) + '{"password":"p"}')).toMatch(/password/)
      expect(maskSecrets('password=hunter2')).toBe('password=hunter2')
      expect(parse).not.toHaveBeenCalled()
    } finally {
      parse.mockRestore()
    }
    const tree = { a: [{ b: pretty }], c: 'plain' }
    expect(maskSecrets(tree)).toBe(tree)
    expect(maskSecrets('{"password": broken')).toBe('{"password": broken')
  })

  it('survives hostile nesting without overflowing the stack, and masks what it cannot inspect', () => {
    const deepJson = '['.repeat(200_000) + '{"password":"S9-deep"}' + ']'.repeat(200_000)
    const masked = maskSecrets(deepJson) as string
    expect(masked).not.toContain('S9-deep')
    let deepTree: unknown = { password: 'S8-deep' }
    for (let i = 0; i < 100_000; i++) deepTree = { x: [deepTree] }
    expect(JSON.stringify(maskSecrets(deepTree)) ?? '').not.toContain('S8-deep')
    // JSON in JSON in JSON …: each level escapes the quotes of the one inside.
    let nested = JSON.stringify({ password: 'S7-nested' })
    for (let i = 0; i < 12; i++) nested = JSON.stringify({ next: nested })
    expect(maskSecrets(nested)).not.toContain('S7-nested')
    const change = maskChange({ path: 'doc', expected: deepJson, actual: '['.repeat(200_000) + ']'.repeat(200_000), sensitive: false })
    expect(JSON.stringify(change)).not.toContain('S9-deep')
  })

  it('masks keys spelled with JSON escapes', () => {
    expect(maskSecrets('{"pass\\u0077ord":"S6-escaped"}')).not.toContain('S6-escaped')
  })

  it('a change keeps the readable shape when non-secret keys differ, and is a sensitive change when only a secret differs', () => {
    const hostMoved = maskChange({ path: 'connection_info', expected: conn, actual: JSON.stringify({ host: 'h2', password: 'S1-json-secret' }), sensitive: false })
    expect(hostMoved).toEqual({ path: 'connection_info', expected: '{"host":"h","password":"(sensitive)"}', actual: '{"host":"h2","password":"(sensitive)"}', sensitive: false })
    const rotated = maskChange({ path: 'connection_info', expected: conn, actual: JSON.stringify({ password: 'S2-rotated', host: 'h' }), sensitive: false })
    expect(rotated).toEqual({ path: 'connection_info', expected: MASK, actual: MASK, sensitive: true })
    const d = maskDrift({ id: 'x', kind: 'modified', type: 't', provider: 'p', severity: 'low', detected_at: '', status: 'open', changes: [hostMoved, { path: 'cfg', expected: null, actual: conn, sensitive: false }] })
    expect(JSON.stringify(d)).not.toContain('S1-json-secret')
    expect(d.changes![0]).toEqual(hostMoved)
  })

  it('maskResource masks JSON strings in attributes', () => {
    const masked = maskResource(resource({ id: 'db-1', connection_info: conn }))
    expect(masked.attributes).toEqual({ id: 'db-1', connection_info: JSON.stringify({ host: 'h', password: MASK }) })
  })
})

describe('sensitive marks from either snapshot', () => {
  const inst = (attributes: Record<string, unknown>, sensitive_paths?: ResourceInstance['sensitive_paths']): ResourceInstance => ({ ...resource(attributes, sensitive_paths), type: 'aws_security_group' })

  it('mask both sides of a change when only the observed side marks the path, whatever the two sides number their elements', () => {
    // A set reorders: the change is reported at the expected side's index, the mark sits at the observed one.
    const set = compareInstances(
      inst({ ingress: [{ cidr: 'a', description: 'S1-desc-a' }, { cidr: 'b', description: 'S1-desc-b' }] }),
      inst({ ingress: [{ cidr: 'b', description: 'S2-desc-b' }, { cidr: 'a', description: 'S1-desc-a' }] }, [['ingress', 0, 'description']]),
    )
    expect(set).toEqual([{ path: 'ingress.1.description', expected: MASK, actual: MASK, sensitive: true }])
    // A block that is an object on one side and a list of one on the other.
    const block = compareInstances(inst({ conn: { pass: 'S1-block' } }), inst({ conn: [{ pass: 'S2-block' }] }, [['conn', 0, 'pass']]))
    expect(block).toEqual([{ path: 'conn.pass', expected: MASK, actual: MASK, sensitive: true }])
    const reverse = compareInstances(inst({ conn: { pass: 'S1-block' } }, [['conn', 'pass']]), inst({ conn: [{ pass: 'S2-block' }] }))
    expect(JSON.stringify(reverse)).not.toMatch(/S\d-block/)
  })

  it('maskResource applies the other snapshot\'s marks, and a whole-value mark masks every attribute', () => {
    const observed = inst({ id: 'sg-1', ingress: { description: 'S3-obs' }, name: 'web' })
    const masked = maskResource(observed, { alsoSensitive: [['ingress', 0, 'description']] })
    expect(masked.attributes).toEqual({ id: 'sg-1', ingress: { description: MASK }, name: 'web' })
    const whole = maskResource(inst({ id: 'sg-1', value: 'S4-whole' }, [[]]))
    expect(whole.attributes).toEqual({ id: MASK, value: MASK })
  })
})
