/** The people and automation that make out-of-band changes in the demo account, shaped like CloudTrail identities. */
import type { Actor } from 'tfdrift'
import type { Rng } from './rng.ts'

export type Channel = 'console' | 'cli' | 'terraform'

interface Person {
  login: string
  /** `sso` = IAM Identity Center assumed role; `iam` = long-lived IAM user with access keys. */
  kind: 'sso' | 'iam'
  ip: string
}

const PEOPLE: Person[] = [
  { login: 'alice.nguyen', kind: 'sso', ip: '203.0.113.24' },
  { login: 'bob.kowalski', kind: 'iam', ip: '198.51.100.77' },
  { login: 'carla.mendes', kind: 'sso', ip: '203.0.113.61' },
  { login: 'deepak.rao', kind: 'sso', ip: '192.0.2.145' },
  { login: 'erin.oconnor', kind: 'iam', ip: '198.51.100.12' },
  { login: 'farid.haddad', kind: 'sso', ip: '203.0.113.190' },
  { login: 'grace.liu', kind: 'sso', ip: '192.0.2.33' },
]

const TERRAFORM_UA = 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64'
const S3_CONSOLE_UA = '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.224-190.876.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]'

/** Builds actors for one account; the SSO permission-set role suffix is fixed per account like in real AWS. */
export class ActorPool {
  private readonly ssoRole: string
  constructor(private readonly rng: Rng, private readonly account: string) {
    this.ssoRole = `AWSReservedSSO_AdministratorAccess_${rng.hex(16)}`
  }

  /**
   * Someone making a change by hand: the console or the CLI, from their own IP. `service` is the
   * CloudTrail event source prefix (`ec2`, `s3`, `iam`…); `cliCommand` is the CLI verb shown in the user agent.
   */
  human(channel: 'console' | 'cli', service: string, cliCommand: string): Actor {
    const p = this.rng.pick(PEOPLE)
    const identity = p.kind === 'sso'
      ? { user: `${p.login}@acme.example`, arn: `arn:aws:sts::${this.account}:assumed-role/${this.ssoRole}/${p.login}@acme.example` }
      : { user: p.login, arn: `arn:aws:iam::${this.account}:user/${p.login}` }
    const userAgent = channel === 'cli'
      ? `aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#${service}.${cliCommand}`
      : service === 's3' ? S3_CONSOLE_UA : service === 'ec2' ? 'console.ec2.amazonaws.com' : 'console.amazonaws.com'
    return { ...identity, account_id: this.account, source_ip: p.ip, user_agent: userAgent }
  }

  /** The CI pipeline running `terraform apply` (how drift usually gets reverted). */
  terraform(): Actor {
    return {
      user: 'GitHubActions',
      arn: `arn:aws:sts::${this.account}:assumed-role/terraform-ci/GitHubActions`,
      account_id: this.account,
      source_ip: `20.${this.rng.int(25, 120)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`,
      user_agent: TERRAFORM_UA,
    }
  }
}
