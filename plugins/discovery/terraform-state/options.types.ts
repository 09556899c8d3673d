// Generated from options.schema.json by `npm run docs`; do not edit by hand.

export type S3 = {
  /** Bucket name. */
  bucket: string
  /** Object key of one state. */
  key?: string
  /** Read every object under this prefix whose key ends with `suffix`. */
  prefix?: string
  /** Key suffix of state objects under `prefix`. Default: `".tfstate"`. */
  suffix?: string
  /** Bucket region; defaults to AWS_REGION / AWS_DEFAULT_REGION, then us-east-1. */
  region?: string
  /** S3-compatible endpoint (MinIO, Ceph, LocalStack). */
  endpoint?: string
  /** Use path-style URLs (needed by most S3-compatible servers). Default: `false`. */
  force_path_style?: boolean
  /** Static access key; without it the AWS default credential chain is used (env, profile, SSO, instance role). */
  access_key_id?: string
  /** Static secret key (use `${AWS_SECRET_ACCESS_KEY}` interpolation; never logged). */
  secret_access_key?: string
  /** Session token for temporary credentials. */
  session_token?: string
}

export type Http = {
  /** State URL. */
  address: string
  /** Basic-auth user (GitLab: your username or `gitlab-ci-token`). */
  username?: string
  /** Basic-auth password (GitLab: a token with read_api). Never logged. */
  password?: string
  /** Extra request headers; values are never logged. */
  headers?: Record<string, string>
}

export type Tfc = {
  /** API token (user, team or organization); never logged. */
  token: string
  /** HCP Terraform or your Terraform Enterprise URL. Default: `"https://app.terraform.io"`. */
  address?: string
  /** Workspace id. */
  workspace_id?: string
  /** Organization name (with `workspace`). */
  organization?: string
  /** Workspace name (with `organization`). */
  workspace?: string
}

/** Reads Terraform state (v4, legacy v3) from local files, S3, an HTTP backend or HCP Terraform / Terraform Enterprise, and emits one snapshot per state; refreshes periodically and re-emits only when a state's serial or lineage changed. */
export type Options = {
  /** State files, directories (every *.tfstate below, .terraform/ skipped) and globs, relative to the working directory. Globs are re-expanded on every refresh, so new states are picked up. */
  paths?: string[]
  /** States in S3 (Terraform's s3 backend): one object, or every state under a prefix (workspaces: `env:/`). One source or a list. */
  s3?: S3 | S3[]
  /** States behind an HTTP GET (Terraform's http backend, GitLab managed state). One source or a list. */
  http?: Http | Http[]
  /** HCP Terraform / Terraform Enterprise workspaces (current state version). One source or a list. */
  tfc?: Tfc | Tfc[]
  /** How often to re-read every source: a duration (`30s`, `5m`, `1h`) or milliseconds; 0 reads once. A snapshot is re-emitted only when the state's serial or lineage changed (or, for documents without them, when the content changed). Default: `"5m"`. */
  refresh?: string | number
  /** `expected`: the states Terraform manages (the usual; a plan JSON gives its pre-refresh side). `observed`: refreshed states (`terraform apply -refresh-only`), plan JSON (its refreshed side) or tfdrift snapshot JSON standing for the live side. Default: `"expected"`. */
  role?: "expected" | "observed"
  /** How many sources are fetched at the same time. Default: `4`. */
  concurrency?: number
  /** Per-request timeout for remote sources, a duration or milliseconds. Default: `"30s"`. */
  timeout?: string | number
}
