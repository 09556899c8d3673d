/**
 * A small AWS on loopback for the plugin's tests and bench: one HTTP server that speaks each service's real
 * wire protocol, so the real SDK v3 clients talk to it unchanged — EC2 Query (lowercase XML, NextToken),
 * IAM/STS Query (Marker/IsTruncated), S3 REST-XML, DynamoDB JSON 1.0, KMS JSON 1.1, Cloud Control JSON 1.0.
 * The service, region and account come from the SigV4 `Authorization` header (credential scope and
 * access key), as AWS routes them. Faults: throttling (400 codes or 429), AccessDenied, a failing region,
 * latency.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Tags = Record<string, string>
export interface Instance { id: string; type: string; ami: string; subnet: string; vpc: string; ip: string; state?: string; groups: string[]; tags: Tags; az: string }
export interface SecurityGroup { id: string; name: string; description: string; vpc: string; ingress: Array<{ protocol: string; from: number; to: number; cidrs: string[] }>; tags: Tags }
export interface Vpc { id: string; cidr: string; tags: Tags }
export interface Subnet { id: string; vpc: string; cidr: string; az: string; public: boolean; tags: Tags }
export interface Table { name: string; hash: string; range?: string; billing: 'PAY_PER_REQUEST' | 'PROVISIONED' }
export interface Key { id: string; description: string; manager?: 'AWS' | 'CUSTOMER'; enabled?: boolean }
export interface Alias { name: string; target: string }
export interface Role { name: string; path?: string; description?: string; policy: string }
export interface Bucket { name: string; region: string; tags?: Tags; versioning?: 'Enabled' | 'Suspended' }

export interface RegionWorld {
  instances: Instance[]; securityGroups: SecurityGroup[]; vpcs: Vpc[]; subnets: Subnet[]
  tables: Table[]; keys: Key[]; aliases: Alias[]
  /** Cloud Control objects by CloudFormation type: identifier and properties. */
  cloudcontrol: Record<string, Array<{ id: string; props: Record<string, unknown> }>>
}
export interface AccountWorld {
  roles: Role[]; policies: Array<{ name: string; path?: string }>; users: string[]; buckets: Bucket[]
  regions: Record<string, RegionWorld>
}
export interface Faults {
  /** `service:Action` (or `service`) → how many of its next requests are throttled. */
  throttle?: Record<string, number>
  /** Status of throttling answers: 400 with the service's code (default) or 429. */
  throttleStatus?: 400 | 429
  /** `service` or `service:Action` answered AccessDenied. */
  deny?: string[]
  /** Regions whose every request fails with 500 InternalError. */
  failRegions?: string[]
  /** Delay before each answer, ms. */
  latencyMs?: number
  /**
   * Page size of list calls (default 50), never above the request's MaxResults / MaxItems / Limit nor the
   * operation's documented maximum (`PAGE_LIMITS`): 1000 serves pages as large as AWS does.
   */
  pageSize?: number
  /**
   * Cloud Control list answers for every type: whole models, primary identifiers only, or a summary (every
   * property but the last). Default: whole models for `FULL_LIST_MODELS`, identifiers for the rest.
   */
  listModel?: 'full' | 'primary' | 'partial'
}

/**
 * Cloud Control types whose list handler returns whole models, tags included, as their handler sources show
 * (aws-cloudformation-resource-providers-logs: the LogGroup ListHandler translates every described group with
 * its tags). Most handlers list primary identifiers only (ECR repositories, SSM parameters, SNS topics…).
 */
export const FULL_LIST_MODELS = new Set(['AWS::Logs::LogGroup'])

/** Largest page each list operation returns, as AWS documents it (the request may ask for fewer). */
export const PAGE_LIMITS: Record<string, number> = {
  'ec2:DescribeInstances': 1000, 'ec2:DescribeSecurityGroups': 1000, 'ec2:DescribeVpcs': 1000, 'ec2:DescribeSubnets': 1000,
  'iam:ListRoles': 1000, 'iam:ListPolicies': 1000, 'iam:ListUsers': 1000, 'iam:ListGroups': 1000, 'iam:ListInstanceProfiles': 1000,
  's3:ListBuckets': 10_000, 'dynamodb:ListTables': 100, 'kms:ListKeys': 1000, 'kms:ListAliases': 100, 'cloudcontrolapi:ListResources': 100,
}

