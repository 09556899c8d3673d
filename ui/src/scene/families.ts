/** Resource type → icon family (pure): the atlas holds one glyph per family, not per type. */
export const FAMILIES = ['other', 'compute', 'network', 'iam', 'storage', 'database', 'serverless', 'group'] as const
export type Family = (typeof FAMILIES)[number]

// First match wins, so the specific patterns (lambda before compute, *_db before storage) come first.
const RULES: Array<[RegExp, Family]> = [
  [/lambda|cloudfunctions?|cloud_run|function_app|step_?function|sfn_/, 'serverless'],
  [/organizations_account|_project$|resource_group|_folder$|_organization/, 'group'],
  [/iam|_role|_policy|service_account|_user$|_group_membership|kms|secret/, 'iam'],
  [/rds|dynamodb|_db_|_database|sql|redshift|elasticache|docdb|neptune|bigtable|spanner|cosmosdb|firestore/, 'database'],
  [/s3|bucket|storage|ebs|efs|_disk|glacier|backup/, 'storage'],
  [/vpc|subnet|security_group|network|route|gateway|_eip|_lb|load_?balancer|dns|firewall|nat|cloudfront|_cdn/, 'network'],
  [/instance|ec2|ecs|eks|_vm|virtual_machine|compute|autoscaling|container|kubernetes|batch/, 'compute'],
]

const cache = new Map<string, number>()

/** Index into FAMILIES for a Terraform type (`aws_lambda_function` → serverless). */
export function familyOf(type: string): number {
  let f = cache.get(type)
  if (f === undefined) {
    const t = type.toLowerCase()
    const hit = RULES.find(([re]) => re.test(t))
    f = FAMILIES.indexOf(hit ? hit[1] : 'other')
    cache.set(type, f)
  }
  return f
}
