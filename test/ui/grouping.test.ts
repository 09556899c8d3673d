import { describe, expect, it } from 'vitest'
import { DEFAULT_GROUP_BY, groupPath, moduleCalls, parseArn, providerName, type RawGraphNode } from '../../ui/src/data/grouping.ts'

function raw(fields: Partial<RawGraphNode>): RawGraphNode {
  return { id: 'r1', type: 'aws_instance', provider: 'registry.terraform.io/hashicorp/aws', mode: 'managed', source: 'state', ...fields }
}

describe('groupPath', () => {
  it('takes provider, account and region from the ARN, then module and type', () => {
    const node = raw({ arn: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc', module: 'module.prod.module.service' })
    expect(DEFAULT_GROUP_BY).toEqual(['provider', 'account', 'region', 'module', 'type'])
    expect(groupPath(node)).toEqual(['aws', '123456789012', 'eu-west-1', 'module.prod.module.service', 'aws_instance'])
  })

  it('fills levels an ARN leaves empty with placeholders, and names the root module', () => {
    expect(groupPath(raw({ type: 'aws_iam_role', arn: 'arn:aws:iam::123456789012:role/app' }))).toEqual(['aws', '123456789012', 'global', 'root', 'aws_iam_role'])
    expect(groupPath(raw({ type: 'aws_s3_bucket', arn: 'arn:aws:s3:::my-bucket' }))).toEqual(['aws', '(no account)', 'global', 'root', 'aws_s3_bucket'])
    expect(groupPath(raw({ arn: null, module: null }))).toEqual(['aws', '(no account)', 'global', 'root', 'aws_instance'])
  })

  it('prefers the account and region the server sent', () => {
    const node = raw({ arn: 'arn:aws:s3:::bucket', account_id: '210987654321', region: 'us-east-2' })
    expect(groupPath(node, ['account', 'region'])).toEqual(['210987654321', 'us-east-2'])
  })

  it('keeps colons inside the ARN resource part out of the account and region', () => {
    expect(parseArn('arn:aws-cn:logs:cn-north-1:111122223333:log-group:/app:*')).toEqual({ partition: 'aws-cn', service: 'logs', region: 'cn-north-1', account: '111122223333' })
    expect(parseArn('not-an-arn')).toBeUndefined()
  })

  it('reads Google projects and Azure subscriptions from the resource id', () => {
    const gce = raw({ type: 'google_compute_instance', provider: 'registry.terraform.io/hashicorp/google', resource_id: 'projects/acme-prod/zones/europe-west1-b/instances/vm-1' })
    expect(groupPath(gce, ['provider', 'account', 'region'])).toEqual(['google', 'acme-prod', 'europe-west1-b'])
    const vm = raw({ type: 'azurerm_linux_virtual_machine', provider: 'registry.terraform.io/hashicorp/azurerm', resource_id: '/subscriptions/0000-1111/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm' })
    expect(groupPath(vm, ['provider', 'account', 'region'])).toEqual(['azurerm', '0000-1111', 'global'])
  })

  it('groups by drift severity, and by the module tree one call per level', () => {
    const node = raw({ module: 'module.prod.module.svc["a.b"]', drift_severity: 'high' })
    expect(groupPath(node, ['severity', 'type'])).toEqual(['high', 'aws_instance'])
    expect(groupPath(raw({}), ['severity'])).toEqual(['none'])
    expect(groupPath(node, ['moduleTree', 'type'])).toEqual(['module.prod', 'module.svc["a.b"]', 'aws_instance'])
    expect(moduleCalls('module.x[0].module.y')).toEqual(['module.x[0]', 'module.y'])
  })

  it('shortens provider addresses, aliases included', () => {
    expect(providerName({ provider: 'provider["registry.terraform.io/hashicorp/aws"].west', type: 'aws_vpc' })).toBe('aws')
    expect(providerName({ provider: 'registry.terraform.io/integrations/github', type: 'github_repository' })).toBe('github')
    expect(providerName({ provider: '', type: 'kubernetes_namespace' })).toBe('kubernetes')
  })
})
