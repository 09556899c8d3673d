/** One `module.<env>.module.network["<region>"]` instance: a VPC with public/private subnets, IGW, NAT and routing. */
import type { ResourceInstance } from 'tfdrift'
import { REGIONS, azName, tagPair, type EstateBuilder } from './builder.ts'

export interface Network {
  env: string
  region: string
  module: string
  vpc: ResourceInstance
  publicSubnets: ResourceInstance[]
  privateSubnets: ResourceInstance[]
  /** Second octet of the VPC CIDR (`10.<octet>.0.0/16`). */
  octet: number
  defaults: Record<string, string>
}

/** Adds a network stack and returns handles to its VPC and subnets. */
export function buildNetwork(b: EstateBuilder, env: string, region: string, octet: number): Network {
  const { rng, account } = b
  const module = `module.${env}.module.network["${region}"]`
  const defaults = { Environment: env, ManagedBy: 'terraform', Repository: 'github.com/acme/infrastructure' }
  const ec2Arn = (kind: string, id: string) => `arn:aws:ec2:${region}:${account}:${kind}/${id}`
  const vpcId = rng.awsId('vpc')
  const vpc = b.add({
    module, type: 'aws_vpc', name: 'this', id: vpcId, arn: ec2Arn('vpc', vpcId), schema_version: 1,
    attributes: {
      assign_generated_ipv6_cidr_block: false,
      cidr_block: `10.${octet}.0.0/16`,
      default_network_acl_id: rng.awsId('acl'),
      default_route_table_id: rng.awsId('rtb'),
      default_security_group_id: rng.awsId('sg'),
      dhcp_options_id: rng.awsId('dopt'),
      enable_dns_hostnames: true,
      enable_dns_support: true,
      enable_network_address_usage_metrics: false,
      instance_tenancy: 'default',
      ipv6_association_id: '',
      ipv6_cidr_block: '',
      main_route_table_id: rng.awsId('rtb'),
      owner_id: account,
      ...tagPair({ Name: `${env}-${region}` }, defaults),
    },
  })
  const subnet = (tier: 'public' | 'private', i: number) => {
    const id = rng.awsId('subnet')
    const third = (tier === 'public' ? 0 : 100) + i * 10
    return b.add({
      module, type: 'aws_subnet', name: tier, index_key: i, id, arn: ec2Arn('subnet', id), schema_version: 1,
      depends_on: [vpc],
      attributes: {
        assign_ipv6_address_on_creation: false,
        availability_zone: azName(region, i),
        availability_zone_id: REGIONS[region]!.azIds[i % 3],
        cidr_block: `10.${octet}.${third}.0/${tier === 'public' ? 24 : 22}`,
        customer_owned_ipv4_pool: '',
        enable_dns64: false,
        enable_resource_name_dns_a_record_on_launch: false,
        ipv6_cidr_block: '',
        ipv6_native: false,
        map_public_ip_on_launch: tier === 'public',
        outpost_arn: '',
        owner_id: account,
        private_dns_hostname_type_on_launch: 'ip-name',
        vpc_id: vpcId,
        ...tagPair({ Name: `${env}-${region}-${tier}-${azName(region, i).slice(-1)}`, Tier: tier }, defaults),
      },
    })
  }
  const publicSubnets = [0, 1, 2].map((i) => subnet('public', i))
  const privateSubnets = [0, 1, 2].map((i) => subnet('private', i))
  const igwId = rng.awsId('igw')
  const igw = b.add({
    module, type: 'aws_internet_gateway', name: 'this', id: igwId, arn: ec2Arn('internet-gateway', igwId),
    depends_on: [vpc],
    attributes: { owner_id: account, vpc_id: vpcId, ...tagPair({ Name: `${env}-${region}-igw` }, defaults) },
  })
  const eipId = `eipalloc-0${rng.hex(16)}`
  const publicIp = `${rng.pick([3, 18, 34, 52, 54])}.${rng.int(1, 254)}.${rng.int(1, 254)}.${rng.int(1, 254)}`
  const eip = b.add({
    module, type: 'aws_eip', name: 'nat', index_key: 0, id: eipId, arn: ec2Arn('elastic-ip', eipId),
    depends_on: [igw],
    attributes: {
      allocation_id: eipId, association_id: '', domain: 'vpc', instance: '', network_border_group: region,
      network_interface: '', private_ip: '', public_dns: `ec2-${publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`,
      public_ip: publicIp, public_ipv4_pool: 'amazon', ...tagPair({ Name: `${env}-${region}-nat` }, defaults),
    },
  })
  const natId = `nat-0${rng.hex(16)}`
  const nat = b.add({
    module, type: 'aws_nat_gateway', name: 'this', index_key: 0, id: natId,
    depends_on: [eip, igw, publicSubnets[0]!],
    attributes: {
      allocation_id: eipId, association_id: `eipassoc-0${rng.hex(16)}`, connectivity_type: 'public',
      network_interface_id: rng.awsId('eni'), private_ip: `10.${octet}.0.${rng.int(10, 250)}`, public_ip: publicIp,
      secondary_allocation_ids: null, secondary_private_ip_address_count: 0, secondary_private_ip_addresses: [],
      subnet_id: publicSubnets[0]!.resource_id, ...tagPair({ Name: `${env}-${region}-nat` }, defaults),
    },
  })
  const route = (cidr: string, gateway: string, natGw: string) => ({
    carrier_gateway_id: '', cidr_block: cidr, core_network_arn: '', destination_prefix_list_id: '', egress_only_gateway_id: '',
    gateway_id: gateway, ipv6_cidr_block: '', local_gateway_id: '', nat_gateway_id: natGw, network_interface_id: '',
    transit_gateway_id: '', vpc_endpoint_id: '', vpc_peering_connection_id: '',
  })
  const table = (tier: 'public' | 'private') => {
    const id = rng.awsId('rtb')
    return b.add({
      module, type: 'aws_route_table', name: tier, id, arn: ec2Arn('route-table', id),
      depends_on: tier === 'public' ? [vpc, igw] : [vpc, nat],
      attributes: {
        owner_id: account, propagating_vgws: [], vpc_id: vpcId,
        route: [tier === 'public' ? route('0.0.0.0/0', igwId, '') : route('0.0.0.0/0', '', natId)],
        ...tagPair({ Name: `${env}-${region}-${tier}` }, defaults),
      },
    })
  }
  const tables = { public: table('public'), private: table('private') }
  for (const [tier, subnets] of [['public', publicSubnets], ['private', privateSubnets]] as const) {
    subnets.forEach((s, i) => b.add({
      module, type: 'aws_route_table_association', name: tier, index_key: i, id: `rtbassoc-0${rng.hex(16)}`,
      depends_on: [s, tables[tier]],
      attributes: { gateway_id: '', route_table_id: tables[tier].resource_id, subnet_id: s.resource_id },
    }))
  }
  return { env, region, module, vpc, publicSubnets, privateSubnets, octet, defaults }
}
