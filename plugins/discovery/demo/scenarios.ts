/**
 * Plausible out-of-band changes, each with its inverse. A scenario picks an untouched target, mutates
 * the simulator's observed state copy-on-write, and returns the CloudTrail-shaped event that did it.
 */
import type { ChangeEvent, ResourceInstance } from 'tfdrift'
import type { Simulator } from './simulator.ts'

export interface Outcome {
  event: ChangeEvent
  summary: string
}

export interface Applied extends Outcome {
  /** Observed-map keys this change touched; locked until it is reverted. */
  keys: string[]
  revert(sim: Simulator): Outcome
}

export interface Scenario {
  name: string
  weight: number
  apply(sim: Simulator): Applied | undefined
}

const key = (r: ResourceInstance) => r.address || `${r.type}:${r.resource_id}`
const patch = (r: ResourceInstance, attrs: Record<string, unknown>): ResourceInstance => ({ ...r, attributes: { ...r.attributes, ...attrs } })
const label = (r: ResourceInstance) => r.address || `${r.type} ${r.resource_id}`
const who = (e: ChangeEvent) => e.actor?.user ?? 'someone'

/** Restores the original objects of `keys` (and removes additions), attributing it to `actor`. */
function restorer(originals: ResourceInstance[], added: string[], make: (sim: Simulator) => { event: ChangeEvent; verb: string }): Applied['revert'] {
  return (sim) => {
    for (const k of added) sim.remove(k)
    for (const r of originals) sim.put(r)
    const { event, verb } = make(sim)
    return { event, summary: `${who(event)} ${verb}` }
  }
}

const openSsh: Scenario = {
  name: 'open-ssh-to-world', weight: 2,
  apply(sim) {
    const targets = sim.candidates('aws_security_group')
    if (!targets.length) return undefined
    const sg = sim.rng.pick(targets)
    const actor = sim.actors.human('console', 'ec2', 'authorize-security-group-ingress')
    const rule = { cidr_blocks: ['0.0.0.0/0'], description: 'temp debug access', from_port: 22, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 22 }
    sim.put(patch(sg, { ingress: [...(sg.attributes.ingress as unknown[]), rule] }))
    const permissions = { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'temp debug access' }] } }] }
    const event = sim.event({ name: 'AuthorizeSecurityGroupIngress', source: 'ec2', resource: sg, actor, parameters: { groupId: sg.resource_id, ipPermissions: permissions } })
    return {
      keys: [key(sg)], event, summary: `${who(event)} opened port 22 to 0.0.0.0/0 on ${label(sg)} in the console`,
      revert: restorer([sg], [], (s) => ({
        event: s.event({ name: 'RevokeSecurityGroupIngress', source: 'ec2', resource: sg, actor, parameters: { groupId: sg.resource_id, ipPermissions: permissions } }),
        verb: `closed port 22 again on ${label(sg)}`,
      })),
    }
  },
}

const deleteBucket: Scenario = {
  name: 'delete-bucket', weight: 1,
  apply(sim) {
    const targets = sim.candidates('aws_s3_bucket', (b) => !!b.module)
    if (!targets.length) return undefined
    const bucket = sim.rng.pick(targets)
    // The bucket's sub-resources (public access block, encryption, versioning) go with it.
    const related = ['aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_versioning']
      .flatMap((t) => sim.candidates(t, (r) => r.resource_id === bucket.resource_id && r.module === bucket.module))
    const removed = [bucket, ...related]
    for (const r of removed) sim.remove(key(r))
    const actor = sim.actors.human('console', 's3', 'delete-bucket')
    const event = sim.event({ name: 'DeleteBucket', source: 's3', resource: bucket, actor, parameters: { bucketName: bucket.resource_id, Host: `${bucket.resource_id}.s3.amazonaws.com` } })
    return {
      keys: removed.map(key), event, summary: `${who(event)} deleted bucket ${bucket.resource_id} in the S3 console`,
      revert: restorer(removed, [], (s) => ({
        event: s.event({ name: 'CreateBucket', source: 's3', resource: bucket, actor: s.actors.terraform(), parameters: { bucketName: bucket.resource_id } }),
        verb: `recreated bucket ${bucket.resource_id} with terraform apply`,
      })),
    }
  },
}

