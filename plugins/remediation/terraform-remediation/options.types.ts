// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Proposes Terraform remediation plans (import / removed blocks, targeted applies, configuration updates) for drifts. */
export type Options = {
  /** `propose`: every plan waits for a human decision. `auto_approve`: plans for drifts less severe than `auto_approve_below` are approved at once. Default: `"propose"`. */
  mode?: "propose" | "auto_approve"
  /** In `auto_approve` mode, drifts strictly less severe than this get approved plans; the rest stay proposed. Default: `"medium"`. */
  auto_approve_below?: "critical" | "high" | "medium" | "low" | "info"
  /** For resources deleted out of band: `removed` (stop managing them: a removed block, or terraform state rm for one count/for_each instance) or `recreate` (terraform apply -target). Default: `"removed"`. */
  missing?: "removed" | "recreate"
  /** For resources changed out of band: `revert` (targeted terraform apply) or `accept` (update the configuration to the live values). Default: `"revert"`. */
  modified?: "revert" | "accept"
  /** Also forward the input items downstream (off by default: drifts are already published by the analysis node). Default: `false`. */
  passthrough?: boolean
  /** How many drifts the plugin remembers to avoid re-proposing an identical plan when a drift is updated. Default: `10000`. */
  max_tracked?: number
  /** How long after approval a drift may persist before its plan is marked `failed` (`remediation.failed`); an approved plan whose drift resolves first becomes `applied`. A duration like `30m`, `1h`, `2d`, or milliseconds. Default: `"24h"`. */
  verify_within?: string | number
}
