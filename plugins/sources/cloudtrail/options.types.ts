// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Turns raw AWS CloudTrail records (log files or pushed records) into change events. */
export type Options = {
  /** CloudTrail log files or globs to read at start (a directory means every .json/.json.gz below it): `{"Records":[…]}` files (.json or .json.gz), single records, or arrays. Default: `[]`. */
  paths?: string[]
  /** Re-scan `paths` this often for new log files (e.g. a folder kept in sync with `aws s3 sync`): milliseconds or a duration such as "5m". 0 = read once at start. Default: `0`. */
  poll?: number | string
  /** Register an HTTP route that accepts pushed records (needs a token with the publish scope). Default: `true`. */
  ingress?: boolean
  /** Path of the HTTP ingress route. Default: `"/api/v1/cloudtrail/events"`. */
  path?: string
  /** What to do with calls that failed (`errorCode` set): `skip` them, or `flag` them (kept with `error_code`). Default: `"skip"`. */
  failed?: "skip" | "flag"
  /** What to do with read-only calls (`readOnly: true`, Describe…/Get…/List…): `skip` or `keep`. Default: `"skip"`. */
  read_only?: "skip" | "keep"
  /** Most pushed events waiting for the pipeline; a batch that does not fit is answered 503 so the sender retries. Default: `10000`. */
  queue_size?: number
  /** Largest accepted request body in bytes. Default: `5242880`. */
  body_limit?: number
}
