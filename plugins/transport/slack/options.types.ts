// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Posts drifts to Slack as Block Kit digests, through an incoming webhook or chat.postMessage with a bot token, at least once, resuming from a stored checkpoint. Give webhook_url, or token and channel. The shared delivery options (route, batch_size, concurrency, max_attempts, retry, start_from) are added by the engine. */
export type Options = {
  /** Incoming webhook URL (it names its channel). Never logged; take it from the environment. */
  webhook_url?: string
  /** Bot token (xoxb-…) for chat.postMessage; needs the chat:write scope. Never logged. */
  token?: string
  /** Channel id or name chat.postMessage posts to (with token). */
  channel?: string
  /** Base URL of the Slack Web API (change it only for a proxy or a test double). Default: `"https://slack.com/api"`. */
  api_url?: string
  /** Public URL of the tfdrift dashboard, for the links in messages; without it messages carry no link. Default: `"http://localhost:8080"`. */
  dashboard_url?: string
  /** Events shown in detail in one digest; the rest are counted by severity. Default: `10`. */
  max_items?: number
  /** Least time between two messages of this transport (Slack allows about 1 message per second per channel); events arriving meanwhile join the next digest. Default: `1000`. */
  min_interval_ms?: number
  /** How long one request may take before it counts as failed and is retried. Default: `10000`. */
  timeout_ms?: number
}
