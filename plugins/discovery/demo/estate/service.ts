/**
 * One `module.<env>.module.service["<name>"]` instance: security groups and rules, an IAM role with
 * policy attachments, instances behind an ALB, an S3 bucket with its public-access block and encryption,
 * and optionally an RDS database and Lambda workers.
 */
import type { ResourceInstance } from 'tfdrift'
import { REGIONS, azName, tagPair, type EstateBuilder } from './builder.ts'
import type { Network } from './network.ts'

export interface ServiceSpec {
  name: string
  instances: number
  database: boolean
  lambdas: string[]
}

const INSTANCE_TYPES = ['t3.medium', 't3.large', 'm6i.large', 'm6i.xlarge', 'c6i.large', 'r6i.large']
const AMIS = ['ami-0c7217cdde317cfec', 'ami-0e86e20dae9224db8', 'ami-04a81a99f5ec58529', 'ami-0fff1b9a61dec8a5f']
const RUNTIMES = ['python3.12', 'nodejs20.x', 'python3.11', 'java21']

/** Estimated resource count of a service, so the estate can stop before overshooting `size`. */
export function serviceSize(s: ServiceSpec): number {
  // sg×2 + rules×2 + role + profile + policy + attachments×3 + lb + tg + listener + bucket×4
  const fixed = 2 + 2 + 1 + 1 + 1 + 3 + 3 + 4
  const lambda = s.lambdas.length ? 1 + s.lambdas.length * 2 : 0
  return fixed + s.instances * 2 + (s.database ? 2 : 0) + lambda
}

