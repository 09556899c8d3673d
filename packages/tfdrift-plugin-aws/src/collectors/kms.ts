/** KMS (JSON 1.1): customer-managed keys (ListKeys + DescribeKey) and aliases; Marker/Truncated paging. */
import { DescribeKeyCommand, ListAliasesCommand, ListKeysCommand, type DescribeKeyCommandOutput } from '@aws-sdk/client-kms'
import { observed, send, type Collector, type Scope } from '../resource.ts'

async function pages<T>(scope: Scope, make: (marker?: string) => unknown, key: string): Promise<T[]> {
  const items: T[] = []
  let marker: string | undefined
  do {
    const page = await send<'kms', Record<string, unknown> & { Truncated?: boolean; NextMarker?: string }>(scope, 'kms', make(marker))
    items.push(...((page[key] as T[] | undefined) ?? []))
    marker = page.Truncated ? page.NextMarker : undefined
  } while (marker)
  return items
}

export const kmsCollectors: Collector[] = [
  {
    name: 'kms:keys', types: ['aws_kms_key'],
    async collect(scope, out) {
      const keys = await pages<{ KeyId?: string }>(scope, (Marker) => new ListKeysCommand({ Limit: 1000, Marker }), 'Keys')
      await Promise.all(keys.map(async ({ KeyId }) => {
        const { KeyMetadata: k } = await send<'kms', DescribeKeyCommandOutput>(scope, 'kms', new DescribeKeyCommand({ KeyId }))
        // AWS-managed keys (aws/s3…) are never Terraform's to manage; deleted keys are gone.
        if (!k?.KeyId || k.KeyManager === 'AWS' || k.KeyState === 'PendingDeletion') return
        out.add(observed('aws_kms_key', k.KeyId, {
          arn: k.Arn, key_id: k.KeyId, description: k.Description ?? '', key_usage: k.KeyUsage, customer_master_key_spec: k.KeySpec,
          is_enabled: k.Enabled, multi_region: k.MultiRegion ?? false,
        }))
      }))
    },
  },
  {
    name: 'kms:aliases', types: ['aws_kms_alias'],
    async collect(scope, out) {
      const aliases = await pages<{ AliasName?: string; AliasArn?: string; TargetKeyId?: string }>(scope, (Marker) => new ListAliasesCommand({ Limit: 100, Marker }), 'Aliases')
      for (const a of aliases) {
        if (!a.AliasName || a.AliasName.startsWith('alias/aws/')) continue
        out.add(observed('aws_kms_alias', a.AliasName, { arn: a.AliasArn, name: a.AliasName, target_key_id: a.TargetKeyId }))
      }
    },
  },
]
