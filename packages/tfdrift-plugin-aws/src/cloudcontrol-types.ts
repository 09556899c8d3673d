/**
 * Terraform types read through the Cloud Control API (one uniform JSON protocol over CloudFormation's
 * resource schemas): CloudFormation type, the property Terraform uses as `id`, and Terraform attribute ←
 * CloudFormation property. A data table; adding a type is adding a row (and a fixture in the tests).
 */
type Props = Record<string, any>
/** A CloudFormation property name (dots for nesting), or a function of the properties naming those it `reads`. */
export type Source = string | (((p: Props) => unknown) & { reads?: readonly string[] })

export interface CloudControlType {
  type: string
  cfn: string
  id: Source
  arn?: Source
  attrs: Record<string, Source>
  /** The property holding tags (list or map), when the type has tags. */
  tags?: string
  global?: boolean
  /**
   * `full`: the type's list handler returns the whole model, tags included (read from its handler source),
   * so ListResources stands in for GetResource. Other types skip GetResource only when a listed model
   * happens to hold every property the row reads.
   */
  list?: 'full'
}

/** A function source that declares the properties it reads. */
const using = (reads: string[], fn: (p: Props) => unknown): Source => Object.assign(fn, { reads })
const num = (name: string) => using([name], (p) => (p[name] === undefined ? undefined : Number(p[name])))
const stripStar = (name: string) => using([name], (p) => (typeof p[name] === 'string' ? p[name].replace(/:\*$/, '') : undefined))

