// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Prints the envelopes of chosen topics to standard output, as JSON lines or a one-line human summary. */
export type Options = {
  /** Topics of the pipeline's tenant to print. Default: `["drifts","remediations"]`. */
  topics?: Array<"drifts" | "events" | "state" | "remediations" | "stats" | "metrics" | "system" | "graph">
  /** `json`: one envelope per line (for jq and log shippers). `falco`: one line per envelope shaped like Falco's JSON output (time, rule, priority, output, output_fields, source, tags, hostname), for tools that read Falco alerts. `summary`: one short human-readable line per envelope. Default: `"summary"`. */
  format?: "json" | "falco" | "summary"
  /** Only print drifts at least this severe (other topics are not filtered). Default: `"info"`. */
  min_severity?: "critical" | "high" | "medium" | "low" | "info"
  /** Where to write: standard output or standard error. Default: `"stdout"`. */
  stream?: "stdout" | "stderr"
  /** When the terminal or pipe is slower than events arrive, lines beyond this many buffered bytes are dropped (and counted) instead of growing memory. Default: `4194304`. */
  max_pending_bytes?: number
}
