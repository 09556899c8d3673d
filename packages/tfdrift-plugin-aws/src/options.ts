/** Options of the `aws` provider plugin: the JSON Schema (the documentation) and the type it validates to. */
import type { JsonSchema } from 'tfdrift'

/** An account reached by assuming a role with STS from the default-chain credentials. */
export interface AwsAccount {
  role_arn: string
  external_id?: string
  session_name?: string
}

export interface AwsOptions {
  regions: string[]
  accounts?: AwsAccount[]
  types?: string[]
  concurrency: number
  max_attempts: number
  max_retry_ms: number
  endpoint?: string
  cloudcontrol: boolean
  cloudcontrol_detail: boolean
  interval_seconds: number
}

export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    regions: {
      type: 'array', items: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' }, minItems: 1, uniqueItems: true, default: ['us-east-1'],
      description: 'Regions to enumerate. Global services (IAM, S3 bucket list) are read once per account.', examples: [['us-east-1', 'eu-west-1']],
    },
    accounts: {
      type: 'array',
      description: 'Accounts to read by assuming a role with STS (from the default-chain credentials). Absent: the credentials\' own account.',
      examples: [[{ role_arn: 'arn:aws:iam::222222222222:role/tfdrift-read', external_id: 'tfdrift' }]],
      items: {
        type: 'object', additionalProperties: false, required: ['role_arn'],
        properties: {
          role_arn: { type: 'string', pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$', description: 'Role to assume.' },
          external_id: { type: 'string', description: 'ExternalId the role\'s trust policy requires.' },
          session_name: { type: 'string', default: 'tfdrift', description: 'Role session name (shows in CloudTrail).' },
        },
      },
    },
    types: {
      type: 'array', items: { type: 'string', pattern: '^aws_[a-z0-9_]+$' }, uniqueItems: true,
      description: 'Only these Terraform types (default: every type the plugin knows).', examples: [['aws_instance', 'aws_s3_bucket']],
    },
    concurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8, description: 'API calls in flight at once, over all accounts, regions and services.', examples: [16] },
    max_attempts: { type: 'integer', minimum: 1, maximum: 20, default: 6, description: 'Attempts per API call by the SDK\'s adaptive retry (client-side rate limiting on throttling).', examples: [10] },
    max_retry_ms: {
      type: 'integer', minimum: 0, default: 60000,
      description: 'After the SDK gives up on a throttled call, keep retrying with capped exponential backoff until this much time (ms) has passed on that call.', examples: [120000],
    },
    endpoint: { type: 'string', format: 'uri', description: 'One endpoint for every service (LocalStack, tests). Default: AWS\'s endpoints. Also read from AWS_ENDPOINT_URL.', examples: ['http://127.0.0.1:4566'] },
    cloudcontrol: { type: 'boolean', default: true, description: 'Read the types mapped through the Cloud Control API (Lambda, SQS, SNS, RDS, ECR, ECS, EKS, Route 53, …).' },
    cloudcontrol_detail: { type: 'boolean', default: true, description: 'Call GetResource for each Cloud Control resource (full attributes); off: list output only (fewer calls, fewer attributes compared).' },
    interval_seconds: { type: 'integer', minimum: 0, default: 0, description: 'Re-scan every N seconds; 0 scans once.', examples: [900] },
  },
}
