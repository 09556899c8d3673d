/**
 * Which Terraform resource a CloudTrail call touched: a table from event name (API-version suffix
 * stripped) to resource type and the request/response paths holding its id. Ids follow Terraform's
 * import-id format where a type has a composite one (`role/policy-arn`, `role:policy`).
 */

export interface CloudTrailLike {
  eventName: string
  eventSource?: string
  awsRegion?: string
  recipientAccountId?: string
  requestParameters?: unknown
  responseElements?: unknown
}

export interface ResourceRef {
  resource_type?: string
  resource_id?: string
  arn?: string
}

type Getter = (r: CloudTrailLike) => unknown

/** Reads a dotted path (`requestParameters.instancesSet.items.0.instanceId`); undefined when absent. */
export function at(value: unknown, path: string): unknown {
  let cur = value
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

const req = (...paths: string[]): Getter => (r) => first(paths.map((p) => at(r.requestParameters, p)))
const res = (...paths: string[]): Getter => (r) => first(paths.map((p) => at(r.responseElements, p)))
const either = (...getters: Getter[]): Getter => (r) => first(getters.map((g) => g(r)))
const join = (sep: string, ...getters: Getter[]): Getter => (r) => {
  const parts = getters.map((g) => g(r))
  return parts.every((p) => typeof p === 'string' && p) ? parts.join(sep) : first(parts)
}
/** Last path segment of an ARN-or-name (`arn:…:function:x` → `x`, `arn:…:trail/t` → `t`). */
const lastOf = (g: Getter): Getter => (r) => {
  const v = g(r)
  return typeof v === 'string' && v.startsWith('arn:') ? v.split(/[:/]/).pop() : v
}

function first(values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v !== '') return v
    if (typeof v === 'number') return String(v)
    if (Array.isArray(v) && typeof v[0] === 'string' && v[0]) return v[0]
  }
  return undefined
}

interface Rule {
  type: string | ((r: CloudTrailLike) => string | undefined)
  id: Getter
  /** How to build the ARN from region, account and id, when the service uses one. */
  arn?: (id: string, region: string, account: string) => string
}

const ec2Arn = (kind: string) => (id: string, region: string, account: string) => `arn:aws:ec2:${region}:${account}:${kind}/${id}`
const iamArn = (kind: string) => (id: string, _region: string, account: string) => `arn:aws:iam::${account}:${kind}/${id}`
const bucketArn = (id: string) => `arn:aws:s3:::${id}`
const instanceId = either(req('instanceId', 'instancesSet.items.0.instanceId'), res('instancesSet.items.0.instanceId'))
const bucket = req('bucketName', 'Bucket')

/** EC2 id prefix → Terraform type, for tag calls that name any EC2 resource. */
const EC2_PREFIX: Array<[string, string]> = [
  ['i-', 'aws_instance'], ['sg-', 'aws_security_group'], ['vpc-', 'aws_vpc'], ['subnet-', 'aws_subnet'], ['vol-', 'aws_ebs_volume'],
  ['ami-', 'aws_ami'], ['snap-', 'aws_ebs_snapshot'], ['igw-', 'aws_internet_gateway'], ['rtb-', 'aws_route_table'], ['acl-', 'aws_network_acl'],
  ['eni-', 'aws_network_interface'], ['nat-', 'aws_nat_gateway'], ['eipalloc-', 'aws_eip'], ['lt-', 'aws_launch_template'], ['tgw-', 'aws_ec2_transit_gateway'],
]
/** The Terraform type an EC2-style id belongs to (`sg-0ab…` → `aws_security_group`). */
export function typeOfEc2Id(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined
  return EC2_PREFIX.find(([p]) => id.startsWith(p))?.[1]
}

