/**
 * SDK v3 clients per (account, region, service), created on first use. Credentials come from the default
 * chain (env, profile, SSO, web identity, IMDS…); another account's from STS AssumeRole on top of it.
 * Every client: adaptive retry (client-side rate limiting that backs off on throttling), a request counter.
 */
import { CloudControlClient } from '@aws-sdk/client-cloudcontrol'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { EC2Client } from '@aws-sdk/client-ec2'
import { IAMClient } from '@aws-sdk/client-iam'
import { KMSClient } from '@aws-sdk/client-kms'
import { S3Client } from '@aws-sdk/client-s3'
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsAccount } from './options.ts'
import type { CallStats } from './calls.ts'

const CONSTRUCTORS = {
  ec2: EC2Client, iam: IAMClient, s3: S3Client, dynamodb: DynamoDBClient, kms: KMSClient, cloudcontrol: CloudControlClient, sts: STSClient,
}
export type Service = keyof typeof CONSTRUCTORS
export type ClientOf<S extends Service> = InstanceType<(typeof CONSTRUCTORS)[S]>

interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }
type CredentialProvider = () => Promise<Credentials>

export interface ClientSettings {
  endpoint?: string
  maxAttempts: number
  stats: CallStats
}

/** The clients of one account. */
type Handler = (command: unknown) => Promise<{ output: unknown }>
interface Resolvable { resolveMiddleware(stack: unknown, config: unknown, options: unknown): Handler }

export class AccountClients {
  private readonly cache = new Map<string, unknown>()
  /** Resolved middleware handlers per client and command class (with the abort signal they were built for). */
  private readonly handlers = new WeakMap<object, Map<unknown, { signal?: AbortSignal; handler: Handler }>>()

  constructor(readonly settings: ClientSettings, private readonly credentials?: CredentialProvider) {}

  get<S extends Service>(service: S, region: string): ClientOf<S> {
    const key = `${service}:${region}`
    let client = this.cache.get(key) as ClientOf<S> | undefined
    if (!client) {
      const Ctor = CONSTRUCTORS[service] as unknown as new (config: Record<string, unknown>) => ClientOf<S>
      client = new Ctor({
        region,
        maxAttempts: this.settings.maxAttempts,
        retryMode: 'adaptive',
        ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
        ...(this.credentials ? { credentials: this.credentials } : {}),
        ...(service === 's3' ? { forcePathStyle: Boolean(this.settings.endpoint), followRegionRedirects: true } : {}),
      })
      const stats = this.settings.stats
      // The deserialize step runs once per attempt (retries happen above it): it counts HTTP requests.
      ;(client as unknown as { middlewareStack: { add(mw: unknown, opts: unknown): void } }).middlewareStack.add(
        (next: (args: unknown) => Promise<unknown>) => (args: unknown) => { stats.requests++; return next(args) },
        { step: 'deserialize', name: 'tfdriftRequestCounter' },
      )
      this.cache.set(key, client)
    }
    return client
  }

  /**
   * Sends `command` as `client.send(command, { abortSignal })` does, but resolves the middleware stack once per
   * (client, command class, signal) instead of on every call — what the SDK's own `cacheMiddleware` does, which
   * it only allows without per-call options. Resolving the stack was ~5% of a scan's CPU. S3 keeps the plain
   * path: its endpoint (bucket, redirected region) depends on each call's input.
   */
  send<S extends Service, O>(service: S, region: string, command: unknown, signal?: AbortSignal): Promise<O> {
    const client = this.get(service, region) as unknown as { send(c: unknown, o?: unknown): Promise<O>; middlewareStack: unknown; config: unknown }
    const options = signal ? { abortSignal: signal } : undefined
    if (service === 's3') return client.send(command, options)
    let byCommand = this.handlers.get(client)
    if (!byCommand) this.handlers.set(client, (byCommand = new Map()))
    const ctor = (command as { constructor: unknown }).constructor
    let entry = byCommand.get(ctor)
    if (!entry || entry.signal !== signal) {
      entry = { signal, handler: (command as Resolvable).resolveMiddleware(client.middlewareStack, client.config, options) }
      byCommand.set(ctor, entry)
    }
    return entry.handler(command).then((result) => result.output as O)
  }

  /** The account id these credentials act in. */
  async accountId(region: string): Promise<string> {
    const out = await this.get('sts', region).send(new GetCallerIdentityCommand({}))
    if (!out.Account) throw new Error('STS GetCallerIdentity returned no account.')
    return out.Account
  }

  /** Clients for another account: AssumeRole with these credentials, refreshed 5 minutes before expiry. */
  assume(account: AwsAccount, region: string): AccountClients {
    let current: Credentials | undefined
    const provider: CredentialProvider = async () => {
      if (current && (!current.expiration || current.expiration.getTime() - Date.now() > 300_000)) return current
      const out = await this.get('sts', region).send(new AssumeRoleCommand({
        RoleArn: account.role_arn, RoleSessionName: account.session_name ?? 'tfdrift', ...(account.external_id ? { ExternalId: account.external_id } : {}),
      }))
      const c = out.Credentials
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS AssumeRole ${account.role_arn} returned no credentials.`)
      current = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration }
      return current
    }
    return new AccountClients(this.settings, provider)
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy(): void }).destroy()
    this.cache.clear()
  }
}