const unmanagedInstance: Scenario = {
  name: 'unmanaged-instance', weight: 2,
  apply(sim) {
    const templates = sim.candidates('aws_instance')
    if (!templates.length) return undefined
    const like = sim.rng.pick(templates)
    const actor = sim.actors.human('cli', 'ec2', 'run-instances')
    const id = sim.rng.awsId('i')
    const arn = like.arn!.replace(/instance\/i-[0-9a-f]+$/, `instance/${id}`)
    const login = actor.user!.split('@')[0]!
    const instanceType = sim.rng.pick(['t3.xlarge', 'g5.xlarge', 'c6i.2xlarge', 'm6i.4xlarge'])
    const tags = { Name: `${login}-debug`, Owner: login }
    const instance: ResourceInstance = {
      address: '', mode: 'managed', type: 'aws_instance', name: '', provider: 'aws', resource_id: id, arn,
      attributes: { ...like.attributes, id, arn, instance_type: instanceType, iam_instance_profile: '', key_name: `${login}-laptop`, tags, tags_all: tags, user_data: null },
    }
    sim.put(instance)
    const event = sim.event({
      name: 'RunInstances', source: 'ec2', resource: instance, actor,
      parameters: { instanceType, imageId: like.attributes.ami, subnetId: like.attributes.subnet_id, minCount: 1, maxCount: 1 },
    })
    return {
      keys: [key(instance)], event, summary: `${who(event)} launched unmanaged instance ${id} (${instanceType}) with the CLI`,
      revert: restorer([], [key(instance)], (s) => ({
        event: s.event({ name: 'TerminateInstances', source: 'ec2', resource: instance, actor, parameters: { instancesSet: { items: [{ instanceId: id }] } } }),
        verb: `terminated unmanaged instance ${id}`,
      })),
    }
  },
}

const instanceType: Scenario = {
  name: 'instance-type-change', weight: 2,
  apply(sim) {
    const targets = sim.candidates('aws_instance')
    if (!targets.length) return undefined
    const inst = sim.rng.pick(targets)
    const from = String(inst.attributes.instance_type)
    const to = sim.rng.pick(['m6i.2xlarge', 'c6i.4xlarge', 'r6i.xlarge', 't3.2xlarge'].filter((t) => t !== from))
    sim.put(patch(inst, { instance_type: to }))
    const actor = sim.actors.human(sim.rng.chance(0.5) ? 'console' : 'cli', 'ec2', 'modify-instance-attribute')
    const event = sim.event({ name: 'ModifyInstanceAttribute', source: 'ec2', resource: inst, actor, parameters: { instanceId: inst.resource_id, instanceType: { value: to } } })
    return {
      keys: [key(inst)], event, summary: `${who(event)} resized ${label(inst)} from ${from} to ${to}`,
      revert: restorer([inst], [], (s) => ({
        event: s.event({ name: 'ModifyInstanceAttribute', source: 'ec2', resource: inst, actor: s.actors.terraform(), parameters: { instanceId: inst.resource_id, instanceType: { value: from } } }),
        verb: `set ${label(inst)} back to ${from} with terraform apply`,
      })),
    }
  },
}

const tagEdit: Scenario = {
  name: 'tag-edit', weight: 3,
  apply(sim) {
    const type = sim.rng.pick(['aws_instance', 'aws_vpc', 'aws_subnet', 'aws_security_group'])
    const targets = sim.candidates(type)
    if (!targets.length) return undefined
    const r = sim.rng.pick(targets)
    const actor = sim.actors.human('console', 'ec2', 'create-tags')
    const [tagKey, tagValue] = sim.rng.pick([['CostCenter', `cc-${sim.rng.int(1000, 9999)}`], ['Owner', actor.user!.split('@')[0]!], ['Environment', 'sandbox'], ['Backup', 'daily']] as const)
    const tags = { ...(r.attributes.tags as Record<string, string>), [tagKey]: tagValue }
    sim.put(patch(r, { tags, tags_all: { ...(r.attributes.tags_all as Record<string, string>), [tagKey]: tagValue } }))
    const event = sim.event({ name: 'CreateTags', source: 'ec2', resource: r, actor, parameters: { resourcesSet: { items: [{ resourceId: r.resource_id }] }, tagSet: { items: [{ key: tagKey, value: tagValue }] } } })
    return {
      keys: [key(r)], event, summary: `${who(event)} tagged ${label(r)} ${tagKey}=${tagValue}`,
      revert: restorer([r], [], (s) => ({
        event: s.event({ name: 'DeleteTags', source: 'ec2', resource: r, actor, parameters: { resourcesSet: { items: [{ resourceId: r.resource_id }] }, tagSet: { items: [{ key: tagKey }] } } }),
        verb: `removed tag ${tagKey} from ${label(r)}`,
      })),
    }
  },
}

