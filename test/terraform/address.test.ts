import { describe, expect, it } from 'vitest'
import { formatAddress, formatIndexKey, parseAddress, isAddress } from '../../engine/terraform/address.ts'
import { TfdriftError } from '../../engine/errors.ts'

describe('terraform addresses', () => {
  const cases = [
    'aws_instance.web',
    'aws_instance.web[0]',
    'aws_subnet.b["k"]',
    'data.aws_ami.ubuntu',
    'data.aws_ami.ubuntu[2]',
    'module.a.aws_vpc.main',
    'module.a["x"].module.b[0].aws_subnet.b["k"]',
    'module.eks.module.node_group["default"].data.aws_iam_policy_document.assume["a.b/c"]',
    'module.m.aws_s3_bucket.b["0"]',
    'aws_ec2_tag.t["with \\"quote\\" and \\\\ slash"]',
    'google_compute_network.vpc_name["cloud-vpc1"]',
  ]
  it.each(cases)('round-trips %s', (address) => {
    const p = parseAddress(address)
    expect(formatAddress(p)).toBe(address)
  })

  it('keeps number and string keys distinct', () => {
    expect(parseAddress('aws_x.y[0]').index_key).toBe(0)
    expect(parseAddress('aws_x.y["0"]').index_key).toBe('0')
    expect(formatIndexKey(0)).toBe('[0]')
    expect(formatIndexKey('0')).toBe('["0"]')
    expect(formatIndexKey(undefined)).toBe('')
  })

  it('splits module steps and mode', () => {
    const p = parseAddress('module.a["x"].module.b[0].data.aws_subnet.b["k"]')
    expect(p.modules).toEqual([{ name: 'a', key: 'x' }, { name: 'b', key: 0 }])
    expect(p.module).toBe('module.a["x"].module.b[0]')
    expect(p.mode).toBe('data')
    expect(p.type).toBe('aws_subnet')
    expect(p.name).toBe('b')
    expect(p.index_key).toBe('k')
    expect(parseAddress('aws_vpc.main').module).toBeUndefined()
  })

  it.each(['', 'aws_instance', 'aws_instance.web[', 'aws_instance.web[x]', 'module.a', 'module..x.y', 'aws_x.y["a]', 'aws_x.y[0]z'])(
    'rejects %j with TFD_ERR_ADDRESS_INVALID', (bad) => {
      expect(isAddress(bad)).toBe(false)
      try {
        parseAddress(bad)
        expect.unreachable()
      } catch (err) {
        expect(err).toBeInstanceOf(TfdriftError)
        expect((err as TfdriftError).code).toBe('TFD_ERR_ADDRESS_INVALID')
      }
    })
})
