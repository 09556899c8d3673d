import type { NodeConfig } from '../plugin-api.ts'
import type { BusHistoryLimits } from '../bus/bus.ts'

/** The shape of `tfdrift.config.*`; validated against `schemas/config.schema.json`. */
export interface TfdriftConfig {
  server?: ServerConfig
  store?: StoreConfig
  bus?: BusConfig
  log?: { level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'; pretty?: boolean }
  /** Grace period for draining on shutdown, ms (default 10000). */
  shutdown_timeout_ms?: number
  /** Live engine figures on the `metrics` and `stats` topics. */
  metrics?: { /** Tick period, ms (default 2000; 0 = off). */ interval_ms?: number }
  /** Empty for a relay-only config, whose file may omit it (the loader fills in `{}`); `tfdrift run` needs at least one. */
  pipelines: Record<string, PipelineConfig>
}

/** What a config file may say: a relay-only config needs no `pipelines`. */
export type TfdriftConfigInput = Omit<TfdriftConfig, 'pipelines'> & { pipelines?: Record<string, PipelineConfig> }

export interface PipelineConfig {
  /** Tenant the pipeline's events belong to (default `default`). */
  tenant?: string
  discovery?: NodeConfig[]
  sources?: NodeConfig[]
  analysis?: NodeConfig[]
  remediation?: NodeConfig[]
  transports?: NodeConfig[]
}

export type Scope = 'read' | 'publish' | 'admin' | 'metrics'

export interface TokenConfig {
  token: string
  tenant: string
  scopes: Scope[]
  /** Shown in logs instead of the token. */
  name?: string
}

/** Schema: `schemas/server-config.schema.json`. */
export interface ServerConfig {
  port?: number
  host?: string
  auth?: {
    tokens?: TokenConfig[]
    jwt?: { algorithm: 'HS256' | 'RS256'; secret?: string; public_key?: string; issuer?: string; audience?: string; tenant_claim?: string; scopes_claim?: string }
    /** Tenant and scopes granted without a token (read-only demo setups). Never grants publish. */
    anonymous?: { tenant: string; scopes: Array<'read'> }
  }
  cors?: { origins?: string[] }
  limits?: {
    /** Per-connection outbound buffer in bytes before a slow client is closed (default 1 MiB). */
    max_buffer_bytes?: number
    max_payload_bytes?: number
    max_connections?: number
    max_connections_per_tenant?: number
    inbound_messages_per_second?: number
    idle_timeout_s?: number
    body_limit_bytes?: number
    max_header_bytes?: number
    max_subscriptions_per_connection?: number
    sse_keepalive_ms?: number
    sse_retry_ms?: number
    history_page_size?: number
  }
  history?: Partial<BusHistoryLimits>
}

export type StoreConfig = { kind: 'memory' } | { kind: 'sqlite'; path?: string }
export type BusConfig = ({ kind: 'memory' } | { kind: 'redis'; url: string; prefix?: string }) & { history?: Partial<BusHistoryLimits> }

/** Typed identity for `tfdrift.config.ts`. */
export function defineConfig(config: TfdriftConfigInput): TfdriftConfigInput {
  return config
}
