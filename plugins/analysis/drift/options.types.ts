// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Compares expected snapshots (Terraform state) with observed ones and emits drift.detected / drift.updated / drift.resolved on topic drifts, plus state.summary (coverage) on topic state. */
export type Options = {
  /** Ignore patterns in .tfdriftignore syntax: type.name_or_id.attribute.path, * within a segment, ** across segments, ! re-includes (the last match wins). Default: `[]`. */
  ignore?: string[]
  /** Path of a .tfdriftignore file (gitignore syntax) whose patterns are applied after `ignore`. */
  ignore_file?: string
  /** Severity rules applied before the built-in defaults; the first matching rule wins. Omitted fields match anything. Default: `[]`. */
  severity_rules?: Array<{
    /** Resource type glob(s), e.g. aws_security_group*. */
    type?: string | string[]
    /** Dotted attribute path glob(s), e.g. tags.* (rules with an attribute rate modified drifts only). */
    attribute?: string | string[]
    /** Drift kind(s) the rule applies to. */
    kind?: ("missing" | "unmanaged" | "modified") | (Array<"missing" | "unmanaged" | "modified">)
    /** The severity to assign. */
    severity: "critical" | "high" | "medium" | "low" | "info"
  }>
  /** Drop drifts less severe than this (coverage still counts them). Default: `"info"`. */
  min_severity?: "critical" | "high" | "medium" | "low" | "info"
  /** More list attributes to compare unordered (sets in the provider schema): `name` for every type or `type.name` for one. Default: `[]`. */
  set_attributes?: string[]
  /** How many recent change events are remembered to attribute drifts to an actor (oldest forgotten first). Default: `10000`. */
  recent_changes?: number
  /** Also pass snapshot items downstream (for remediation plugins that need the resources). Default: `false`. */
  forward_snapshots?: boolean
}
