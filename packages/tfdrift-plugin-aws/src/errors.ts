/** How AWS errors steer discovery: a denied type is not covered; throttling is retried; anything else fails the task. */

const DENIED = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnrecognizedClientException',
  'Forbidden', 'AllAccessDisabled', 'UnauthorizedException', 'OptInRequired', 'AuthFailure',
])
const THROTTLED = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException',
  'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException', 'LimitExceededException',
])

interface AwsError { name?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number } }

function codeOf(error: unknown): string {
  const e = error as AwsError
  return e?.name ?? e?.Code ?? e?.code ?? ''
}

/** The credentials may not read this: the type is reported as not covered, never as `missing`. */
export function isAccessDenied(error: unknown): boolean {
  return DENIED.has(codeOf(error)) || (error as AwsError)?.$metadata?.httpStatusCode === 403
}

/** AWS asked us to slow down (what the SDK's adaptive retry gave up on). */
export function isThrottled(error: unknown): boolean {
  return THROTTLED.has(codeOf(error)) || (error as AwsError)?.$metadata?.httpStatusCode === 429
}

/** A short description for logs: code and message, never credentials. */
export function describe(error: unknown): string {
  const code = codeOf(error)
  const message = (error as Error)?.message ?? String(error)
  return code && !message.startsWith(code) ? `${code}: ${message}` : message
}