export const emptyRegion = (): RegionWorld => ({ instances: [], securityGroups: [], vpcs: [], subnets: [], tables: [], keys: [], aliases: [], cloudcontrol: {} })
export const emptyAccount = (regions: string[]): AccountWorld => ({ roles: [], policies: [], users: [], buckets: [], regions: Object.fromEntries(regions.map((r) => [r, emptyRegion()])) })

const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const el = (name: string, value: unknown) => (value === undefined ? '' : `<${name}>${typeof value === 'string' && value.startsWith('<') ? value : esc(value)}</${name}>`)
const raw = (name: string, inner: string) => `<${name}>${inner}</${name}>`
const items = <T>(wrapper: string, tag: string, list: T[], fn: (x: T) => string) => raw(wrapper, list.map((x) => raw(tag, fn(x))).join(''))
const ec2Tags = (tags: Tags) => items('tagSet', 'item', Object.entries(tags), ([k, v]) => el('key', k) + el('value', v))

/** The fake AWS. `calls` counts requests by `service:Action`. */
export class FakeAws {
  readonly calls: Record<string, number> = {}
  requests = 0
  faults: Faults = {}
  private server?: Server
  private seq = 0
  /** The documented page maximum of the operation being answered (set per request, used synchronously). */
  private limit: number | undefined

