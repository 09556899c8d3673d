/** Severity defaults and user overrides; masking helpers. */
import { describe, expect, it } from 'vitest'
import { atLeast, SeverityRater } from '../../engine/drift/severity.ts'
import { isSensitivePath, MASK, maskDrift } from '../../engine/drift/mask.ts'
import { coverageOf } from '../../engine/drift/coverage.ts'

describe('SeverityRater defaults', () => {
  const rater = new SeverityRater()
  it('rates security-relevant changes high or critical', () => {
    expect(rater.rate('aws_security_group', 'modified', ['ingress.0.cidr_blocks.0'])).toBe('critical')
    expect(rater.rate('aws_iam_policy', 'modified', ['policy'])).toBe('critical')
    expect(rater.rate('aws_s3_bucket_public_access_block', 'modified', ['block_public_acls'])).toBe('critical')
    expect(rater.rate('aws_ebs_volume', 'modified', ['encrypted'])).toBe('high')
    expect(rater.rate('aws_kms_key', 'missing')).toBe('high')
  })
  it('rates tags low and takes the most severe change', () => {
    expect(rater.rate('aws_instance', 'modified', ['tags.Name'])).toBe('low')
    expect(rater.rate('aws_instance', 'modified', ['tags.Name', 'instance_type'])).toBe('medium')
    expect(rater.rate('aws_instance', 'unmanaged')).toBe('medium')
  })
  it('lets user rules override, and rejects unknown severities', () => {
    const custom = new SeverityRater([{ type: 'aws_instance', attribute: 'tags.*', severity: 'info' }, { kind: 'unmanaged', severity: 'critical' }])
    expect(custom.rate('aws_instance', 'modified', ['tags.Owner'])).toBe('info')
    expect(custom.rate('aws_s3_bucket', 'unmanaged')).toBe('critical')
    expect(() => new SeverityRater([{ severity: 'huge' as never }])).toThrow(/unknown severity/)
  })
  it('orders severities', () => {
    expect(atLeast('critical', 'high')).toBe(true)
    expect(atLeast('low', 'medium')).toBe(false)
  })
})

describe('masking', () => {
  it('flags paths below, at or above sensitive paths and secret-like names', () => {
    expect(isSensitivePath(['admin_password'])).toBe(true)
    expect(isSensitivePath(['master_auth', 0, 'client_key'])).toBe(true)
    expect(isSensitivePath(['conn', 'host'], [['conn']])).toBe(true)
    expect(isSensitivePath(['conn'], [['conn', 'host']])).toBe(true)
    expect(isSensitivePath(['ami'], [['conn']])).toBe(false)
  })
  it('masks flagged and secret-named changes in a drift', () => {
    const d = maskDrift({ id: 'x', kind: 'modified', type: 't', provider: 'p', severity: 'low', detected_at: '', status: 'open',
      changes: [{ path: 'db_token', expected: 'a', actual: 'b', sensitive: false }, { path: 'x', expected: 'a', actual: null, sensitive: true }] })
    expect(d.changes).toEqual([{ path: 'db_token', expected: MASK, actual: MASK, sensitive: true }, { path: 'x', expected: MASK, actual: null, sensitive: true }])
  })
})

describe('coverage', () => {
  it('is managed / (managed + unmanaged + missing), 100 when empty', () => {
    expect(coverageOf({ managed: 3, unmanaged: 1, missing: 0, modified: 1 }).percent).toBe(75)
    expect(coverageOf({ managed: 0, unmanaged: 0, missing: 0, modified: 0 }).percent).toBe(100)
    expect(coverageOf({ managed: 1, unmanaged: 1, missing: 1, modified: 0 }).percent).toBe(33.33)
  })
})
