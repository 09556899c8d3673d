// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Appends events to a file as NDJSON (one envelope per line), rotated by size, at least once, resuming from a stored checkpoint. The shared delivery options (route, batch_size, concurrency, max_attempts, retry, start_from) are added by the engine. */
export type Options = {
  /** File to append to (relative paths from the working directory); its folder is created. Default: `".tfdrift/events.ndjson"`. */
  path?: string
  /** Size after which the file is rotated: `events.ndjson` becomes `events.ndjson.1`, `.1` becomes `.2`, and so on. Default: `10485760`. */
  max_bytes?: number
  /** Rotated files kept besides the current one; the oldest is deleted. Default: `5`. */
  max_files?: number
}