const RULES: Array<[string[], Rule]> = [
  // EC2
  [['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'ModifySecurityGroupRules',
    'UpdateSecurityGroupRuleDescriptionsIngress', 'UpdateSecurityGroupRuleDescriptionsEgress', 'DeleteSecurityGroup', 'CreateSecurityGroup'],
  { type: 'aws_security_group', id: either(req('groupId'), res('groupId')), arn: ec2Arn('security-group') }],
  [['RunInstances', 'TerminateInstances', 'StopInstances', 'StartInstances', 'RebootInstances', 'ModifyInstanceAttribute', 'ModifyInstanceMetadataOptions', 'MonitorInstances'],
    { type: 'aws_instance', id: instanceId, arn: ec2Arn('instance') }],
  [['CreateVolume', 'DeleteVolume', 'ModifyVolume', 'AttachVolume', 'DetachVolume'], { type: 'aws_ebs_volume', id: either(req('volumeId'), res('volumeId')), arn: ec2Arn('volume') }],
  [['CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute'], { type: 'aws_vpc', id: either(req('vpcId'), res('vpc.vpcId')), arn: ec2Arn('vpc') }],
  [['CreateSubnet', 'DeleteSubnet', 'ModifySubnetAttribute'], { type: 'aws_subnet', id: either(req('subnetId'), res('subnet.subnetId')), arn: ec2Arn('subnet') }],
  [['CreateInternetGateway', 'DeleteInternetGateway', 'AttachInternetGateway', 'DetachInternetGateway'],
    { type: 'aws_internet_gateway', id: either(req('internetGatewayId'), res('internetGateway.internetGatewayId')), arn: ec2Arn('internet-gateway') }],
  [['CreateRoute', 'DeleteRoute', 'ReplaceRoute', 'CreateRouteTable', 'DeleteRouteTable'],
    { type: 'aws_route_table', id: either(req('routeTableId'), res('routeTable.routeTableId')), arn: ec2Arn('route-table') }],
  [['CreateNetworkAclEntry', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'CreateNetworkAcl', 'DeleteNetworkAcl'],
    { type: 'aws_network_acl', id: either(req('networkAclId'), res('networkAcl.networkAclId')), arn: ec2Arn('network-acl') }],
  [['CreateNatGateway', 'DeleteNatGateway'], { type: 'aws_nat_gateway', id: either(req('natGatewayId'), res('natGateway.natGatewayId')) }],
  [['AllocateAddress', 'ReleaseAddress', 'AssociateAddress', 'DisassociateAddress'], { type: 'aws_eip', id: either(req('allocationId'), res('allocationId')), arn: ec2Arn('elastic-ip') }],
  [['CreateKeyPair', 'DeleteKeyPair', 'ImportKeyPair'], { type: 'aws_key_pair', id: either(req('keyName'), res('keyName')) }],
  [['CreateImage'], { type: 'aws_ami_from_instance', id: res('imageId') }],
  [['ModifyImageAttribute', 'ResetImageAttribute'], { type: (r) => (at(r.requestParameters, 'launchPermission') ? 'aws_ami_launch_permission' : 'aws_ami'), id: req('imageId') }],
  [['DeregisterImage'], { type: 'aws_ami', id: req('imageId') }],
  [['ModifySnapshotAttribute', 'DeleteSnapshot', 'CreateSnapshot'], { type: 'aws_ebs_snapshot', id: either(req('snapshotId'), res('snapshotId')) }],
  [['CreateFlowLogs', 'DeleteFlowLogs'], { type: 'aws_flow_log', id: either(req('DeleteFlowLogsRequest.FlowLogId.content', 'flowLogIds.items.0.flowLogId'), res('CreateFlowLogsResponse.flowLogIdSet.item')) }],
  [['DeleteTransitGatewayVpcAttachment', 'CreateTransitGatewayVpcAttachment', 'ModifyTransitGatewayVpcAttachment'],
    { type: 'aws_ec2_transit_gateway_vpc_attachment', id: either(req('DelTGwVpcAttachReq.TransitGatewayAttachmentId', 'transitGatewayAttachmentId'), res('DeleteTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.transitGatewayAttachmentId')) }],
  [['CreateLaunchTemplateVersion', 'ModifyLaunchTemplate', 'DeleteLaunchTemplate'], { type: 'aws_launch_template', id: req('launchTemplateId', 'CreateLaunchTemplateVersionRequest.LaunchTemplateId') }],
  // Tags: the resource type follows the tagged id (EC2) or the service (EFS).
  [['CreateTags', 'DeleteTags'], {
    type: (r) => (r.eventSource?.startsWith('elasticfilesystem') ? 'aws_efs_file_system' : typeOfEc2Id(at(r.requestParameters, 'resourcesSet.items.0.resourceId'))),
    id: req('resourcesSet.items.0.resourceId', 'fileSystemId', 'resourceId'),
  }],
  // S3
  [['CreateBucket', 'DeleteBucket', 'PutBucketTagging', 'DeleteBucketTagging'], { type: 'aws_s3_bucket', id: bucket, arn: bucketArn }],
  [['PutBucketPolicy', 'DeleteBucketPolicy'], { type: 'aws_s3_bucket_policy', id: bucket, arn: bucketArn }],
  [['PutBucketAcl'], { type: 'aws_s3_bucket_acl', id: bucket, arn: bucketArn }],
  [['PutBucketEncryption', 'DeleteBucketEncryption'], { type: 'aws_s3_bucket_server_side_encryption_configuration', id: bucket, arn: bucketArn }],
  [['PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock'], { type: 'aws_s3_bucket_public_access_block', id: bucket, arn: bucketArn }],
  [['PutBucketVersioning'], { type: 'aws_s3_bucket_versioning', id: bucket, arn: bucketArn }],
  [['PutBucketLogging'], { type: 'aws_s3_bucket_logging', id: bucket, arn: bucketArn }],
  [['PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle'],
    { type: 'aws_s3_bucket_lifecycle_configuration', id: either(bucket, (r) => hostBucket(at(r.requestParameters, 'Host'))), arn: bucketArn }],
  [['PutBucketReplication', 'DeleteBucketReplication'], { type: 'aws_s3_bucket_replication_configuration', id: bucket, arn: bucketArn }],
  [['PutBucketCors', 'DeleteBucketCors'], { type: 'aws_s3_bucket_cors_configuration', id: bucket, arn: bucketArn }],
  [['PutBucketWebsite', 'DeleteBucketWebsite'], { type: 'aws_s3_bucket_website_configuration', id: bucket, arn: bucketArn }],
  [['PutBucketOwnershipControls', 'DeleteBucketOwnershipControls'], { type: 'aws_s3_bucket_ownership_controls', id: bucket, arn: bucketArn }],
  [['PutBucketNotification', 'PutBucketNotificationConfiguration'], { type: 'aws_s3_bucket_notification', id: bucket, arn: bucketArn }],
  // IAM
  [['CreateRole', 'DeleteRole', 'UpdateRole', 'UpdateAssumeRolePolicy', 'TagRole', 'UntagRole', 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary'],
    { type: 'aws_iam_role', id: either(req('roleName'), res('role.roleName')), arn: iamArn('role') }],
  [['AttachRolePolicy', 'DetachRolePolicy'], { type: 'aws_iam_role_policy_attachment', id: join('/', req('roleName'), req('policyArn')) }],
  [['PutRolePolicy', 'DeleteRolePolicy'], { type: 'aws_iam_role_policy', id: join(':', req('roleName'), req('policyName')) }],
  [['AttachUserPolicy', 'DetachUserPolicy'], { type: 'aws_iam_user_policy_attachment', id: join('/', req('userName'), req('policyArn')) }],
  [['PutUserPolicy', 'DeleteUserPolicy'], { type: 'aws_iam_user_policy', id: join(':', req('userName'), req('policyName')) }],
  [['AttachGroupPolicy', 'DetachGroupPolicy'], { type: 'aws_iam_group_policy_attachment', id: join('/', req('groupName'), req('policyArn')) }],
  [['PutGroupPolicy', 'DeleteGroupPolicy'], { type: 'aws_iam_group_policy', id: join(':', req('groupName'), req('policyName')) }],
  [['CreateUser', 'DeleteUser', 'UpdateUser', 'TagUser', 'UntagUser'], { type: 'aws_iam_user', id: either(req('userName'), res('user.userName')), arn: iamArn('user') }],
  [['CreateAccessKey', 'DeleteAccessKey', 'UpdateAccessKey'], { type: 'aws_iam_access_key', id: either(res('accessKey.accessKeyId'), req('accessKeyId')) }],
  [['AddUserToGroup', 'RemoveUserFromGroup'], { type: 'aws_iam_user_group_membership', id: req('userName') }],
  [['CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile'], { type: 'aws_iam_user_login_profile', id: req('userName') }],
  [['CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion'], { type: 'aws_iam_policy', id: either(req('policyArn'), res('policy.arn')) }],
  [['CreateInstanceProfile', 'DeleteInstanceProfile', 'AddRoleToInstanceProfile', 'RemoveRoleFromInstanceProfile'],
    { type: 'aws_iam_instance_profile', id: req('instanceProfileName'), arn: iamArn('instance-profile') }],
  // RDS
  [['CreateDBInstance', 'DeleteDBInstance', 'ModifyDBInstance', 'RebootDBInstance', 'StopDBInstance', 'StartDBInstance', 'RestoreDBInstanceFromDBSnapshot', 'RestoreDBInstanceToPointInTime'],
    { type: 'aws_db_instance', id: either(req('dBInstanceIdentifier'), res('dBInstanceIdentifier')), arn: (id, region, account) => `arn:aws:rds:${region}:${account}:db:${id}` }],
  [['CreateDBSnapshot', 'DeleteDBSnapshot', 'ModifyDBSnapshotAttribute', 'CopyDBSnapshot'],
    { type: 'aws_db_snapshot', id: req('dBSnapshotIdentifier', 'targetDBSnapshotIdentifier'), arn: (id, region, account) => `arn:aws:rds:${region}:${account}:snapshot:${id}` }],
  [['CreateDBCluster', 'DeleteDBCluster', 'ModifyDBCluster'], { type: 'aws_rds_cluster', id: req('dBClusterIdentifier'), arn: (id, region, account) => `arn:aws:rds:${region}:${account}:cluster:${id}` }],
  [['DeleteDBInstanceAutomatedBackup', 'StartDBInstanceAutomatedBackupsReplication', 'StopDBInstanceAutomatedBackupsReplication'],
    { type: 'aws_db_instance_automated_backups_replication', id: either(res('dBInstanceAutomatedBackupArn'), req('dbiResourceId', 'sourceDBInstanceArn')) }],
  // Lambda
  [['CreateFunction', 'DeleteFunction', 'UpdateFunctionConfiguration', 'UpdateFunctionCode', 'PublishVersion', 'PutFunctionConcurrency', 'DeleteFunctionConcurrency'],
    { type: 'aws_lambda_function', id: lastOf(either(req('functionName', 'relativeId.functionName'), res('functionName'))), arn: (id, region, account) => `arn:aws:lambda:${region}:${account}:function:${id}` }],
  [['AddPermission', 'RemovePermission'], { type: 'aws_lambda_permission', id: join('/', lastOf(req('functionName')), req('statementId')) }],
  [['CreateEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping'], { type: 'aws_lambda_event_source_mapping', id: either(req('uUID', 'uuid'), res('uUID')) }],
  // KMS, CloudTrail, Config, ELB, EFS, API Gateway, CloudFront, ECR, Secrets Manager, Bedrock, Route 53 Resolver, DynamoDB, SNS, SQS
  [['DisableKey', 'EnableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'EnableKeyRotation', 'DisableKeyRotation', 'UpdateKeyDescription'],
    { type: 'aws_kms_key', id: lastOf(either(req('keyId'), res('keyId'))), arn: (id, region, account) => `arn:aws:kms:${region}:${account}:key/${id}` }],
  [['CreateTrail', 'DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors', 'PutInsightSelectors'],
    { type: 'aws_cloudtrail', id: lastOf(either(req('name', 'trailName'), res('name'))), arn: (id, region, account) => `arn:aws:cloudtrail:${region}:${account}:trail/${id}` }],
  [['EnableRegion', 'DisableRegion'], { type: 'aws_account_region', id: req('RegionName', 'regionName') }],
  [['PutDeliveryChannel', 'DeleteDeliveryChannel'], { type: 'aws_config_delivery_channel', id: req('deliveryChannel.name', 'deliveryChannelName', 'configurationRecorderName') }],
  [['CreateLoadBalancerPolicy', 'DeleteLoadBalancerPolicy'], { type: 'aws_load_balancer_policy', id: join(':', req('loadBalancerName'), req('policyName')) }],
  [['CreateLoadBalancer', 'DeleteLoadBalancer', 'ModifyLoadBalancerAttributes', 'SetSecurityGroups', 'SetSubnets'],
    { type: (r) => (at(r.requestParameters, 'loadBalancerArn') || at(r.responseElements, 'loadBalancers') ? 'aws_lb' : 'aws_elb'), id: either(req('loadBalancerArn', 'loadBalancerName'), res('loadBalancers.0.loadBalancerArn')) }],
  [['CreateListener', 'ModifyListener', 'DeleteListener'], { type: 'aws_lb_listener', id: either(req('listenerArn'), res('listeners.0.listenerArn')) }],
  [['CreateMountTarget', 'DeleteMountTarget', 'ModifyMountTargetSecurityGroups'], { type: 'aws_efs_mount_target', id: either(req('mountTargetId'), res('mountTargetId')) }],
  [['CreateStage', 'UpdateStage', 'DeleteStage'], {
    type: 'aws_api_gateway_stage',
    id: (r) => { const api = at(r.requestParameters, 'restApiId'); const stage = first([at(r.requestParameters, 'stageName'), at(r.requestParameters, 'createStageInput.stageName'), at(r.responseElements, 'stageName')]); return typeof api === 'string' && stage ? `ags-${api}-${stage}` : undefined },
  }],
  [['UpdateDistribution', 'DeleteDistribution', 'CreateDistribution'], { type: 'aws_cloudfront_distribution', id: either(req('id'), res('distribution.id')) }],
  [['SetRepositoryPolicy', 'DeleteRepositoryPolicy'], { type: 'aws_ecr_repository_policy', id: req('repositoryName') }],
  [['PutResourcePolicy', 'DeleteResourcePolicy'], {
    type: (r) => (r.eventSource?.startsWith('secretsmanager') ? 'aws_secretsmanager_secret_policy' : r.eventSource?.startsWith('glue') ? 'aws_glue_resource_policy' : r.eventSource?.startsWith('logs') ? 'aws_cloudwatch_log_resource_policy' : undefined),
    id: either(req('secretId'), res('arn'), req('policyName')),
  }],
  [['CreateGuardrail', 'UpdateGuardrail', 'DeleteGuardrail'], { type: 'aws_bedrock_guardrail', id: req('guardrailIdentifier') }],
  [['CreateResolverQueryLogConfig', 'DeleteResolverQueryLogConfig'], { type: 'aws_route53_resolver_query_log_config', id: either(req('resolverQueryLogConfigId'), res('resolverQueryLogConfig.id')) }],
  [['CreateTable', 'UpdateTable', 'DeleteTable', 'UpdateContinuousBackups'], { type: 'aws_dynamodb_table', id: req('tableName') }],
  [['SetTopicAttributes', 'DeleteTopic', 'CreateTopic'], { type: 'aws_sns_topic', id: either(req('topicArn'), res('topicArn')) }],
  [['SetQueueAttributes', 'DeleteQueue', 'CreateQueue'], { type: 'aws_sqs_queue', id: either(req('queueUrl'), res('queueUrl')) }],
]

const BY_NAME = new Map<string, Rule>()
for (const [names, rule] of RULES) for (const n of names) BY_NAME.set(n, rule)

/** `UpdateFunctionConfiguration20150331v2` → `UpdateFunctionConfiguration` (Lambda's API-version suffixes). */
export function normalizeEventName(name: string): string {
  return name.replace(/\d{8}(v\d+)?$/, '')
}

/** The resource a (normalised) call touched, as far as the table knows. */
export function resourceOf(record: CloudTrailLike): ResourceRef {
  const rule = BY_NAME.get(normalizeEventName(record.eventName))
  if (!rule) return {}
  const resource_type = typeof rule.type === 'function' ? rule.type(record) : rule.type
  const raw = rule.id(record)
  const resource_id = typeof raw === 'string' && raw ? raw : undefined
  const out: ResourceRef = {}
  if (resource_type) out.resource_type = resource_type
  if (resource_id) {
    out.resource_id = resource_id
    if (resource_id.startsWith('arn:')) out.arn = resource_id
    // S3 bucket ARNs carry neither region nor account; the others need both to be right.
    else if (rule.arn === bucketArn) out.arn = bucketArn(resource_id)
    else if (rule.arn && record.awsRegion && record.recipientAccountId) out.arn = rule.arn(resource_id, record.awsRegion, record.recipientAccountId)
  }
  return out
}

/** True when the table has an entry for the event. */
export function isMapped(eventName: string): boolean {
  return BY_NAME.has(normalizeEventName(eventName))
}

function hostBucket(host: unknown): string | undefined {
  const h = Array.isArray(host) ? host[0] : host
  if (typeof h !== 'string') return undefined
  const m = /^(.+?)\.s3[.-]/.exec(h)
  return m?.[1]
}