export const CLOUDCONTROL_TYPES: CloudControlType[] = [
  { type: 'aws_lambda_function', cfn: 'AWS::Lambda::Function', id: 'FunctionName', arn: 'Arn', tags: 'Tags',
    attrs: { function_name: 'FunctionName', role: 'Role', handler: 'Handler', runtime: 'Runtime', memory_size: num('MemorySize'), timeout: num('Timeout'), description: 'Description', package_type: 'PackageType' } },
  { type: 'aws_sqs_queue', cfn: 'AWS::SQS::Queue', id: 'QueueUrl', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'QueueName', url: 'QueueUrl', visibility_timeout_seconds: num('VisibilityTimeout'), message_retention_seconds: num('MessageRetentionPeriod'), delay_seconds: num('DelaySeconds'), max_message_size: num('MaximumMessageSize'), fifo_queue: 'FifoQueue' } },
  { type: 'aws_sns_topic', cfn: 'AWS::SNS::Topic', id: 'TopicArn', arn: 'TopicArn', tags: 'Tags',
    attrs: { name: 'TopicName', display_name: 'DisplayName', fifo_topic: 'FifoTopic', kms_master_key_id: 'KmsMasterKeyId' } },
  { type: 'aws_cloudwatch_log_group', cfn: 'AWS::Logs::LogGroup', id: 'LogGroupName', arn: stripStar('Arn'), tags: 'Tags', list: 'full',
    attrs: { name: 'LogGroupName', retention_in_days: num('RetentionInDays'), kms_key_id: 'KmsKeyId', log_group_class: 'LogGroupClass' } },
  { type: 'aws_ecr_repository', cfn: 'AWS::ECR::Repository', id: 'RepositoryName', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'RepositoryName', image_tag_mutability: 'ImageTagMutability', repository_url: 'RepositoryUri' } },
  { type: 'aws_ecs_cluster', cfn: 'AWS::ECS::Cluster', id: 'Arn', arn: 'Arn', tags: 'Tags', attrs: { name: 'ClusterName' } },
  { type: 'aws_ecs_task_definition', cfn: 'AWS::ECS::TaskDefinition', id: 'Family', arn: 'TaskDefinitionArn', tags: 'Tags',
    attrs: { family: 'Family', cpu: 'Cpu', memory: 'Memory', network_mode: 'NetworkMode', execution_role_arn: 'ExecutionRoleArn', task_role_arn: 'TaskRoleArn' } },
  { type: 'aws_eks_cluster', cfn: 'AWS::EKS::Cluster', id: 'Name', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'Name', role_arn: 'RoleArn', version: 'Version', endpoint: 'Endpoint' } },
  { type: 'aws_db_instance', cfn: 'AWS::RDS::DBInstance', id: 'DbiResourceId', arn: 'DBInstanceArn', tags: 'Tags',
    attrs: { identifier: 'DBInstanceIdentifier', instance_class: 'DBInstanceClass', engine: 'Engine', engine_version: 'EngineVersion', allocated_storage: num('AllocatedStorage'), multi_az: 'MultiAZ', publicly_accessible: 'PubliclyAccessible', storage_type: 'StorageType', storage_encrypted: 'StorageEncrypted' } },
  { type: 'aws_rds_cluster', cfn: 'AWS::RDS::DBCluster', id: 'DBClusterIdentifier', arn: 'DBClusterArn', tags: 'Tags',
    attrs: { cluster_identifier: 'DBClusterIdentifier', engine: 'Engine', engine_version: 'EngineVersion', storage_encrypted: 'StorageEncrypted', deletion_protection: 'DeletionProtection' } },
  { type: 'aws_db_subnet_group', cfn: 'AWS::RDS::DBSubnetGroup', id: 'DBSubnetGroupName', tags: 'Tags',
    attrs: { name: 'DBSubnetGroupName', description: 'DBSubnetGroupDescription', subnet_ids: 'SubnetIds' } },
  { type: 'aws_cloudtrail', cfn: 'AWS::CloudTrail::Trail', id: 'TrailName', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'TrailName', s3_bucket_name: 'S3BucketName', is_multi_region_trail: 'IsMultiRegionTrail', include_global_service_events: 'IncludeGlobalServiceEvents', enable_logging: 'IsLogging', enable_log_file_validation: 'EnableLogFileValidation' } },
  { type: 'aws_route53_zone', cfn: 'AWS::Route53::HostedZone', id: 'Id', global: true, tags: 'HostedZoneTags',
    attrs: { name: using(['Name'], (p) => (typeof p.Name === 'string' ? p.Name.replace(/\.$/, '') : undefined)), comment: 'HostedZoneConfig.Comment', zone_id: 'Id' } },
  { type: 'aws_kinesis_stream', cfn: 'AWS::Kinesis::Stream', id: 'Arn', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'Name', shard_count: num('ShardCount'), retention_period: num('RetentionPeriodHours') } },
  { type: 'aws_secretsmanager_secret', cfn: 'AWS::SecretsManager::Secret', id: 'Id', arn: 'Id', tags: 'Tags',
    attrs: { name: 'Name', description: 'Description', kms_key_id: 'KmsKeyId' } },
  { type: 'aws_ssm_parameter', cfn: 'AWS::SSM::Parameter', id: 'Name', tags: 'Tags',
    attrs: { name: 'Name', type: 'Type', description: 'Description', tier: 'Tier' } },
  { type: 'aws_lb', cfn: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: 'LoadBalancerArn', arn: 'LoadBalancerArn', tags: 'Tags',
    attrs: { name: 'LoadBalancerName', internal: using(['Scheme'], (p) => (p.Scheme === undefined ? undefined : p.Scheme === 'internal')), load_balancer_type: 'Type', dns_name: 'DNSName', security_groups: 'SecurityGroups', subnets: 'Subnets' } },
  { type: 'aws_lb_target_group', cfn: 'AWS::ElasticLoadBalancingV2::TargetGroup', id: 'TargetGroupArn', arn: 'TargetGroupArn', tags: 'Tags',
    attrs: { name: 'TargetGroupName', port: num('Port'), protocol: 'Protocol', vpc_id: 'VpcId', target_type: 'TargetType' } },
  { type: 'aws_autoscaling_group', cfn: 'AWS::AutoScaling::AutoScalingGroup', id: 'AutoScalingGroupName', tags: 'Tags',
    attrs: { name: 'AutoScalingGroupName', min_size: num('MinSize'), max_size: num('MaxSize'), desired_capacity: num('DesiredCapacity'), vpc_zone_identifier: 'VPCZoneIdentifier' } },
  { type: 'aws_api_gateway_rest_api', cfn: 'AWS::ApiGateway::RestApi', id: 'RestApiId', tags: 'Tags',
    attrs: { name: 'Name', description: 'Description', root_resource_id: 'RootResourceId' } },
  { type: 'aws_apigatewayv2_api', cfn: 'AWS::ApiGatewayV2::Api', id: 'ApiId', tags: 'Tags',
    attrs: { name: 'Name', protocol_type: 'ProtocolType', api_endpoint: 'ApiEndpoint', description: 'Description' } },
  { type: 'aws_cloudwatch_metric_alarm', cfn: 'AWS::CloudWatch::Alarm', id: 'AlarmName', arn: 'Arn',
    attrs: { alarm_name: 'AlarmName', metric_name: 'MetricName', namespace: 'Namespace', comparison_operator: 'ComparisonOperator', threshold: num('Threshold'), evaluation_periods: num('EvaluationPeriods'), period: num('Period'), statistic: 'Statistic' } },
  { type: 'aws_efs_file_system', cfn: 'AWS::EFS::FileSystem', id: 'FileSystemId', arn: 'Arn', tags: 'FileSystemTags',
    attrs: { encrypted: 'Encrypted', performance_mode: 'PerformanceMode', throughput_mode: 'ThroughputMode', kms_key_id: 'KmsKeyId' } },
  { type: 'aws_sfn_state_machine', cfn: 'AWS::StepFunctions::StateMachine', id: 'Arn', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'StateMachineName', role_arn: 'RoleArn', type: 'StateMachineType' } },
  { type: 'aws_cloudwatch_event_rule', cfn: 'AWS::Events::Rule', id: using(['Name', 'EventBusName'], (p) => (p.EventBusName && p.EventBusName !== 'default' ? `${p.EventBusName}/${p.Name}` : p.Name)), arn: 'Arn',
    attrs: { name: 'Name', description: 'Description', schedule_expression: 'ScheduleExpression', state: 'State', event_bus_name: 'EventBusName' } },
  { type: 'aws_codebuild_project', cfn: 'AWS::CodeBuild::Project', id: 'Arn', arn: 'Arn', tags: 'Tags',
    attrs: { name: 'Name', description: 'Description', service_role: 'ServiceRole' } },
  { type: 'aws_cognito_user_pool', cfn: 'AWS::Cognito::UserPool', id: 'UserPoolId', arn: 'Arn', tags: 'UserPoolTags',
    attrs: { name: 'UserPoolName', mfa_configuration: 'MfaConfiguration' } },
  { type: 'aws_glue_job', cfn: 'AWS::Glue::Job', id: 'Name', tags: 'Tags',
    attrs: { name: 'Name', role_arn: 'Role', glue_version: 'GlueVersion', max_retries: num('MaxRetries'), timeout: num('Timeout') } },
  { type: 'aws_athena_workgroup', cfn: 'AWS::Athena::WorkGroup', id: 'Name', tags: 'Tags', attrs: { name: 'Name', description: 'Description', state: 'State' } },
  { type: 'aws_ec2_transit_gateway', cfn: 'AWS::EC2::TransitGateway', id: 'Id', tags: 'Tags',
    attrs: { description: 'Description', amazon_side_asn: num('AmazonSideAsn'), auto_accept_shared_attachments: 'AutoAcceptSharedAttachments' } },
  { type: 'aws_flow_log', cfn: 'AWS::EC2::FlowLog', id: 'Id', tags: 'Tags',
    attrs: { traffic_type: 'TrafficType', log_destination_type: 'LogDestinationType', log_destination: 'LogDestination', max_aggregation_interval: num('MaxAggregationInterval') } },
  { type: 'aws_vpc_endpoint', cfn: 'AWS::EC2::VPCEndpoint', id: 'Id', tags: 'Tags',
    attrs: { vpc_id: 'VpcId', service_name: 'ServiceName', vpc_endpoint_type: 'VpcEndpointType', private_dns_enabled: 'PrivateDnsEnabled' } },
  { type: 'aws_internet_gateway', cfn: 'AWS::EC2::InternetGateway', id: 'InternetGatewayId', tags: 'Tags', attrs: {} },
  { type: 'aws_nat_gateway', cfn: 'AWS::EC2::NatGateway', id: 'NatGatewayId', tags: 'Tags',
    attrs: { subnet_id: 'SubnetId', allocation_id: 'AllocationId', connectivity_type: 'ConnectivityType' } },
  { type: 'aws_route_table', cfn: 'AWS::EC2::RouteTable', id: 'RouteTableId', tags: 'Tags', attrs: { vpc_id: 'VpcId' } },
  { type: 'aws_eip', cfn: 'AWS::EC2::EIP', id: 'AllocationId', tags: 'Tags', attrs: { public_ip: 'PublicIp', domain: 'Domain', allocation_id: 'AllocationId' } },
  { type: 'aws_ebs_volume', cfn: 'AWS::EC2::Volume', id: 'VolumeId', tags: 'Tags',
    attrs: { availability_zone: 'AvailabilityZone', size: num('Size'), type: 'VolumeType', encrypted: 'Encrypted', iops: num('Iops'), throughput: num('Throughput') } },
  { type: 'aws_launch_template', cfn: 'AWS::EC2::LaunchTemplate', id: 'LaunchTemplateId',
    attrs: { name: 'LaunchTemplateName', latest_version: num('LatestVersionNumber'), default_version: num('DefaultVersionNumber') } },
  { type: 'aws_network_acl', cfn: 'AWS::EC2::NetworkAcl', id: 'Id', tags: 'Tags', attrs: { vpc_id: 'VpcId' } },
  { type: 'aws_key_pair', cfn: 'AWS::EC2::KeyPair', id: 'KeyName', tags: 'Tags', attrs: { key_name: 'KeyName', key_pair_id: 'KeyPairId', key_type: 'KeyType' } },
  { type: 'aws_iam_openid_connect_provider', cfn: 'AWS::IAM::OIDCProvider', id: 'Arn', arn: 'Arn', global: true, tags: 'Tags',
    attrs: { url: using(['Url'], (p) => (typeof p.Url === 'string' ? p.Url.replace(/^https:\/\//, '') : undefined)), client_id_list: 'ClientIdList', thumbprint_list: 'ThumbprintList' } },
]