  constructor(readonly world: Record<string, AccountWorld>, readonly keys: Record<string, string> = { AKIDTEST: Object.keys(world)[0]! }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => { void this.handle(req, res) })
    // As AWS's endpoints (and their load balancers) do, idle connections stay open for reuse: a short timeout
    // (1 s makes Node send `Keep-Alive: timeout=1`, which its Agent reads as "do not reuse") would turn every
    // request into a new TCP connection and bill the connect/close to the client.
    this.server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    this.requests++
    const auth = String(req.headers.authorization ?? '')
    const m = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(auth)
    const [key, region, service] = m ? [m[1]!, m[2]!, m[3]!] : ['', 'us-east-1', '']
    const account = this.keys[key] ?? (key.startsWith('ASIA') ? key.slice(4) : undefined)
    const url = new URL(req.url ?? '/', 'http://x')
    const target = String(req.headers['x-amz-target'] ?? '')
    const form = new URLSearchParams(req.headers['content-type']?.includes('x-www-form-urlencoded') ? body : '')
    const action = target ? target.split('.').pop()! : form.get('Action') ?? s3Action(req.method ?? 'GET', url)
    const name = `${service}:${action}`
    this.calls[name] = (this.calls[name] ?? 0) + 1
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs))
    const proto: Proto = target ? 'json' : service === 's3' ? 's3' : service === 'ec2' ? 'ec2' : 'query'
    const reply = new Reply(res, proto, service, action, ++this.seq)
    this.limit = PAGE_LIMITS[name]
    if (!account) return reply.error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')
    if (this.faults.failRegions?.includes(region) && service !== 'sts') return reply.error(500, 'InternalError', 'An internal error occurred.')
    for (const k of [name, service]) {
      const left = this.faults.throttle?.[k]
      if (left) {
        this.faults.throttle![k] = left - 1
        if (this.faults.throttleStatus === 429) return reply.error(429, 'TooManyRequestsException', 'Rate exceeded')
        const code = proto === 'ec2' ? 'RequestLimitExceeded' : proto === 's3' ? 'SlowDown' : proto === 'json' ? 'ThrottlingException' : 'Throttling'
        return reply.error(proto === 's3' ? 503 : 400, code, 'Rate exceeded')
      }
    }
    if (this.faults.deny?.some((d) => d === service || d === name)) {
      return reply.error(proto === 's3' ? 403 : 400, proto === 'ec2' ? 'UnauthorizedOperation' : proto === 'json' ? 'AccessDeniedException' : 'AccessDenied', `User is not authorized to perform: ${service}:${action}`)
    }
    const acct = this.world[account]
    if (!acct) return reply.error(403, 'AccessDenied', `No such account ${account}.`)
    const rw = acct.regions[region] ?? emptyRegion()
    const params = target ? (JSON.parse(body || '{}') as Record<string, any>) : Object.fromEntries(form)
    try {
      switch (service) {
        case 'sts': return this.sts(reply, action, account, params)
        case 'ec2': return this.ec2(reply, action, region, account, rw, params)
        case 'iam': return this.iam(reply, action, account, acct, params)
        case 's3': return this.s3(reply, action, url, region, acct)
        case 'dynamodb': return this.dynamodb(reply, action, region, account, rw, params)
        case 'kms': return this.kms(reply, action, region, account, rw, params)
        case 'cloudcontrolapi': return this.cloudcontrol(reply, action, rw, params)
      }
      reply.error(400, 'UnknownOperationException', `${name} is not served by the fake.`)
    } catch (error) {
      reply.error(500, 'InternalError', (error as Error).message)
    }
  }

  private page<T>(list: T[], token: string | undefined, max: number | undefined): { slice: T[]; next?: string } {
    const start = token ? Number(token) : 0
    const size = Math.min(this.faults.pageSize ?? 50, max ?? Infinity, this.limit ?? Infinity)
    const slice = list.slice(start, start + size)
    return { slice, next: start + size < list.length ? String(start + size) : undefined }
  }

  private sts(reply: Reply, action: string, account: string, p: Record<string, string>) {
    if (action === 'GetCallerIdentity') {
      return reply.xml('GetCallerIdentity', el('Arn', `arn:aws:iam::${account}:user/tfdrift`) + el('UserId', 'AIDATEST') + el('Account', account))
    }
    if (action === 'AssumeRole') {
      const target = /^arn:aws:iam::(\d{12}):role\//.exec(p.RoleArn ?? '')?.[1]
      if (!target || !this.world[target]) return reply.error(403, 'AccessDenied', `Not authorized to assume ${p.RoleArn}.`)
      return reply.xml('AssumeRole', raw('Credentials', el('AccessKeyId', `ASIA${target}`) + el('SecretAccessKey', 'secret') + el('SessionToken', 'token') + el('Expiration', new Date(Date.now() + 3600_000).toISOString()))
        + raw('AssumedRoleUser', el('AssumedRoleId', `AROATEST:${p.RoleSessionName}`) + el('Arn', `arn:aws:sts::${target}:assumed-role/x/${p.RoleSessionName}`)))
    }
    reply.error(400, 'InvalidAction', action)
  }

  private ec2(reply: Reply, action: string, region: string, account: string, rw: RegionWorld, p: Record<string, string>) {
    const max = p.MaxResults ? Number(p.MaxResults) : undefined
    const next = (n?: string) => el('nextToken', n)
    if (action === 'DescribeInstances') {
      const { slice, next: n } = this.page(rw.instances, p.NextToken, max)
      return reply.xml(action, items('reservationSet', 'item', slice, (i) => el('reservationId', `r-${i.id.slice(2)}`) + el('ownerId', account) + items('instancesSet', 'item', [i], () =>
        el('instanceId', i.id) + el('imageId', i.ami) + raw('instanceState', el('code', 16) + el('name', i.state ?? 'running')) + el('instanceType', i.type)
        + raw('placement', el('availabilityZone', i.az) + el('tenancy', 'default')) + el('subnetId', i.subnet) + el('vpcId', i.vpc) + el('privateIpAddress', i.ip)
        + raw('monitoring', el('state', 'disabled')) + el('ebsOptimized', false)
        + items('groupSet', 'item', i.groups, (g) => el('groupId', g) + el('groupName', g)) + ec2Tags(i.tags))) + next(n))
    }
    if (action === 'DescribeSecurityGroups') {
      const { slice, next: n } = this.page(rw.securityGroups, p.NextToken, max)
      return reply.xml(action, items('securityGroupInfo', 'item', slice, (g) => el('ownerId', account) + el('groupId', g.id) + el('groupName', g.name) + el('groupDescription', g.description) + el('vpcId', g.vpc)
        + items('ipPermissions', 'item', g.ingress, (r) => el('ipProtocol', r.protocol) + el('fromPort', r.from) + el('toPort', r.to) + items('ipRanges', 'item', r.cidrs, (c) => el('cidrIp', c)))
        + items('ipPermissionsEgress', 'item', [{}], () => el('ipProtocol', '-1') + items('ipRanges', 'item', ['0.0.0.0/0'], (c) => el('cidrIp', c)))
        + ec2Tags(g.tags)) + next(n))
    }
    if (action === 'DescribeVpcs') {
      const { slice, next: n } = this.page(rw.vpcs, p.NextToken, max)
      return reply.xml(action, items('vpcSet', 'item', slice, (v) => el('vpcId', v.id) + el('ownerId', account) + el('state', 'available') + el('cidrBlock', v.cidr)
        + el('dhcpOptionsId', 'dopt-1') + el('instanceTenancy', 'default') + el('isDefault', false) + ec2Tags(v.tags)) + next(n))
    }
    if (action === 'DescribeSubnets') {
      const { slice, next: n } = this.page(rw.subnets, p.NextToken, max)
      return reply.xml(action, items('subnetSet', 'item', slice, (s) => el('subnetId', s.id) + el('subnetArn', `arn:aws:ec2:${region}:${account}:subnet/${s.id}`) + el('state', 'available')
        + el('vpcId', s.vpc) + el('cidrBlock', s.cidr) + el('availabilityZone', s.az) + el('availabilityZoneId', `use1-az1`) + el('mapPublicIpOnLaunch', s.public)
        + el('ownerId', account) + ec2Tags(s.tags)) + next(n))
    }
    reply.error(400, 'InvalidAction', action)
  }

  private iam(reply: Reply, action: string, account: string, acct: AccountWorld, p: Record<string, string>) {
    const max = p.MaxItems ? Number(p.MaxItems) : undefined
    const page = <T>(list: T[], wrapper: string, fn: (x: T) => string) => {
      const { slice, next } = this.page(list, p.Marker, max)
      return reply.xml(action, items(wrapper, 'member', slice, fn) + el('IsTruncated', Boolean(next)) + el('Marker', next))
    }
    const created = el('CreateDate', '2024-01-02T03:04:05Z')
    if (action === 'ListRoles') return page(acct.roles, 'Roles', (r) => el('Path', r.path ?? '/') + el('RoleName', r.name) + el('RoleId', `AROA${r.name.toUpperCase()}`)
      + el('Arn', `arn:aws:iam::${account}:role${r.path ?? '/'}${r.name}`) + created + el('AssumeRolePolicyDocument', encodeURIComponent(r.policy)) + el('Description', r.description) + el('MaxSessionDuration', 3600))
    if (action === 'ListPolicies') return page(acct.policies, 'Policies', (x) => el('PolicyName', x.name) + el('PolicyId', `ANPA${x.name.toUpperCase()}`) + el('Arn', `arn:aws:iam::${account}:policy${x.path ?? '/'}${x.name}`)
      + el('Path', x.path ?? '/') + el('DefaultVersionId', 'v1') + el('AttachmentCount', 0) + el('IsAttachable', true) + created + el('UpdateDate', '2024-01-02T03:04:05Z'))
    if (action === 'ListUsers') return page(acct.users, 'Users', (u) => el('Path', '/') + el('UserName', u) + el('UserId', `AIDA${u.toUpperCase()}`) + el('Arn', `arn:aws:iam::${account}:user/${u}`) + created)
    if (action === 'ListGroups') return page([], 'Groups', () => '')
    if (action === 'ListInstanceProfiles') return page([], 'InstanceProfiles', () => '')
    reply.error(400, 'InvalidAction', action)
  }

  private s3(reply: Reply, action: string, url: URL, region: string, acct: AccountWorld) {
    if (action === 'ListBuckets') {
      const { slice, next } = this.page(acct.buckets, url.searchParams.get('continuation-token') ?? undefined, Number(url.searchParams.get('max-buckets') ?? '') || undefined)
      return reply.send(200, `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${raw('Owner', el('ID', 'owner') + el('DisplayName', 'owner'))}`
        + items('Buckets', 'Bucket', slice, (b) => el('Name', b.name) + el('CreationDate', '2024-01-02T03:04:05.000Z') + el('BucketRegion', b.region)) + el('ContinuationToken', next) + '</ListAllMyBucketsResult>')
    }
    const bucket = acct.buckets.find((b) => b.name === decodeURIComponent(url.pathname.split('/')[1] ?? ''))
    if (!bucket) return reply.error(404, 'NoSuchBucket', 'The specified bucket does not exist')
    if (bucket.region !== region) return reply.error(301, 'PermanentRedirect', 'The bucket is in another region.')
    if (action === 'GetBucketTagging') {
      if (!bucket.tags) return reply.error(404, 'NoSuchTagSet', 'The TagSet does not exist')
      return reply.send(200, `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items('TagSet', 'Tag', Object.entries(bucket.tags), ([k, v]) => el('Key', k) + el('Value', v))}</Tagging>`)
    }
    if (action === 'GetBucketVersioning') {
      return reply.send(200, `<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${el('Status', bucket.versioning)}</VersioningConfiguration>`)
    }
    reply.error(400, 'NotImplemented', action)
  }

  private dynamodb(reply: Reply, action: string, region: string, account: string, rw: RegionWorld, p: Record<string, any>) {
    if (action === 'ListTables') {
      const names = rw.tables.map((t) => t.name).sort()
      const start = p.ExclusiveStartTableName ? names.indexOf(p.ExclusiveStartTableName) + 1 : 0
      const { slice, next } = this.page(names, String(start), p.Limit)
      return reply.json({ TableNames: slice, ...(next ? { LastEvaluatedTableName: slice[slice.length - 1] } : {}) })
    }
    if (action === 'DescribeTable') {
      const t = rw.tables.find((x) => x.name === p.TableName)
      if (!t) return reply.error(400, 'ResourceNotFoundException', `Requested resource not found: Table: ${p.TableName} not found`)
      const keys = [{ AttributeName: t.hash, KeyType: 'HASH' }, ...(t.range ? [{ AttributeName: t.range, KeyType: 'RANGE' }] : [])]
      return reply.json({ Table: {
        TableName: t.name, TableArn: `arn:aws:dynamodb:${region}:${account}:table/${t.name}`, TableStatus: 'ACTIVE', CreationDateTime: 1704164645.0,
        KeySchema: keys, AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })),
        BillingModeSummary: { BillingMode: t.billing }, ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
        ItemCount: 0, TableSizeBytes: 0, DeletionProtectionEnabled: false,
      } })
    }
    reply.error(400, 'UnknownOperationException', action)
  }

  private kms(reply: Reply, action: string, region: string, account: string, rw: RegionWorld, p: Record<string, any>) {
    if (action === 'ListKeys') {
      const { slice, next } = this.page(rw.keys, p.Marker, p.Limit)
      return reply.json({ Keys: slice.map((k) => ({ KeyId: k.id, KeyArn: `arn:aws:kms:${region}:${account}:key/${k.id}` })), Truncated: Boolean(next), ...(next ? { NextMarker: next } : {}) })
    }
    if (action === 'DescribeKey') {
      const k = rw.keys.find((x) => x.id === p.KeyId)
      if (!k) return reply.error(400, 'NotFoundException', `Key '${p.KeyId}' does not exist`)
      return reply.json({ KeyMetadata: {
        AWSAccountId: account, KeyId: k.id, Arn: `arn:aws:kms:${region}:${account}:key/${k.id}`, CreationDate: 1704164645.0, Enabled: k.enabled ?? true,
        Description: k.description, KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled', Origin: 'AWS_KMS', KeyManager: k.manager ?? 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', KeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
      } })
    }
    if (action === 'ListAliases') {
      const { slice, next } = this.page(rw.aliases, p.Marker, p.Limit)
      return reply.json({ Aliases: slice.map((a) => ({ AliasName: a.name, AliasArn: `arn:aws:kms:${region}:${account}:${a.name}`, TargetKeyId: a.target })), Truncated: Boolean(next), ...(next ? { NextMarker: next } : {}) })
    }
    reply.error(400, 'UnsupportedOperationException', action)
  }

  private cloudcontrol(reply: Reply, action: string, rw: RegionWorld, p: Record<string, any>) {
    const list = rw.cloudcontrol[p.TypeName] ?? []
    if (action === 'ListResources') {
      const { slice, next } = this.page(list, p.NextToken, p.MaxResults)
      const mode = this.faults.listModel ?? (FULL_LIST_MODELS.has(p.TypeName) ? 'full' : 'primary')
      const model = (r: { id: string; props: Record<string, unknown> }) => mode === 'full' ? r.props : mode === 'partial' ? Object.fromEntries(Object.entries(r.props).slice(0, -1)) : primary(r)
      return reply.json({ TypeName: p.TypeName, ResourceDescriptions: slice.map((r) => ({ Identifier: r.id, Properties: JSON.stringify(model(r)) })), ...(next ? { NextToken: next } : {}) })
    }
    if (action === 'GetResource') {
      const r = list.find((x) => x.id === p.Identifier)
      if (!r) return reply.error(400, 'ResourceNotFoundException', `Resource of type '${p.TypeName}' with identifier '${p.Identifier}' was not found.`)
      return reply.json({ TypeName: p.TypeName, ResourceDescription: { Identifier: r.id, Properties: JSON.stringify(r.props) } })
    }
    reply.error(400, 'UnsupportedActionException', action)
  }
}

