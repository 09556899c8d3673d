// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** POSTs events as JSON to an HTTP endpoint, signed with HMAC-SHA256, at least once, resuming after restarts from a stored checkpoint. The shared delivery options (route, batch_size, concurrency, max_attempts, retry, start_from) are added by the engine. */
export type Options = {
  /** Endpoint to POST to (http or https). */
  url: string
  /** HMAC-SHA256 key: each request carries X-Tfdrift-Signature: sha256=<hex of HMAC(secret, timestamp + '.' + body)> and X-Tfdrift-Timestamp. Never logged; take it from the environment (${WEBHOOK_SECRET}). */
  secret?: string
  /** Extra request headers (e.g. an Authorization for the receiver). They cannot replace the signature, timestamp, id or content-type headers. Default: `{}`. */
  headers?: Record<string, string>
  /** How long one request may take before it counts as failed and is retried. Default: `10000`. */
  timeout_ms?: number
}
