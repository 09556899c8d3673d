import { describe, expect, it } from 'vitest'
import { providerShortName } from '../../engine/terraform/provider.ts'
import { unflatten } from '../../engine/terraform/flatmap.ts'

describe('providerShortName', () => {
  it.each([
    ['provider["registry.terraform.io/hashicorp/aws"]', 'aws'],
    ['provider["registry.terraform.io/hashicorp/aws"].east', 'aws'],
    ['provider["registry.opentofu.org/hashicorp/google-beta"]', 'google-beta'],
    ['module.a.module.b.provider["registry.terraform.io/integrations/github"]', 'github'],
    ['provider.aws', 'aws'],
    ['provider.aws.west', 'aws'],
    ['module.foo.provider.random', 'random'],
    ['aws', 'aws'],
    ['aws.west', 'aws'],
    ['registry.terraform.io/hashicorp/azurerm', 'azurerm'],
  ])('%s → %s', (addr, name) => expect(providerShortName(addr, 'x_y')).toBe(name))

  it('falls back to the type prefix', () => {
    expect(providerShortName(undefined, 'google_compute_network')).toBe('google')
    expect(providerShortName('', 'aws_vpc')).toBe('aws')
    expect(providerShortName('???', 'azurerm_x')).toBe('azurerm')
  })
})

describe('unflatten (flatmap)', () => {
  it('nests lists of objects, sets by hash, maps with dotted keys, and keeps strings', () => {
    expect(unflatten({
      'a.#': '2', 'a.0.x': '1', 'a.1.x': '2',
      's.#': '2', 's.99.p': '80', 's.1000.p': '443',
      'm.%': '2', 'm.k8s.io/role': 'node', 'm.Name': 'n',
      'nested.%': '1', 'nested.inner.#': '1', 'nested.inner.0': 'v',
      'plain': 'true',
      'old.0.y': 'z',
    })).toEqual({
      a: [{ x: '1' }, { x: '2' }],
      s: [{ p: '80' }, { p: '443' }],
      m: { 'k8s.io/role': 'node', Name: 'n' },
      nested: { inner: ['v'] },
      plain: 'true',
      old: [{ y: 'z' }],
    })
  })
})
