/** One case per normalisation rule, both sides: a representation change is not drift, a value change is. */
import { describe, expect, it } from 'vitest'
import { diffAttributes } from '../../engine/drift/diff.ts'
import { expandFlatmap } from '../../engine/drift/flatmap.ts'
import { canonKey, numericKey, UNKNOWN_SENTINEL } from '../../engine/drift/normalise.ts'
import { isSetAttribute, registerSetAttributes } from '../../engine/drift/sets.ts'

const paths = (a: Record<string, unknown>, b: Record<string, unknown>, type = 'aws_instance', provider = 'aws') =>
  diffAttributes(expandFlatmap(a), expandFlatmap(b), type, provider).map((c) => c.path.join('.'))

describe('numbers vs numeric strings', () => {
  it('is not drift: 8 vs "8", 1.5 vs "1.50", -0 vs 0', () => {
    expect(paths({ a: 8, b: 1.5, c: -0 }, { a: '8', b: '1.50', c: '0' })).toEqual([])
  })
  it('is drift: 8 vs "9", 8 vs "8x", 7 vs "007" (leading zeros are identifiers)', () => {
    expect(paths({ a: 8, b: 8, c: 7 }, { a: '9', b: '8x', c: '007' })).toEqual(['a', 'b', 'c'])
  })
  it('keeps big integers exact (no float rounding of 19-digit ids)', () => {
    expect(paths({ id: '4849138409867592181' }, { id: '4849138409867592182' })).toEqual(['id'])
    expect(numericKey('4849138409867592181')).toBe('4849138409867592181')
  })
  it('is not drift: a number rounded by JSON parsing vs its exact digits as a string', () => {
    expect(paths({ n: 12345678901234567890 }, { n: '12345678901234567890' })).toEqual([])
    expect(paths({ n: 12345678901234567890 }, { n: '12345678901234599999' })).toEqual(['n'])
  })
})

describe('booleans vs "true"/"false"', () => {
  it('is not drift', () => expect(paths({ a: true, b: false }, { a: 'true', b: 'false' })).toEqual([]))
  it('is not drift: other serialisers\' spelling ("True", "FALSE")', () => expect(paths({ a: true, b: false }, { a: 'True', b: 'FALSE' })).toEqual([]))
  it('is drift: true vs "false", true vs "yes"', () => expect(paths({ a: true, b: true }, { a: 'false', b: 'yes' })).toEqual(['a', 'b']))
})

describe('null vs empty vs absent', () => {
  it('is not drift: null, [], {}, "" and absent are all "nothing"', () => {
    expect(paths({ a: null, b: [], c: {}, d: '', e: null }, { a: [], b: null, c: '', e: {} })).toEqual([])
  })
  it('is drift: nothing vs a value, empty map vs a map with a key', () => {
    expect(paths({ a: null, tags: {} }, { a: 'x', tags: { Owner: 'me' } })).toEqual(['a', 'tags.Owner'])
  })
  it('reports a removed map key against null', () => {
    const [c] = diffAttributes({ tags: { Owner: 'me' } }, { tags: {} }, 't', 'aws')
    expect(c).toEqual({ path: ['tags', 'Owner'], expected: 'me', actual: null })
  })
})

describe('single nested blocks', () => {
  it('is not drift: a one-block list vs the block itself', () => {
    expect(paths({ timeouts: [{ create: '10m' }] }, { timeouts: { create: '10m' } })).toEqual([])
  })
  it('is drift: a changed leaf, on the expected side\'s path', () => {
    expect(paths({ config: [{ size: 1 }] }, { config: { size: 2 } })).toEqual(['config.0.size'])
    expect(paths({ config: { size: 1 } }, { config: [{ size: 2 }] })).toEqual(['config.size'])
  })
})

describe('set-like lists', () => {
  it('is not drift: a reordered set (security groups, ingress blocks)', () => {
    const ingress = [{ from_port: 80, cidr_blocks: ['10.0.0.0/8', '0.0.0.0/0'] }, { from_port: 443, cidr_blocks: [] }]
    expect(paths(
      { vpc_security_group_ids: ['sg-1', 'sg-2'], ingress },
      { vpc_security_group_ids: ['sg-2', 'sg-1'], ingress: [{ from_port: '443', cidr_blocks: null }, { from_port: 80, cidr_blocks: ['0.0.0.0/0', '10.0.0.0/8'] }] },
      'aws_security_group',
    )).toEqual([])
  })
  it('is drift: a reordered ordered list', () => {
    expect(paths({ dns_servers: ['1.1.1.1', '8.8.8.8'] }, { dns_servers: ['8.8.8.8', '1.1.1.1'] }, 'azurerm_virtual_network', 'azurerm')).toEqual(['dns_servers.0', 'dns_servers.1'])
  })
  it('is drift: an edited set element reports its leaf on the expected index', () => {
    expect(paths(
      { ingress: [{ from_port: 80, to_port: 80 }, { from_port: 443, to_port: 443 }] },
      { ingress: [{ from_port: 443, to_port: 444 }, { from_port: 80, to_port: 80 }] },
      'aws_security_group',
    )).toEqual(['ingress.1.to_port'])
    expect(paths({ security_groups: ['a', 'b'] }, { security_groups: ['b', 'c'] })).toEqual(['security_groups.0'])
  })
  it('is drift: an added set element', () => {
    expect(paths({ subnet_ids: ['s-1'] }, { subnet_ids: ['s-1', 's-2'] })).toEqual(['subnet_ids.1'])
  })
  it('is extensible per type and by name', () => {
    expect(isSetAttribute('custom_thing', 'members_list')).toBe(false)
    registerSetAttributes(['custom_thing.members_list', 'anywhere_set'])
    expect(isSetAttribute('custom_thing', 'members_list')).toBe(true)
    expect(isSetAttribute('other', 'anywhere_set')).toBe(true)
    expect(paths({ members_list: [1, 2] }, { members_list: [2, 1] }, 'custom_thing')).toEqual([])
  })
})