/** Adds a service stack into a network. */
export function buildService(b: EstateBuilder, net: Network, spec: ServiceSpec): ResourceInstance[] {
  const { rng, account } = b
  const { env, region } = net
  const module = `module.${env}.module.service["${spec.name}"]`
  const full = `${env}-${spec.name}`
  const tags = (name: string, extra: Record<string, string> = {}) =>
    tagPair({ Name: name, Service: spec.name, Team: teamOf(spec.name), ...extra }, net.defaults)
  const vpcId = net.vpc.resource_id!
  const ec2Arn = (kind: string, id: string) => `arn:aws:ec2:${region}:${account}:${kind}/${id}`
  const added: ResourceInstance[] = []
  const add: EstateBuilder['add'] = (r) => { const i = b.add(r); added.push(i); return i }

  const rule = (protocol: string, from: number, to: number, cidrs: string[], groups: string[] = [], description = '') => ({
    cidr_blocks: cidrs, description, from_port: from, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol,
    security_groups: groups, self: false, to_port: to,
  })
  const sg = (name: string, ingress: unknown[]) => {
    const id = rng.awsId('sg')
    return add({
      module, type: 'aws_security_group', name, id, arn: ec2Arn('security-group', id), schema_version: 1,
      depends_on: [net.vpc],
      attributes: {
        description: `${name === 'lb' ? 'Load balancer' : 'Application'} security group for ${full}`,
        egress: [rule('-1', 0, 0, ['0.0.0.0/0'])], ingress, name: `${full}-${name}`, name_prefix: '', owner_id: account,
        revoke_rules_on_delete: false, vpc_id: vpcId, ...tags(`${full}-${name}`),
      },
    })
  }
  const lbSg = sg('lb', [rule('tcp', 443, 443, ['0.0.0.0/0'], [], 'HTTPS from anywhere'), rule('tcp', 80, 80, ['0.0.0.0/0'], [], 'HTTP redirect')])
  const appSg = sg('app', [rule('tcp', 8080, 8080, [], [lbSg.resource_id!], 'From the load balancer')])
  for (const [key, port, cidr] of [['metrics', 9100, `10.${net.octet}.0.0/16`], ['ssh-bastion', 22, `10.${net.octet}.0.0/24`]] as const) {
    add({
      module, type: 'aws_security_group_rule', name: 'app_ingress', index_key: key, id: `sgrule-${rng.digits(10)}`, schema_version: 2,
      depends_on: [appSg],
      attributes: {
        cidr_blocks: [cidr], description: `${key} from inside the VPC`, from_port: port, ipv6_cidr_blocks: null, prefix_list_ids: null,
        protocol: 'tcp', security_group_id: appSg.resource_id, security_group_rule_id: rng.awsId('sgr'), self: false,
        source_security_group_id: null, to_port: port, type: 'ingress',
      },
    })
  }

  const assume = (service: string) => JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: service } }], Version: '2012-10-17' })
  const role = (name: string, service: string) => add({
    module, type: 'aws_iam_role', name, id: `${full}-${name}`, arn: `arn:aws:iam::${account}:role/${full}-${name}`,
    attributes: {
      assume_role_policy: assume(service), create_date: '2025-03-14T09:26:53Z', description: `Runtime role for ${full}`,
      force_detach_policies: false, inline_policy: [], managed_policy_arns: [], max_session_duration: 3600,
      name: `${full}-${name}`, name_prefix: '', path: '/', permissions_boundary: '', unique_id: `AROA${rng.upper(17)}`, ...tags(`${full}-${name}`),
    },
  })
  const appRole = role('app', 'ec2.amazonaws.com')
  const profile = add({
    module, type: 'aws_iam_instance_profile', name: 'app', id: `${full}-app`, arn: `arn:aws:iam::${account}:instance-profile/${full}-app`,
    depends_on: [appRole],
    attributes: { name: `${full}-app`, name_prefix: '', path: '/', role: appRole.resource_id, unique_id: `AIPA${rng.upper(17)}`, ...tags(`${full}-app`) },
  })
  const bucketName = `acme-${full}-assets-${region}-${rng.hex(6)}`
  const bucketArn = `arn:aws:s3:::${bucketName}`
  const policyDoc = JSON.stringify({
    Statement: [
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: `${bucketArn}/*` },
      { Action: ['ssm:GetParameter', 'ssm:GetParametersByPath'], Effect: 'Allow', Resource: `arn:aws:ssm:${region}:${account}:parameter/${env}/${spec.name}/*` },
    ],
    Version: '2012-10-17',
  })
  const policy = add({
    module, type: 'aws_iam_policy', name: 'app', id: `arn:aws:iam::${account}:policy/${full}-app`, arn: `arn:aws:iam::${account}:policy/${full}-app`,
    attributes: { attachment_count: 1, description: `Access for ${full}`, name: `${full}-app`, name_prefix: '', path: '/', policy: policyDoc, policy_id: `ANPA${rng.upper(17)}`, ...tags(`${full}-app`) },
  })
  const attachments: Array<[string, string]> = [
    ['ssm', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    ['cloudwatch', 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'],
    ['app', policy.arn!],
  ]
  for (const [key, arn] of attachments) {
    add({
      module, type: 'aws_iam_role_policy_attachment', name: 'app', index_key: key,
      id: `${appRole.resource_id}-${rng.digits(20)}`, depends_on: key === 'app' ? [appRole, policy] : [appRole],
      attributes: { policy_arn: arn, role: appRole.resource_id },
    })
  }

  const instances: ResourceInstance[] = []
  const instanceType = rng.pick(INSTANCE_TYPES)
  const ami = rng.pick(AMIS)
  for (let i = 0; i < spec.instances; i++) {
    const subnet = net.privateSubnets[i % net.privateSubnets.length]!
    const id = rng.awsId('i')
    const ip = `10.${net.octet}.${100 + (i % 3) * 10 + rng.int(0, 3)}.${rng.int(4, 250)}`
    instances.push(add({
      module, type: 'aws_instance', name: 'app', index_key: i, id, arn: ec2Arn('instance', id), schema_version: 1,
      depends_on: [appSg, profile, subnet],
      attributes: {
        ami, associate_public_ip_address: false, availability_zone: subnet.attributes.availability_zone,
        disable_api_stop: false, disable_api_termination: env === 'prod', ebs_optimized: true, get_password_data: false,
        hibernation: false, iam_instance_profile: profile.resource_id, instance_initiated_shutdown_behavior: 'stop',
        instance_state: 'running', instance_type: instanceType, ipv6_address_count: 0, ipv6_addresses: [], key_name: `${env}-ops`,
        metadata_options: [{ http_endpoint: 'enabled', http_protocol_ipv6: 'disabled', http_put_response_hop_limit: 2, http_tokens: 'required', instance_metadata_tags: 'disabled' }],
        monitoring: env === 'prod', placement_group: '', primary_network_interface_id: rng.awsId('eni'),
        private_dns: `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`,
        private_ip: ip, public_dns: '', public_ip: '',
        root_block_device: [{ delete_on_termination: true, device_name: '/dev/xvda', encrypted: true, iops: 3000, kms_key_id: `arn:aws:kms:${region}:${account}:key/${rng.uuid()}`, throughput: 125, volume_id: rng.awsId('vol'), volume_size: rng.pick([20, 30, 50, 100]), volume_type: 'gp3' }],
        secondary_private_ips: [], security_groups: [], source_dest_check: true, subnet_id: subnet.resource_id, tenancy: 'default',
        user_data: rng.hex(40), user_data_replace_on_change: false, vpc_security_group_ids: [appSg.resource_id],
        ...tags(`${full}-app-${i}`),
      },
    }))
  }

  const lbName = `${env}-${spec.name}`.slice(0, 26)
  const lbArn = `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/${lbName}/${rng.hex(16)}`
  const lb = add({
    module, type: 'aws_lb', name: 'this', id: lbArn, arn: lbArn, depends_on: [lbSg, ...net.publicSubnets],
    attributes: {
      access_logs: [{ bucket: '', enabled: false, prefix: '' }], arn_suffix: lbArn.split(':loadbalancer/')[1],
      dns_name: `${lbName}-${rng.digits(10)}.${region}.elb.amazonaws.com`, drop_invalid_header_fields: true,
      enable_deletion_protection: env === 'prod', enable_http2: true, idle_timeout: 60, internal: false, ip_address_type: 'ipv4',
      load_balancer_type: 'application', name: lbName, security_groups: [lbSg.resource_id],
      subnets: net.publicSubnets.map((s) => s.resource_id), vpc_id: vpcId, zone_id: REGIONS[region]!.elbZone, ...tags(lbName),
    },
  })
  const tgArn = `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${lbName.slice(0, 24)}-tg/${rng.hex(16)}`
  const tg = add({
    module, type: 'aws_lb_target_group', name: 'this', id: tgArn, arn: tgArn, depends_on: [net.vpc],
    attributes: {
      deregistration_delay: '300', name: `${lbName.slice(0, 24)}-tg`, port: 8080, protocol: 'HTTP', protocol_version: 'HTTP1', target_type: 'instance', vpc_id: vpcId,
      health_check: [{ enabled: true, healthy_threshold: 3, interval: 15, matcher: '200-299', path: '/healthz', port: 'traffic-port', protocol: 'HTTP', timeout: 5, unhealthy_threshold: 3 }],
      ...tags(`${lbName}-tg`),
    },
  })
  const listenerArn = `${lbArn.replace(':loadbalancer/', ':listener/')}/${rng.hex(16)}`
  add({
    module, type: 'aws_lb_listener', name: 'https', id: listenerArn, arn: listenerArn, depends_on: [lb, tg],
    attributes: {
      certificate_arn: `arn:aws:acm:${region}:${account}:certificate/${rng.uuid()}`, load_balancer_arn: lbArn, port: 443, protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', default_action: [{ order: 1, target_group_arn: tgArn, type: 'forward' }],
    },
  })
  instances.forEach((inst, i) => add({
    module, type: 'aws_lb_target_group_attachment', name: 'app', index_key: i, id: `${tgArn}-${rng.digits(20)}`,
    depends_on: [inst, tg], attributes: { port: 8080, target_group_arn: tgArn, target_id: inst.resource_id },
  }))

  const bucket = add({
    module, type: 'aws_s3_bucket', name: 'assets', id: bucketName, arn: bucketArn,
    attributes: {
      bucket: bucketName, bucket_domain_name: `${bucketName}.s3.amazonaws.com`, bucket_prefix: '',
      bucket_regional_domain_name: `${bucketName}.s3.${region}.amazonaws.com`, force_destroy: false,
      hosted_zone_id: 'Z3AQBSTGFYJSTF', object_lock_enabled: false, policy: '', region, request_payer: 'BucketOwner', ...tags(bucketName),
    },
  })
  add({
    module, type: 'aws_s3_bucket_public_access_block', name: 'assets', id: bucketName, depends_on: [bucket],
    attributes: { block_public_acls: true, block_public_policy: true, bucket: bucketName, ignore_public_acls: true, restrict_public_buckets: true },
  })
  add({
    module, type: 'aws_s3_bucket_server_side_encryption_configuration', name: 'assets', id: bucketName, depends_on: [bucket],
    attributes: { bucket: bucketName, expected_bucket_owner: '', rule: [{ apply_server_side_encryption_by_default: [{ kms_master_key_id: '', sse_algorithm: 'aws:kms' }], bucket_key_enabled: true }] },
  })
  add({
    module, type: 'aws_s3_bucket_versioning', name: 'assets', id: bucketName, depends_on: [bucket],
    attributes: { bucket: bucketName, expected_bucket_owner: '', mfa: null, versioning_configuration: [{ mfa_delete: '', status: 'Enabled' }] },
  })

  if (spec.database) {
    const subnetGroup = add({
      module, type: 'aws_db_subnet_group', name: 'main', id: `${full}-db`, arn: `arn:aws:rds:${region}:${account}:subgrp:${full}-db`,
      depends_on: net.privateSubnets,
      attributes: { description: `Database subnets for ${full}`, name: `${full}-db`, subnet_ids: net.privateSubnets.map((s) => s.resource_id), vpc_id: vpcId, ...tags(`${full}-db`) },
    })
    const ident = `${full}-db`
    add({
      module, type: 'aws_db_instance', name: 'main', id: `db-${rng.upper(26)}`, arn: `arn:aws:rds:${region}:${account}:db:${ident}`, schema_version: 2,
      depends_on: [subnetGroup, appSg], sensitive_paths: [['password']],
      attributes: {
        address: `${ident}.c${rng.hex(11)}.${region}.rds.amazonaws.com`, allocated_storage: rng.pick([50, 100, 200]), auto_minor_version_upgrade: true,
        availability_zone: azName(region, 0), backup_retention_period: env === 'prod' ? 14 : 1, backup_window: '03:00-03:30',
        db_name: spec.name.replace(/-/g, '_'), db_subnet_group_name: subnetGroup.resource_id, deletion_protection: env === 'prod',
        engine: 'postgres', engine_version: '16.4', identifier: ident, instance_class: rng.pick(['db.r6g.large', 'db.t4g.medium', 'db.m6g.large']),
        iops: 0, kms_key_id: `arn:aws:kms:${region}:${account}:key/${rng.uuid()}`, maintenance_window: 'sun:05:00-sun:06:00',
        multi_az: env === 'prod', password: `${rng.hex(8)}-${rng.upper(10)}`, port: 5432, publicly_accessible: false,
        skip_final_snapshot: env !== 'prod', storage_encrypted: true, storage_type: 'gp3', username: 'app_admin',
        vpc_security_group_ids: [appSg.resource_id], ...tags(ident),
      },
    })
  }

  if (spec.lambdas.length) {
    const lambdaRole = role('lambda', 'lambda.amazonaws.com')
    for (const fn of spec.lambdas) {
      const fnName = `${full}-${fn}`
      add({
        module, type: 'aws_cloudwatch_log_group', name: 'lambda', index_key: fn, id: `/aws/lambda/${fnName}`,
        arn: `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${fnName}`,
        attributes: { kms_key_id: '', log_group_class: 'STANDARD', name: `/aws/lambda/${fnName}`, retention_in_days: 30, skip_destroy: false, ...tags(fnName) },
      })
      const arn = `arn:aws:lambda:${region}:${account}:function:${fnName}`
      add({
        module, type: 'aws_lambda_function', name: 'worker', index_key: fn, id: fnName, arn, depends_on: [lambdaRole, `${module}.aws_cloudwatch_log_group.lambda`],
        attributes: {
          architectures: ['arm64'], description: `${fn} worker for ${full}`, environment: [{ variables: { LOG_LEVEL: 'info', BUCKET: bucketName, STAGE: env } }],
          function_name: fnName, handler: 'main.handler', invoke_arn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
          last_modified: '2025-09-02T11:04:37.512+0000', layers: [], memory_size: rng.pick([256, 512, 1024]), package_type: 'Zip', publish: false,
          qualified_arn: `${arn}:$LATEST`, reserved_concurrent_executions: -1, role: lambdaRole.arn, runtime: rng.pick(RUNTIMES),
          source_code_hash: Buffer.from(rng.hex(32), 'hex').toString('base64'), timeout: rng.pick([10, 30, 60, 300]),
          tracing_config: [{ mode: 'PassThrough' }], version: '$LATEST',
          vpc_config: [{ security_group_ids: [appSg.resource_id], subnet_ids: net.privateSubnets.map((s) => s.resource_id), vpc_id: vpcId }],
          ...tags(fnName),
        },
      })
    }
  }
  return added
}

const TEAMS: Record<string, string> = { payments: 'fintech', checkout: 'fintech', ledger: 'fintech', billing: 'fintech' }
function teamOf(service: string): string {
  return TEAMS[service.split('-')[0]!] ?? 'platform'
}
