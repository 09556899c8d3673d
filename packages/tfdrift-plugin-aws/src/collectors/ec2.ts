/** EC2 (Query protocol): instances, security groups, VPCs and subnets, paged with NextToken. */
import {
  DescribeInstancesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand,
  type DescribeInstancesCommandOutput, type DescribeSecurityGroupsCommandOutput, type DescribeSubnetsCommandOutput,
  type DescribeVpcsCommandOutput, type IpPermission,
} from '@aws-sdk/client-ec2'
import { observed, send, tagMap, type Collector, type Scope } from '../resource.ts'

async function pages<O extends { NextToken?: string }>(scope: Scope, make: (token?: string) => unknown, each: (page: O) => void): Promise<void> {
  let token: string | undefined
  do {
    const page = await send<'ec2', O>(scope, 'ec2', make(token))
    each(page)
    token = page.NextToken
  } while (token)
}

const arn = (scope: Scope, kind: string, id: string) => `arn:aws:ec2:${scope.region}:${scope.account}:${kind}/${id}`

/** Terraform's ingress/egress blocks: one per permission, as the provider flattens them. */
function rules(perms: IpPermission[] | undefined, self: string | undefined) {
  return (perms ?? []).map((p) => ({
    from_port: p.FromPort ?? 0,
    to_port: p.ToPort ?? 0,
    protocol: p.IpProtocol ?? '-1',
    cidr_blocks: (p.IpRanges ?? []).map((r) => r.CidrIp).filter(Boolean),
    ipv6_cidr_blocks: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter(Boolean),
    prefix_list_ids: (p.PrefixListIds ?? []).map((r) => r.PrefixListId).filter(Boolean),
    security_groups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId).filter((g) => g && g !== self),
    self: (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === self),
    description: p.IpRanges?.[0]?.Description ?? p.Ipv6Ranges?.[0]?.Description ?? p.UserIdGroupPairs?.[0]?.Description ?? '',
  }))
}

export const ec2Collectors: Collector[] = [
  {
    name: 'ec2:instances', types: ['aws_instance'],
    async collect(scope, out) {
      await pages<DescribeInstancesCommandOutput>(scope, (NextToken) => new DescribeInstancesCommand({ MaxResults: 1000, NextToken }), (page) => {
        for (const r of page.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            if (!i.InstanceId || i.State?.Name === 'terminated') continue
            const tags = tagMap(i.Tags)
            out.add(observed('aws_instance', i.InstanceId, {
              arn: arn(scope, 'instance', i.InstanceId),
              ami: i.ImageId, instance_type: i.InstanceType, availability_zone: i.Placement?.AvailabilityZone,
              subnet_id: i.SubnetId, private_ip: i.PrivateIpAddress, public_ip: i.PublicIpAddress ?? '',
              key_name: i.KeyName ?? '', ebs_optimized: i.EbsOptimized, monitoring: i.Monitoring?.State === 'enabled',
              vpc_security_group_ids: (i.SecurityGroups ?? []).map((g) => g.GroupId),
              instance_state: i.State?.Name, tenancy: i.Placement?.Tenancy, tags_all: tags ?? {},
            }, { name: tags?.Name }))
          }
        }
      })
    },
  },
  {
    name: 'ec2:security-groups', types: ['aws_security_group'],
    async collect(scope, out) {
      await pages<DescribeSecurityGroupsCommandOutput>(scope, (NextToken) => new DescribeSecurityGroupsCommand({ MaxResults: 1000, NextToken }), (page) => {
        for (const g of page.SecurityGroups ?? []) {
          if (!g.GroupId) continue
          out.add(observed('aws_security_group', g.GroupId, {
            arn: arn(scope, 'security-group', g.GroupId), name: g.GroupName, description: g.Description, vpc_id: g.VpcId,
            owner_id: g.OwnerId, ingress: rules(g.IpPermissions, g.GroupId), egress: rules(g.IpPermissionsEgress, g.GroupId),
            tags_all: tagMap(g.Tags) ?? {},
          }, { name: g.GroupName }))
        }
      })
    },
  },
  {
    name: 'ec2:vpcs', types: ['aws_vpc'],
    async collect(scope, out) {
      await pages<DescribeVpcsCommandOutput>(scope, (NextToken) => new DescribeVpcsCommand({ MaxResults: 1000, NextToken }), (page) => {
        for (const v of page.Vpcs ?? []) {
          if (!v.VpcId) continue
          const tags = tagMap(v.Tags)
          out.add(observed('aws_vpc', v.VpcId, {
            arn: arn(scope, 'vpc', v.VpcId), cidr_block: v.CidrBlock, instance_tenancy: v.InstanceTenancy,
            dhcp_options_id: v.DhcpOptionsId, owner_id: v.OwnerId, tags_all: tags ?? {},
          }, { name: tags?.Name }))
        }
      })
    },
  },
  {
    name: 'ec2:subnets', types: ['aws_subnet'],
    async collect(scope, out) {
      await pages<DescribeSubnetsCommandOutput>(scope, (NextToken) => new DescribeSubnetsCommand({ MaxResults: 1000, NextToken }), (page) => {
        for (const s of page.Subnets ?? []) {
          if (!s.SubnetId) continue
          const tags = tagMap(s.Tags)
          out.add(observed('aws_subnet', s.SubnetId, {
            arn: s.SubnetArn ?? arn(scope, 'subnet', s.SubnetId), vpc_id: s.VpcId, cidr_block: s.CidrBlock,
            availability_zone: s.AvailabilityZone, availability_zone_id: s.AvailabilityZoneId,
            map_public_ip_on_launch: s.MapPublicIpOnLaunch, owner_id: s.OwnerId, tags_all: tags ?? {},
          }, { name: tags?.Name }))
        }
      })
    },
  },
]
