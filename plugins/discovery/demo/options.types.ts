// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Simulates a realistic AWS account managed by Terraform, and out-of-band changes to it over time. */
export type Options = {
  /** Number of Terraform resource instances in the simulated estate (exact). Default: `2500`. */
  size?: number
  /** Seed of the generator: the same seed and options give the same estate and the same sequence of changes. Default: `"tfdrift-demo"`. */
  seed?: string | number
  /** AWS regions the estate spans (prod in all of them, staging in the first two, dev in the first). Default: `["us-east-1","eu-west-1","ap-northeast-1"]`. */
  regions?: Array<"us-east-1" | "us-west-2" | "eu-west-1" | "eu-central-1" | "ap-northeast-1">
  /** 12-digit AWS account id used in ARNs; derived from the seed when absent. */
  account_id?: string
  /** Time between simulated changes: milliseconds, or a duration such as "4s" or "1m". 0 = as fast as downstream accepts. Default: `"4s"`. */
  interval?: number | string
  /** Stop after this many simulated changes (0 = run until the pipeline stops). Default: `0`. */
  max_changes?: number
  /** Out-of-band changes already made when the simulation starts (their events come before the first observed snapshot), so there is drift to see at once. Default: `5`. */
  initial_changes?: number
  /** Most out-of-band changes left in place at once; past it the oldest is reverted first. Bounds the drift count and memory. Default: `25`. */
  max_open_changes?: number
  /** Chance that a change is reverted a few steps later (by its author or by a terraform apply). Default: `0.35`. */
  revert_probability?: number
}
