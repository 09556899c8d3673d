/**
 * Generates the demo estate: a deterministic, realistic AWS account of `size` Terraform resource
 * instances (networks per environment and region, service stacks, shared audit resources, SSM
 * parameters filling up to the exact size). Same seed and options → byte-identical resources.
 */
import type { ResourceInstance } from 'tfdrift'
import { Rng } from '../rng.ts'
import { EstateBuilder, REGIONS, tagPair } from './builder.ts'
import { buildNetwork, type Network } from './network.ts'
import { buildService, serviceSize, type ServiceSpec } from './service.ts'

export interface EstateOptions {
  size: number
  seed: string | number
  regions: string[]
  account_id?: string
}

export interface Estate {
  account: string
  regions: string[]
  networks: Network[]
  resources: ResourceInstance[]
}

const SERVICES = [
  'payments', 'checkout', 'search', 'catalog', 'auth', 'notifications', 'ledger', 'reporting', 'ingest', 'media',
  'billing', 'inventory', 'shipping', 'recommendations', 'analytics', 'gateway', 'profile', 'orders', 'pricing', 'fraud',
]
const LAMBDAS = ['thumbnail', 'webhook', 'export', 'cleanup', 'digest', 'sync']
const PARAMS = ['db_host', 'feature_flags', 'api_base_url', 'queue_url', 'log_level', 'api_key', 'signing_secret']
const SECRET_PARAMS = new Set(['api_key', 'signing_secret'])
/** Smallest size the generator honours: one network plus the shared audit resources. */
export const MIN_SIZE = 30

/** Builds the estate; throws when `size` is below MIN_SIZE or a region is unknown. */
export function generateEstate(options: EstateOptions): Estate {
  if (options.size < MIN_SIZE) throw new Error(`size must be at least ${MIN_SIZE}`)
  for (const r of options.regions) if (!REGIONS[r]) throw new Error(`unknown region ${r}; known: ${Object.keys(REGIONS).join(', ')}`)
  const rng = new Rng(`estate:${options.seed}`)
  const account = options.account_id ?? rng.digits(12)
  const b = new EstateBuilder(rng, account)
  const regions = options.regions
  const short = (r: string) => r.replace(/^(\w)\w*-(\w)\w*-(\d)$/, '$1$2$3')

  const shared = buildShared(b, regions[0]!)
  const plan: Array<[string, string]> = []
  regions.forEach((r, i) => {
    plan.push(['prod', r])
    if (i < 2) plan.push(['staging', r])
    if (i === 0) plan.push(['dev', r])
  })
  const wanted = Math.max(1, Math.min(plan.length, Math.floor(options.size / 250)))
  const networks = plan.slice(0, wanted).map(([env, r], i) => buildNetwork(b, env, r, 10 + i * 4))

  // Services round-robin over networks while the next one still fits.
  const used = new Set<string>()
  for (let n = 0; ; n++) {
    const net = networks[n % networks.length]!
    const base = SERVICES[Math.floor(n / networks.length) % SERVICES.length]!
    let name = `${base}-${short(net.region)}`
    for (let k = 2; used.has(`${net.env}/${name}`); k++) name = `${base}-${short(net.region)}-${k}`
    const spec: ServiceSpec = {
      name,
      instances: net.env === 'prod' ? rng.int(2, 6) : rng.int(1, 2),
      database: rng.chance(0.45),
      lambdas: rng.chance(0.5) ? LAMBDAS.filter(() => rng.chance(0.35)).slice(0, 3) : [],
    }
    if (b.size + serviceSize(spec) > options.size) break
    used.add(`${net.env}/${name}`)
    buildService(b, net, spec)
  }

  // Fill to the exact size with SSM parameters of the services (some are SecureStrings).
  const services = [...used]
  for (let n = 0; b.size < options.size; n++) {
    const [env, svc] = (services.length ? services[n % services.length]! : `dev/${shared.trailName}`).split('/') as [string, string]
    const round = Math.floor(n / Math.max(1, services.length))
    const param = PARAMS[round % PARAMS.length]!
    const key = `/${env}/${svc}/${param}${round >= PARAMS.length ? `_${Math.floor(round / PARAMS.length)}` : ''}`
    const secure = SECRET_PARAMS.has(param)
    const region = networks.find((x) => x.env === env)?.region ?? regions[0]!
    b.add({
      type: 'aws_ssm_parameter', name: 'config', index_key: key, id: key, arn: `arn:aws:ssm:${region}:${account}:parameter${key}`,
      ...(secure ? { sensitive_paths: [['value']] } : {}),
      attributes: {
        allowed_pattern: '', data_type: 'text', description: `${param} for ${svc}`, insecure_value: null, key_id: secure ? 'alias/aws/ssm' : '',
        name: key, overwrite: null, tier: 'Standard', type: secure ? 'SecureString' : 'String',
        value: secure ? rng.hex(32) : paramValue(param, env, svc), version: rng.int(1, 9),
        ...tagPair({ Service: svc }, { Environment: env, ManagedBy: 'terraform' }),
      },
    })
  }
  return { account, regions, networks, resources: b.resources }
}

