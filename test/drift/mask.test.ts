import { describe, expect, it } from 'vitest'
import { MASK, maskResource } from '../../engine/drift/mask.ts'
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