describe('JSON documents (IAM policies)', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'], Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
  })
  it('is not drift: reordered keys, whitespace, Statement object vs array, Action string vs list, list order', () => {
    const same = `{\n  "Statement": {"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": true}}, "Action": "s3:GetObject", "Effect": "Allow"},\n  "Version": "2012-10-17"\n}`
    expect(paths({ policy }, { policy: same }, 'aws_iam_policy')).toEqual([])
  })
  it('is drift: a changed action, effect or resource — reported on the attribute as a whole', () => {
    expect(paths({ policy }, { policy: policy.replace('s3:GetObject', 's3:*') }, 'aws_iam_policy')).toEqual(['policy'])
    expect(paths({ policy }, { policy: policy.replace('Allow', 'Deny') }, 'aws_iam_policy')).toEqual(['policy'])
  })
  it('keeps order in non-policy JSON arrays (container definitions)', () => {
    const a = JSON.stringify([{ name: 'a', command: ['x', 'y'] }])
    expect(paths({ container_definitions: a }, { container_definitions: JSON.stringify([{ command: ['x', 'y'], name: 'a' }]) }, 'aws_ecs_task_definition')).toEqual([])
    expect(paths({ container_definitions: a }, { container_definitions: JSON.stringify([{ name: 'a', command: ['y', 'x'] }]) }, 'aws_ecs_task_definition')).toEqual(['container_definitions'])
  })
  it('treats invalid JSON as a plain string', () => {
    expect(paths({ policy: '{oops' }, { policy: '{oops' })).toEqual([])
    expect(paths({ policy: '{oops' }, { policy: '{oops}' })).toEqual(['policy'])
  })
})

describe('case rules', () => {
  it('is not drift: Azure resource ids and locations differ only in case/spaces', () => {
    expect(paths(
      { resource_group_id: '/subscriptions/1/resourceGroups/RG', location: 'West Europe' },
      { resource_group_id: '/subscriptions/1/resourcegroups/rg', location: 'westeurope' },
      'azurerm_subnet', 'azurerm',
    )).toEqual([])
  })
  it('is not drift: Azure tag names differ only in case; is drift on AWS tag keys', () => {
    expect(paths({ tags: { Environment: 'prod' } }, { tags: { environment: 'prod' } }, 'azurerm_resource_group', 'azurerm')).toEqual([])
    expect(paths({ tags: { Environment: 'prod' } }, { tags: { environment: 'prod' } })).toEqual(['tags.Environment', 'tags.environment'])
  })
  it('is drift: AWS ARNs and tag values are case-sensitive', () => {
    expect(paths({ role_arn: 'arn:aws:iam::1:role/Admin', tags: { Env: 'Prod' } }, { role_arn: 'arn:aws:iam::1:role/admin', tags: { Env: 'prod' } })).toEqual(['role_arn', 'tags.Env'])
  })
})

describe('legacy v3 flatmap', () => {
  const flat = {
    id: 'i-1', 'tags.%': '2', 'tags.Name': 'web', 'tags.kubernetes.io/role': 'node', 'security_groups.#': '2',
    'security_groups.3814588639': 'default', 'security_groups.1111': 'web', 'root_block_device.#': '1',
    'root_block_device.0.volume_size': '8', 'root_block_device.0.encrypted': 'false', 'ebs_block_device.#': '0', monitoring: 'true',
  }
  const v4 = {
    id: 'i-1', tags: { Name: 'web', 'kubernetes.io/role': 'node' }, security_groups: ['web', 'default'],
    root_block_device: [{ volume_size: 8, encrypted: false }], ebs_block_device: [], monitoring: true,
  }
  it('is not drift: flatmap strings and counts against the v4 shape', () => {
    expect(paths(flat, v4)).toEqual([])
  })
  it('is drift: a changed flatmap value, keyed like v4 (dotted map keys kept whole)', () => {
    expect(paths({ ...flat, 'root_block_device.0.volume_size': '10', 'tags.kubernetes.io/role': 'master' }, v4)).toEqual(['root_block_device.0.volume_size', 'tags.kubernetes.io/role'])
  })
  it('never compares the unknown placeholder', () => {
    expect(paths({ a: UNKNOWN_SENTINEL, b: 'x' }, { a: 'real', b: 'x' })).toEqual([])
  })
})

describe('canonKey', () => {
  it('is undefined exactly for empty values', () => {
    const ctx = { type: 't', provider: 'p', name: 'n' }
    for (const v of [null, undefined, '', [], {}, { a: null }]) expect(canonKey(v, ctx)).toBeUndefined()
    for (const v of [0, false, 'x', [null], { a: 0 }]) expect(canonKey(v, ctx)).toBeDefined()
  })
})