function primary(r: { id: string; props: Record<string, unknown> }): Record<string, unknown> {
  const entry = Object.entries(r.props).find(([, v]) => v === r.id)
  return entry ? { [entry[0]]: entry[1] } : {}
}

function s3Action(method: string, url: URL): string {
  if (url.pathname === '/' || url.pathname === '') return 'ListBuckets'
  if (url.searchParams.has('versioning')) return 'GetBucketVersioning'
  if (url.searchParams.has('tagging')) return 'GetBucketTagging'
  return `${method}Object`
}

type Proto = 'ec2' | 'query' | 's3' | 'json'

class Reply {
  constructor(private readonly res: ServerResponse, private readonly proto: Proto, private readonly service: string, private readonly action: string, private readonly id: number) {}

  send(status: number, body: string, type = 'text/xml'): void {
    this.res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': `req-${this.id}`, 'x-amz-request-id': `req-${this.id}`, 'content-length': Buffer.byteLength(body) })
    this.res.end(body)
  }

  /** A Query-protocol answer: `<ActionResponse><ActionResult>…` (EC2 has no Result wrapper). */
  xml(action: string, inner: string): void {
    if (this.proto === 'ec2') return this.send(200, `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-${this.id}</requestId>${inner}</${action}Response>`)
    const ns = this.service === 'sts' ? 'https://sts.amazonaws.com/doc/2011-06-15/' : 'https://iam.amazonaws.com/doc/2010-05-08/'
    this.send(200, `<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>req-${this.id}</RequestId></ResponseMetadata></${action}Response>`)
  }

  json(body: unknown): void {
    this.send(200, JSON.stringify(body), this.service === 'kms' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0')
  }

  error(status: number, code: string, message: string): void {
    if (this.proto === 'json') {
      this.res.setHeader('x-amzn-errortype', code)
      return this.send(status, JSON.stringify({ __type: code, message }), 'application/x-amz-json-1.0')
    }
    if (this.proto === 'ec2') return this.send(status, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>req-${this.id}</RequestID></Response>`)
    if (this.proto === 's3') return this.send(status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${esc(message)}</Message><RequestId>req-${this.id}</RequestId></Error>`)
    this.send(status, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>req-${this.id}</RequestId></ErrorResponse>`)
  }
}
