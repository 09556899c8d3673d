/**
 * Every error code tfdrift reports, in one sorted catalogue. Codes are stable and never reused;
 * `docs/errors.md` is generated from this table and a test fails when they disagree.
 * Add new codes here (keep alphabetical order); each message says what to do.
 */
export const ERRORS = {
  TFD_ERR_ADDRESS_INVALID: 'The Terraform address cannot be parsed; write it like module.a["x"].aws_subnet.b[0] (string keys JSON-quoted).',
  TFD_ERR_AUTH_CONFIG: 'server.auth cannot be used safely (an HS256 secret missing or under 32 bytes, an RS256 public_key missing or not an RSA key of 2048+ bits); fix the named field.',
  TFD_ERR_BUS_CLOSED: 'The bus is closed; nothing can be published or read after shutdown started.',
  TFD_ERR_BUS_CONNECT: 'The Redis bus could not connect or run its commands; check bus.url and that Redis (>= 6.2) is reachable.',
  TFD_ERR_BUS_CONTINUITY: 'Live delivery of a stream lost continuity (its epoch changed because Redis lost its data, or a gap fell out of history); subscribers restart from history and clients are told recovered: false.',
  TFD_ERR_BUS_JOURNAL: 'The in-process bus could not make published events durable in the store (disk full, read-only or closed); nothing was acknowledged or delivered — fix the store, then publish again.',
  TFD_ERR_BUS_PUBLICATION: 'The publication is invalid (tenant, topic, type, id or time, or data nested too deep, cyclic or holding a BigInt); fix the listed field.',
  TFD_ERR_CHANGE_SET_EMPTY: 'No drift of your tenant matches the change set request (the ids are unknown to your tenant, the filter matches nothing, or nothing is open); list drifts with GET /api/v1/drifts and ask for existing ones.',
  TFD_ERR_CHANGE_SET_TOO_LARGE: 'The change set request selects more drifts than one change set may hold (5000); narrow the filter (severity_min, kind, resource_type, provider) and generate several.',
  TFD_ERR_CONFIG_ENV: 'The config references an environment variable that is not set; set it or give a default with ${VAR:-default}.',
  TFD_ERR_CONFIG_EXISTS: 'A config file already exists there; pass --force to overwrite it or edit it instead.',
  TFD_ERR_CONFIG_INVALID: 'The configuration does not match its schema; fix each listed field.',
  TFD_ERR_CONFIG_NOT_FOUND: 'No tfdrift config was found; run `tfdrift init` or pass --config.',
  TFD_ERR_CONFIG_LOAD: 'The config file could not be loaded (syntax or import error); see the cause.',
  TFD_ERR_DRIFT_TRANSITION: 'The drift cannot make that status change from where it stands (e.g. acknowledging a resolved drift); read its status, reopen it first if you mean to act on it again.',
  TFD_ERR_EVENT_INVALID: 'An incoming event (Falco alert, CloudTrail record) is malformed; fix the listed field of each rejected item and resend only those.',
  TFD_ERR_GC_MODE: 'TFDRIFT_GC has a value tfdrift does not know; set auto (the default), single (single-threaded GC, best on one CPU) or concurrent.',
  TFD_ERR_IGNORE_FILE: 'The ignore file could not be read; check the --ignore-file path (gitignore-style patterns like aws_instance.*.tags.LastScanned).',
  TFD_ERR_INGRESS_CONFLICT: 'Two ingress routes of one tenant (or one and a server route) use the same method and path, so a push could not tell which pipeline it is for; give one node another path in its options, or move one pipeline to another tenant.',
  TFD_ERR_INGRESS_TENANT: 'This ingress route belongs to pipelines of another tenant, so your token may not post to it; use a token of the tenant whose pipeline receives there, or add the source to a pipeline of your tenant.',
  TFD_ERR_JSON_TOO_DEEP: 'The JSON (a request body or WebSocket message) nests arrays/objects deeper than 64 levels, the limit for JSON from clients; flatten it.',
  TFD_ERR_MAPPING_INVALID: 'An event mapping file (engine/audit/mappings/*.json) does not match mapping.schema.json, names an unknown converter or maps an event twice; fix the named file at the JSON pointer.',
  TFD_ERR_MEDIA_TYPE: 'The request body has an unsupported Content-Type; send application/json (one document) or application/x-ndjson (one per line), optionally with charset=utf-8.',
  TFD_ERR_NOT_FOUND: 'Nothing with that id or address exists for your tenant; check the value (list endpoints show valid ones).',
  TFD_ERR_PLAN_ERRORED: 'The plan JSON says `errored: true` (terraform plan failed), so it holds no trustworthy drift; fix the plan errors and run `terraform plan` again.',
  TFD_ERR_PLAN_INVALID: 'The file is not a `terraform show -json` plan; produce one with `terraform plan -out=tf.plan && terraform show -json tf.plan`.',
  TFD_ERR_PLAN_VERSION: 'The plan JSON has a format_version major that tfdrift does not read (it reads 0.x and 1.x); upgrade tfdrift, or produce the plan with a Terraform release whose `terraform show -json` writes format 1.x.',
  TFD_ERR_PLUGIN_NOT_FOUND: 'No plugin by that name; run `tfdrift plugins list` or install the package.',
  TFD_ERR_PLUGIN_OPTIONS: "The plugin's options do not match its schema; fix each listed option.",
  TFD_ERR_PLUGIN_API_VERSION: 'The plugin was built for another tfdrift plugin API version; upgrade one of them.',
  TFD_ERR_PLUGIN_CREATE: 'The plugin threw while being created; see the cause.',
  TFD_ERR_PLUGIN_INVALID: 'The plugin module loaded but is not a valid plugin (no definition export, unknown kind, or a load error); fix the module.',
  TFD_ERR_PLUGIN_RUNTIME: 'The plugin failed while running; it is restarted with backoff.',
  TFD_ERR_PUBLICATION_SCHEMA: 'The data of an engine-owned event type (one with a schema in schemas/events) does not match that schema; fix the named field, or publish under a type name of your own.',
  TFD_ERR_REMEDIATION_DECIDED: 'The remediation plan was already approved or rejected; only proposed plans can be decided.',
  TFD_ERR_REQUEST_INVALID: 'The request parameters are invalid; fix each listed field as the message says.',
  TFD_ERR_REST_INTERNAL: 'The REST API failed unexpectedly; retry, and report it with the server log if it persists.',
  TFD_ERR_RUN_NO_PIPELINES: 'The config declares no pipelines, so `tfdrift run` has nothing to run; add one under `pipelines`, or serve a relay-only config with `tfdrift relay`.',
  TFD_ERR_SCAN_INPUT: 'No state or observed input could be read from that path (no file, or the directory/glob matched nothing); check --state, --live and --plan.',
  TFD_ERR_SCAN_USAGE: 'tfdrift scan needs --state with --live, or --plan (with or without --state); run `tfdrift scan --help`.',
  TFD_ERR_SCOPE_MISSING: 'Your token lacks the scope this endpoint needs (read for queries, admin for approvals and drift status changes); use a token that has it.',
  TFD_ERR_SERVER_LISTEN: 'The server could not bind its port (in use, or not allowed); set server.port / --port to a free port or stop the other process.',
  TFD_ERR_SNAPSHOT_INVALID: 'The snapshot JSON does not match schemas/snapshot.schema.json; fix each listed field.',
  TFD_ERR_SOURCE_AUTH: 'The state backend rejected the credentials; check the token / keys and their permissions (they are never printed).',
  TFD_ERR_SOURCE_NOT_FOUND: 'The state source does not exist (no such file, object, workspace or URL); check the path, bucket/key or workspace id.',
  TFD_ERR_SOURCE_UNREACHABLE: 'The state backend could not be reached or answered with an error; check the endpoint, network and region, then retry.',
  TFD_ERR_STATE_DUPLICATE: 'The state lists the same resource instance address twice; the file was edited by hand or merged badly — fix it with `terraform state` commands.',
  TFD_ERR_STATE_INVALID: 'The state file is not valid Terraform state JSON (truncated, not JSON, or a field has the wrong shape); re-pull it with `terraform state pull`.',
  TFD_ERR_STATE_VERSION: 'The state format version is not supported (tfdrift reads versions 3 and 4); upgrade it by running a current Terraform (`terraform state pull`) against it.',
  TFD_ERR_STORE_CLOSED: 'The store is closed; nothing can be read or written after shutdown started.',
  TFD_ERR_STORE_OPEN: 'The store database could not be opened or migrated; check store.path is writable and see the cause.',
  TFD_ERR_STORE_RECORD: 'A record handed to the store lacks a required field (id, time, kind, type…); the plugin that produced it must fill it.',
  TFD_ERR_STORE_SCHEMA_NEWER: 'The store database was written by a newer tfdrift (schema version ahead of this code); upgrade tfdrift or point store.path elsewhere.',
  TFD_ERR_TAP_STREAM: 'The server event stream could not be read; check --url, --token (read scope) and that `tfdrift run` or `tfdrift relay` is running.',
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
