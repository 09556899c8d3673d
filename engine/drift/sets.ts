/**
 * Which list attributes are sets (order carries no meaning) per provider schema. Lists named here
 * are compared unordered; every other list keeps its order. Extend with `registerSetAttributes` or
 * the `set_attributes` option rather than editing the table.
 */

/** Attribute names that are sets whatever the resource type (every provider uses them that way). */
const ANY_TYPE = new Set([
  // aws
  'security_groups', 'vpc_security_group_ids', 'security_group_ids', 'subnet_ids', 'subnets',
  'cidr_blocks', 'ipv6_cidr_blocks', 'prefix_list_ids', 'availability_zones', 'ingress', 'egress',
  'managed_policy_arns', 'policy_arns', 'inline_policy', 'route_table_ids', 'network_interface_ids',
  'source_security_group_ids', 'target_group_arns', 'load_balancers', 'vpc_zone_identifier',
  'enabled_cluster_log_types', 'enabled_cloudwatch_logs_exports', 'subject_alternative_names',
  'domain_validation_options', 'validation_record_fqdns', 'records', 'aliases', 'ebs_block_device',
  'ephemeral_block_device', 'users', 'roles', 'groups', 'client_id_list', 'thumbprint_list',
  'allowed_methods', 'cached_methods', 'custom_error_response', 'route', 'grant', 'setting',
  'dns_entry', 'private_dns_names', 'cidr_ipv4s', 'endpoint_public_access_cidrs',
  'public_access_cidrs', 'resources', 'alarm_actions', 'ok_actions', 'insufficient_data_actions',
  'allow_headers', 'allow_methods', 'allow_origins', 'expose_headers', 'allowed_headers', 'allowed_origins',
  'requires_compatibilities', 'capacity_provider_strategy', 'propagating_vgws', 'allowed_oauth_flows',
  'allowed_oauth_scopes', 'explicit_auth_flows', 'authorized_ip_ranges', 'api_server_authorized_ip_ranges',
  'headers', 'whitelisted_names', 'origin_ssl_protocols', 'security_group_names', 'iam_roles',
  // google
  'source_ranges', 'destination_ranges', 'source_tags', 'target_tags', 'source_service_accounts',
  'target_service_accounts', 'allow', 'deny', 'oauth_scopes', 'scopes', 'members', 'allowed_persistence_regions',
  'node_locations', 'authorized_networks', 'nat_ips', 'drain_nat_ips',
  // azurerm
  'security_rule', 'source_address_prefixes', 'destination_address_prefixes', 'source_port_ranges',
  'destination_port_ranges', 'address_prefixes', 'service_endpoints', 'zones', 'identity_ids', 'ip_rules', 'bypass',
  // kubernetes
  'access_modes',
])

/** Attribute names that are sets only for some resource types. */
const BY_TYPE: Record<string, Set<string>> = {
  aws_autoscaling_group: new Set(['tag', 'suspended_processes', 'enabled_metrics']),
  aws_lb: new Set(['subnet_mapping']),
  aws_instance: new Set(['ipv6_addresses', 'secondary_private_ips']),
  aws_network_interface: new Set(['private_ips', 'ipv6_addresses']),
  aws_cloudfront_distribution: new Set(['origin', 'origin_group', 'trusted_signers']),
  aws_s3_bucket: new Set(['cors_rule']),
  aws_ecs_service: new Set(['load_balancer', 'service_registries']),
  aws_ecs_task_definition: new Set(['volume', 'placement_constraints']),
  aws_dynamodb_table: new Set(['attribute', 'global_secondary_index', 'local_secondary_index', 'replica']),
  aws_db_parameter_group: new Set(['parameter']),
  aws_rds_cluster_parameter_group: new Set(['parameter']),
  aws_elasticache_parameter_group: new Set(['parameter']),
  aws_route53_zone: new Set(['vpc']),
  aws_lb_listener_rule: new Set(['condition']),
  aws_s3_bucket_server_side_encryption_configuration: new Set(['rule']),
  aws_wafv2_web_acl: new Set(['rule']),
  aws_backup_plan: new Set(['rule']),
  aws_cognito_user_pool: new Set(['schema']),
  azurerm_virtual_network: new Set(['subnet', 'address_space']),
  google_tpu_v2_vm: new Set(['scope']),
  helm_release: new Set(['set', 'set_sensitive']),
  google_compute_backend_service: new Set(['backend']),
  google_compute_region_backend_service: new Set(['backend']),
  google_compute_url_map: new Set(['host_rule']),
  google_compute_instance_group: new Set(['instances', 'named_port']),
  google_compute_target_pool: new Set(['instances']),
  google_compute_router_nat: new Set(['subnetwork']),
  azurerm_application_gateway: new Set([
    'backend_address_pool', 'backend_http_settings', 'frontend_ip_configuration', 'frontend_port', 'gateway_ip_configuration',
    'http_listener', 'probe', 'request_routing_rule', 'ssl_certificate', 'url_path_map', 'redirect_configuration', 'rewrite_rule_set',
  ]),
  google_compute_instance: new Set(['tags']),
  google_compute_instance_template: new Set(['tags']),
  google_container_node_pool: new Set(['tags']),
  google_container_cluster: new Set(['tags']),
}

const extraAny = new Set<string>()
const extraByType = new Map<string, Set<string>>()

/** Declares more set attributes: `name` for any type, or `type.name` for one resource type. */
export function registerSetAttributes(names: Iterable<string>): void {
  for (const name of names) {
    const dot = name.indexOf('.')
    if (dot < 0) { extraAny.add(name); continue }
    const type = name.slice(0, dot)
    let set = extraByType.get(type)
    if (!set) extraByType.set(type, (set = new Set()))
    set.add(name.slice(dot + 1))
  }
}

/** Set-ness by naming convention: lists of ids/ARNs/CIDRs are sets in every major provider. */
const SUFFIX = /(_ids|_arns|_cidrs|_cidr_blocks|security_groups)$/

/** True when the list attribute `name` (the last non-index path segment) of `type` is a set. */
export function isSetAttribute(type: string, name: string): boolean {
  if (ANY_TYPE.has(name) || extraAny.has(name) || SUFFIX.test(name)) return true
  return BY_TYPE[type]?.has(name) === true || extraByType.get(type)?.has(name) === true
}
