/**
 * Request plumbing shared by every REST route: the authenticated principal of a request, the
 * `{ success:false, error }` replies, and how validation errors become one readable 400.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorCode } from '../../errors.ts'
import type { Principal } from '../principal.ts'

/** An error a handler throws to answer with a given status and code. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: ErrorCode | string, message: string) {
    super(message)
    this.name = 'HttpError'
  }
}

/** 404 for an id/address the caller's tenant does not have (also what another tenant's id looks like). */
export function notFound(what: string, id: string): HttpError {
  return new HttpError(404, 'TFD_ERR_NOT_FOUND', `No ${what} '${id}' exists for your tenant; list them with the matching GET endpoint to find valid values.`)
}

const principals = new WeakMap<FastifyRequest, Principal>()

/** Binds the verified principal to the request (done once, in the onRequest hook). */
export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal)
}

/** The verified caller of a request; every store query is scoped to its tenant. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request)
  if (!principal) throw new HttpError(401, 'TFD_ERR_REST_INTERNAL', 'The request was not authenticated.')
  return principal
}

/** Sends `{ success:false, error:{ code, message, details? } }`. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: ValidationDetail[]): FastifyReply {
  return reply.code(status).send({ success: false, error: { code, message, ...(details?.length ? { details } : {}) } })
}

export interface ValidationDetail {
  /** `query.limit`, `params.id`, `body.note`. */
  field: string
  expected: string
}

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

const CONTEXT_NAMES: Record<string, [prefix: string, noun: string]> = {
  querystring: ['query', 'query parameter'],
  params: ['params', 'path parameter'],
  body: ['body', 'body field'],
  headers: ['headers', 'header'],
}

/** Turns fastify's ajv validation error into field-level details and one sentence naming each field. */
export function describeValidation(error: FastifyError, request: FastifyRequest): { message: string; details: ValidationDetail[] } {
  const [prefix, noun] = CONTEXT_NAMES[error.validationContext ?? ''] ?? ['request', 'field']
  const schema = (request.routeOptions.schema as Record<string, { properties?: Record<string, unknown> }> | undefined)?.[error.validationContext ?? '']
  const allowed = Object.keys(schema?.properties ?? {}).filter((k) => k !== 'token')
  const raw = (error.validationContext === 'querystring' ? request.query : error.validationContext === 'params' ? request.params : undefined) as Record<string, unknown> | undefined
  const details: ValidationDetail[] = []
  const sentences: string[] = []
  for (const e of (error.validation ?? []) as AjvError[]) {
    let name = e.instancePath.replace(/^\//, '').replaceAll('/', '.')
    let expected: string
    switch (e.keyword) {
      case 'additionalProperties':
        name = String(e.params.additionalProperty)
        expected = `no such ${noun}; known ones are ${allowed.join(', ') || 'none'}`
        break
      case 'required':
        name = String(e.params.missingProperty)
        expected = 'a value (it is required)'
        break
      case 'enum':
        expected = `one of ${(e.params.allowedValues as unknown[]).join(', ')}`
        break
      case 'type':
        expected = `${/^[aeiou]/.test(String(e.params.type)) ? 'an' : 'a'} ${e.params.type}`
        break
      case 'maximum': case 'minimum': case 'exclusiveMaximum': case 'exclusiveMinimum':
        expected = `a number ${e.params.comparison} ${e.params.limit}`
        break
      default:
        expected = e.message ?? e.keyword
    }
    const field = name ? `${prefix}.${name}` : prefix
    details.push({ field, expected })
    const got = name && raw && raw[name] !== undefined ? ` (got '${String(raw[name])}')` : ''
    sentences.push(`${noun} '${name || prefix}'${got} must be ${expected.startsWith('no such') ? 'removed: ' + expected : expected}`)
  }
  const message = sentences.length ? `Invalid request: ${sentences.join('; ')}.` : `Invalid request: ${error.message}.`
  return { message: message.charAt(0).toUpperCase() + message.slice(1), details }
}

/** Headers as plain strings (the Authenticate contract), joining repeated headers. */
export function flatHeaders(headers: FastifyRequest['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(headers)) out[key] = Array.isArray(value) ? value.join(', ') : value
  return out
}
