// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Receives Falco alerts (http_output or falcosidekick webhook bodies), turns CloudTrail/GCP-audit alerts into change events and the others into security alerts. */
export type Options = {
  /** Path of the HTTP ingress route Falco's http_output (or falcosidekick's webhook output) posts to. Default: `"/api/v1/falco/events"`. */
  path?: string
  /** What to do with alerts for calls that failed (`ct.error` set): `skip` them, or `flag` them (kept with `error_code`). Default: `"skip"`. */
  failed?: "skip" | "flag"
  /** What to do with alerts for read-only calls (`ct.readonly`, Describe…/Get…/List…): `skip` or `keep`. Default: `"skip"`. */
  read_only?: "skip" | "keep"
  /** Most received events waiting for the pipeline; a batch that does not fit is answered 503 so Falco retries. Default: `10000`. */
  queue_size?: number
  /** Largest accepted request body in bytes. Default: `1048576`. */
  body_limit?: number
  /** Publish Falco's other alerts (syscall, Kubernetes audit, internal — not cloud changes) on the `events` topic as `security.alert` events, secret-looking fields masked, counted as `alerts` in the answer. `false` skips them, counted as `skipped.not_cloud`. Default: `true`. */
  security_alerts?: boolean
}