const attachPolicy: Scenario = {
  name: 'attach-admin-policy', weight: 2,
  apply(sim) {
    const roles = sim.candidates('aws_iam_role', (r) => !!r.module)
    if (!roles.length) return undefined
    const role = sim.rng.pick(roles)
    const policyArn = sim.rng.pick(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'])
    // The id a cloud scan reports and `terraform import` takes: `<role>/<policy-arn>` (also what CloudTrail maps to).
    const id = `${role.resource_id}/${policyArn}`
    const attachment: ResourceInstance = {
      address: '', mode: 'managed', type: 'aws_iam_role_policy_attachment', name: '', provider: 'aws', resource_id: id,
      attributes: { id, policy_arn: policyArn, role: role.resource_id },
    }
    sim.put(attachment)
    const actor = sim.actors.human('cli', 'iam', 'attach-role-policy')
    const event = sim.event({ name: 'AttachRolePolicy', source: 'iam', resource: attachment, actor, parameters: { roleName: role.resource_id, policyArn }, region: 'us-east-1' })
    return {
      keys: [key(attachment), key(role)], event, summary: `${who(event)} attached ${policyArn.split('/').pop()} to role ${role.resource_id}`,
      revert: restorer([], [key(attachment)], (s) => ({
        event: s.event({ name: 'DetachRolePolicy', source: 'iam', resource: attachment, actor, parameters: { roleName: role.resource_id, policyArn }, region: 'us-east-1' }),
        verb: `detached ${policyArn.split('/').pop()} from role ${role.resource_id}`,
      })),
    }
  },
}

const bucketPolicy: Scenario = {
  name: 'public-bucket-policy', weight: 1,
  apply(sim) {
    const targets = sim.candidates('aws_s3_bucket', (b) => !!b.module)
    if (!targets.length) return undefined
    const bucket = sim.rng.pick(targets)
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucket.arn}/*` }] })
    sim.put(patch(bucket, { policy }))
    const actor = sim.actors.human('console', 's3', 'put-bucket-policy')
    const event = sim.event({ name: 'PutBucketPolicy', source: 's3', resource: bucket, actor, parameters: { bucketName: bucket.resource_id, bucketPolicy: JSON.parse(policy) } })
    return {
      keys: [key(bucket)], event, summary: `${who(event)} made bucket ${bucket.resource_id} publicly readable with a bucket policy`,
      revert: restorer([bucket], [], (s) => ({
        event: s.event({ name: 'DeleteBucketPolicy', source: 's3', resource: bucket, actor: s.actors.terraform(), parameters: { bucketName: bucket.resource_id } }),
        verb: `removed the public policy from ${bucket.resource_id} with terraform apply`,
      })),
    }
  },
}

const publicAccessBlock: Scenario = {
  name: 'delete-public-access-block', weight: 1,
  apply(sim) {
    const targets = sim.candidates('aws_s3_bucket_public_access_block')
    if (!targets.length) return undefined
    const pab = sim.rng.pick(targets)
    sim.remove(key(pab))
    const actor = sim.actors.human('console', 's3', 'delete-public-access-block')
    const event = sim.event({ name: 'DeleteBucketPublicAccessBlock', source: 's3', resource: pab, actor, parameters: { bucketName: pab.resource_id, publicAccessBlock: '' } })
    return {
      keys: [key(pab)], event, summary: `${who(event)} removed the public access block of bucket ${pab.resource_id}`,
      revert: restorer([pab], [], (s) => ({
        event: s.event({ name: 'PutBucketPublicAccessBlock', source: 's3', resource: pab, actor: s.actors.terraform(), parameters: { bucketName: pab.resource_id } }),
        verb: `restored the public access block of ${pab.resource_id} with terraform apply`,
      })),
    }
  },
}

const modifyDb: Scenario = {
  name: 'modify-db-instance', weight: 2,
  apply(sim) {
    const targets = sim.candidates('aws_db_instance')
    if (!targets.length) return undefined
    const db = sim.rng.pick(targets)
    const ident = String(db.attributes.identifier)
    const [attr, value, param] = sim.rng.pick([
      ['instance_class', 'db.r6g.2xlarge', 'dBInstanceClass'],
      ['backup_retention_period', 0, 'backupRetentionPeriod'],
      ['publicly_accessible', true, 'publiclyAccessible'],
      ['deletion_protection', false, 'deletionProtection'],
    ] as const)
    if (db.attributes[attr] === value) return undefined
    sim.put(patch(db, { [attr]: value }))
    const actor = sim.actors.human(sim.rng.chance(0.5) ? 'console' : 'cli', 'rds', 'modify-db-instance')
    const event = sim.event({ name: 'ModifyDBInstance', source: 'rds', resource: db, actor, parameters: { dBInstanceIdentifier: ident, [param]: value, applyImmediately: true } })
    return {
      keys: [key(db)], event, summary: `${who(event)} set ${attr}=${value} on database ${ident}`,
      revert: restorer([db], [], (s) => ({
        event: s.event({ name: 'ModifyDBInstance', source: 'rds', resource: db, actor: s.actors.terraform(), parameters: { dBInstanceIdentifier: ident, [param]: db.attributes[attr], applyImmediately: true } }),
        verb: `restored ${attr} on ${ident} with terraform apply`,
      })),
    }
  },
}

const lambdaConfig: Scenario = {
  name: 'lambda-configuration', weight: 2,
  apply(sim) {
    const targets = sim.candidates('aws_lambda_function')
    if (!targets.length) return undefined
    const fn = sim.rng.pick(targets)
    const env = (fn.attributes.environment as Array<{ variables: Record<string, string> }>)[0]!
    const variables = { ...env.variables, LOG_LEVEL: 'debug' }
    const timeout = 900
    sim.put(patch(fn, { environment: [{ variables }], timeout }))
    const actor = sim.actors.human('cli', 'lambda', 'update-function-configuration')
    const event = sim.event({ name: 'UpdateFunctionConfiguration', source: 'lambda', resource: fn, actor, parameters: { functionName: fn.resource_id, timeout, environment: { variables } } })
    return {
      keys: [key(fn)], event, summary: `${who(event)} set LOG_LEVEL=debug and timeout=${timeout}s on function ${fn.resource_id}`,
      revert: restorer([fn], [], (s) => ({
        event: s.event({ name: 'UpdateFunctionConfiguration', source: 'lambda', resource: fn, actor: s.actors.terraform(), parameters: { functionName: fn.resource_id, timeout: fn.attributes.timeout, environment: fn.attributes.environment } }),
        verb: `restored the configuration of ${fn.resource_id} with terraform apply`,
      })),
    }
  },
}

const terminateInstance: Scenario = {
  name: 'terminate-managed-instance', weight: 1,
  apply(sim) {
    const targets = sim.candidates('aws_instance', (i) => i.attributes.disable_api_termination === false)
    if (!targets.length) return undefined
    const inst = sim.rng.pick(targets)
    sim.remove(key(inst))
    const actor = sim.actors.human('console', 'ec2', 'terminate-instances')
    const event = sim.event({ name: 'TerminateInstances', source: 'ec2', resource: inst, actor, parameters: { instancesSet: { items: [{ instanceId: inst.resource_id }] } } })
    return {
      keys: [key(inst)], event, summary: `${who(event)} terminated managed instance ${label(inst)}`,
      revert: restorer([inst], [], (s) => ({
        event: s.event({ name: 'RunInstances', source: 'ec2', resource: inst, actor: s.actors.terraform(), parameters: { instanceType: inst.attributes.instance_type, imageId: inst.attributes.ami, minCount: 1, maxCount: 1 } }),
        verb: `recreated ${label(inst)} with terraform apply`,
      })),
    }
  },
}

/** Every scenario with its relative frequency. */
export const SCENARIOS: Scenario[] = [openSsh, deleteBucket, unmanagedInstance, instanceType, tagEdit, attachPolicy, bucketPolicy, publicAccessBlock, modifyDb, lambdaConfig, terminateInstance]
