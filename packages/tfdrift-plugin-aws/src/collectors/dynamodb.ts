/** DynamoDB (JSON 1.0): ListTables (ExclusiveStartTableName paging), then DescribeTable per table. */
import { DescribeTableCommand, ListTablesCommand, type DescribeTableCommandOutput, type ListTablesCommandOutput } from '@aws-sdk/client-dynamodb'
import { observed, send, type Collector } from '../resource.ts'

export const dynamodbCollectors: Collector[] = [
  {
    name: 'dynamodb:tables', types: ['aws_dynamodb_table'],
    async collect(scope, out) {
      const names: string[] = []
      let start: string | undefined
      do {
        const page = await send<'dynamodb', ListTablesCommandOutput>(scope, 'dynamodb', new ListTablesCommand({ Limit: 100, ExclusiveStartTableName: start }))
        names.push(...(page.TableNames ?? []))
        start = page.LastEvaluatedTableName
      } while (start)
      await Promise.all(names.map(async (name) => {
        const { Table: t } = await send<'dynamodb', DescribeTableCommandOutput>(scope, 'dynamodb', new DescribeTableCommand({ TableName: name }))
        if (!t?.TableName) return
        const key = (type: string) => t.KeySchema?.find((k) => k.KeyType === type)?.AttributeName
        const billing = t.BillingModeSummary?.BillingMode ?? 'PROVISIONED'
        out.add(observed('aws_dynamodb_table', t.TableName, {
          arn: t.TableArn, name: t.TableName, hash_key: key('HASH'), range_key: key('RANGE'), billing_mode: billing,
          read_capacity: t.ProvisionedThroughput?.ReadCapacityUnits ?? 0, write_capacity: t.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
          attribute: (t.AttributeDefinitions ?? []).map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
          stream_enabled: t.StreamSpecification?.StreamEnabled ?? false, table_class: t.TableClassSummary?.TableClass ?? 'STANDARD',
          deletion_protection_enabled: t.DeletionProtectionEnabled ?? false,
        }))
      }))
    },
  },
]