function paramValue(param: string, env: string, svc: string): string {
  switch (param) {
    case 'db_host': return `${env}-${svc}-db.internal.acme.example`
    case 'api_base_url': return `https://${svc}.${env}.acme.example`
    case 'queue_url': return `https://sqs.us-east-1.amazonaws.com/000000000000/${env}-${svc}`
    case 'log_level': return 'info'
    default: return '{"new_checkout":false,"beta_search":true}'
  }
}

/** Account-wide audit resources at the root module: the CloudTrail trail, its bucket, the CI role. */
function buildShared(b: EstateBuilder, region: string): { trailName: string } {
  const { rng, account } = b
  const defaults = { ManagedBy: 'terraform', Repository: 'github.com/acme/infrastructure' }
  const bucketName = `acme-cloudtrail-${account}`
  const bucket = b.add({
    type: 'aws_s3_bucket', name: 'cloudtrail', id: bucketName, arn: `arn:aws:s3:::${bucketName}`,
    attributes: {
      bucket: bucketName, bucket_domain_name: `${bucketName}.s3.amazonaws.com`, bucket_prefix: '', force_destroy: false,
      bucket_regional_domain_name: `${bucketName}.s3.${region}.amazonaws.com`, hosted_zone_id: 'Z3AQBSTGFYJSTF', object_lock_enabled: false,
      policy: '', region, request_payer: 'BucketOwner', ...tagPair({ Name: bucketName }, defaults),
    },
  })
  b.add({
    type: 'aws_s3_bucket_public_access_block', name: 'cloudtrail', id: bucketName, depends_on: [bucket],
    attributes: { block_public_acls: true, block_public_policy: true, bucket: bucketName, ignore_public_acls: true, restrict_public_buckets: true },
  })
  const trailName = 'acme-org-trail'
  b.add({
    type: 'aws_cloudtrail', name: 'org', id: `arn:aws:cloudtrail:${region}:${account}:trail/${trailName}`,
    arn: `arn:aws:cloudtrail:${region}:${account}:trail/${trailName}`, depends_on: [bucket],
    attributes: {
      enable_log_file_validation: true, enable_logging: true, home_region: region, include_global_service_events: true,
      is_multi_region_trail: true, is_organization_trail: false, kms_key_id: '', name: trailName, s3_bucket_name: bucketName,
      s3_key_prefix: '', ...tagPair({ Name: trailName }, defaults),
    },
  })
  const oidc = b.add({
    type: 'aws_iam_openid_connect_provider', name: 'github', id: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
    arn: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
    attributes: { client_id_list: ['sts.amazonaws.com'], thumbprint_list: ['6938fd4d98bab03faadb97b34396831e3780aea1'], url: 'token.actions.githubusercontent.com', ...tagPair({}, defaults) },
  })
  const role = b.add({
    type: 'aws_iam_role', name: 'terraform_ci', id: 'terraform-ci', arn: `arn:aws:iam::${account}:role/terraform-ci`, depends_on: [oidc],
    attributes: {
      assume_role_policy: JSON.stringify({ Statement: [{ Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/infrastructure:*' } }, Effect: 'Allow', Principal: { Federated: oidc.arn } }], Version: '2012-10-17' }),
      create_date: '2024-11-02T16:41:09Z', description: 'Assumed by GitHub Actions to run terraform apply', force_detach_policies: false,
      inline_policy: [], managed_policy_arns: [], max_session_duration: 3600, name: 'terraform-ci', name_prefix: '', path: '/',
      permissions_boundary: '', unique_id: `AROA${rng.upper(17)}`, ...tagPair({ Name: 'terraform-ci' }, defaults),
    },
  })
  b.add({
    type: 'aws_iam_role_policy_attachment', name: 'terraform_ci', index_key: 'admin', id: `terraform-ci-${rng.digits(20)}`, depends_on: [role],
    attributes: { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess', role: 'terraform-ci' },
  })
  return { trailName }
}
