/** IAM (Query protocol, global): roles, customer-managed policies, users, groups, instance profiles; Marker paging. */
import {
  ListGroupsCommand, ListInstanceProfilesCommand, ListPoliciesCommand, ListRolesCommand, ListUsersCommand,
} from '@aws-sdk/client-iam'
import { observed, send, type Collector, type Scope } from '../resource.ts'
import type { ResourceInstance } from 'tfdrift'

async function pages<T>(scope: Scope, make: (marker?: string) => unknown, key: string, each: (item: T) => ResourceInstance | undefined, out: { add(r: ResourceInstance): void }): Promise<void> {
  let marker: string | undefined
  do {
    const page = await send<'iam', Record<string, unknown> & { IsTruncated?: boolean; Marker?: string }>(scope, 'iam', make(marker))
    for (const item of (page[key] as T[] | undefined) ?? []) {
      const r = each(item)
      if (r) out.add(r)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
}

/** IAM returns policy documents URL-encoded; Terraform stores the JSON text. */
function policyText(doc: string | undefined): string | undefined {
  if (!doc) return undefined
  try { return decodeURIComponent(doc) } catch { return doc }
}

const iso = (d: Date | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : undefined)

type Item = Record<string, any>

export const iamCollectors: Collector[] = [
  {
    name: 'iam:roles', types: ['aws_iam_role'], global: true,
    collect: (scope, out) => pages<Item>(scope, (Marker) => new ListRolesCommand({ MaxItems: 1000, Marker }), 'Roles', (r) => r.RoleName && observed('aws_iam_role', r.RoleName, {
      arn: r.Arn, name: r.RoleName, path: r.Path, unique_id: r.RoleId, description: r.Description ?? '',
      max_session_duration: r.MaxSessionDuration, assume_role_policy: policyText(r.AssumeRolePolicyDocument), create_date: iso(r.CreateDate),
    }), out),
  },
  {
    name: 'iam:policies', types: ['aws_iam_policy'], global: true,
    collect: (scope, out) => pages<Item>(scope, (Marker) => new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1000, Marker }), 'Policies', (p) => p.Arn && observed('aws_iam_policy', p.Arn, {
      arn: p.Arn, name: p.PolicyName, path: p.Path, policy_id: p.PolicyId,
    }, { name: p.PolicyName }), out),
  },
  {
    name: 'iam:users', types: ['aws_iam_user'], global: true,
    collect: (scope, out) => pages<Item>(scope, (Marker) => new ListUsersCommand({ MaxItems: 1000, Marker }), 'Users', (u) => u.UserName && observed('aws_iam_user', u.UserName, {
      arn: u.Arn, name: u.UserName, path: u.Path, unique_id: u.UserId,
    }), out),
  },
  {
    name: 'iam:groups', types: ['aws_iam_group'], global: true,
    collect: (scope, out) => pages<Item>(scope, (Marker) => new ListGroupsCommand({ MaxItems: 1000, Marker }), 'Groups', (g) => g.GroupName && observed('aws_iam_group', g.GroupName, {
      arn: g.Arn, name: g.GroupName, path: g.Path, unique_id: g.GroupId,
    }), out),
  },
  {
    name: 'iam:instance-profiles', types: ['aws_iam_instance_profile'], global: true,
    collect: (scope, out) => pages<Item>(scope, (Marker) => new ListInstanceProfilesCommand({ MaxItems: 1000, Marker }), 'InstanceProfiles', (p) => p.InstanceProfileName && observed('aws_iam_instance_profile', p.InstanceProfileName, {
      arn: p.Arn, name: p.InstanceProfileName, path: p.Path, unique_id: p.InstanceProfileId, role: p.Roles?.[0]?.RoleName,
    }), out),
  },
]
