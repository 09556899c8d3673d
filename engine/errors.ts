/**
 * Every error code tfdrift reports, in one sorted catalogue. Codes are stable and never reused;
 * `docs/errors.md` is generated from this table and a test fails when they disagree.
 * Add new codes here (keep alphabetical order); each message says what to do.
 */
export const ERRORS = {
  TFD_ERR_CONFIG_ENV: 'The config references an environment variable that is not set; set it or give a default with ${VAR:-default}.',
  TFD_ERR_CONFIG_INVALID: 'The configuration does not match its schema; fix each listed field.',
  TFD_ERR_CONFIG_NOT_FOUND: 'No tfdrift config was found; run `tfdrift init` or pass --config.',
  TFD_ERR_CONFIG_LOAD: 'The config file could not be loaded (syntax or import error); see the cause.',
  TFD_ERR_NOT_FOUND: 'Nothing with that id or address exists for your tenant; check the value (list endpoints show valid ones).',
  TFD_ERR_PLUGIN_NOT_FOUND: 'No plugin by that name; run `tfdrift plugins list` or install the package.',
  TFD_ERR_PLUGIN_OPTIONS: "The plugin's options do not match its schema; fix each listed option.",
  TFD_ERR_PLUGIN_API_VERSION: 'The plugin was built for another tfdrift plugin API version; upgrade one of them.',
  TFD_ERR_PLUGIN_CREATE: 'The plugin threw while being created; see the cause.',
  TFD_ERR_PLUGIN_RUNTIME: 'The plugin failed while running; it is restarted with backoff.',
  TFD_ERR_REMEDIATION_DECIDED: 'The remediation plan was already approved or rejected; only proposed plans can be decided.',
  TFD_ERR_REQUEST_INVALID: 'The request parameters are invalid; fix each listed field as the message says.',
  TFD_ERR_REST_INTERNAL: 'The REST API failed unexpectedly; retry, and report it with the server log if it persists.',
  TFD_ERR_SCOPE_MISSING: 'Your token lacks the scope this endpoint needs (read for queries, admin for approvals); use a token that has it.',
  TFD_ERR_WIRING: 'The pipeline wiring is invalid (cycle, unknown input, or wrong kind).',
} as const

export type ErrorCode = keyof typeof ERRORS

/** One problem found while validating; many are collected and reported at once. */
export interface Problem {
  code: ErrorCode
  /** File the problem is in, when known. */
  file?: string
  /** JSON pointer into that file's document (`/pipelines/prod/discovery/0/with/paths`). */
  pointer?: string
  message: string
  hint?: string
}

/** An error with a stable code; `problems` lists every issue when several were found at once. */
export class TfdriftError extends Error {
  readonly code: ErrorCode
  readonly problems: Problem[]
  readonly hint?: string
  constructor(code: ErrorCode, message: string, options: { problems?: Problem[]; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'TfdriftError'
    this.code = code
    this.problems = options.problems ?? []
    this.hint = options.hint ?? ERRORS[code]
  }
}
