/**
 * Authentication for every HTTP, WS and SSE path: bearer tokens from config (compared in constant
 * time), `?token=` for EventSource, optional JWT (HS256/RS256 via node:crypto) and an optional anonymous
 * read-only principal. Tokens never reach a log line: principals carry the token's `name` instead.
 */
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import type { Scope, ServerConfig } from '../config/types.ts'
import type { Authenticate, Principal } from './principal.ts'

type AuthConfig = NonNullable<ServerConfig['auth']>
type Failure = { ok: false; status: 401 | 403; code: string; message: string }

const SCOPES: readonly Scope[] = ['read', 'publish', 'admin']
/** Clock skew tolerated on `exp` / `nbf`, seconds. */
const LEEWAY_S = 30

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function fail(status: 401 | 403, code: string, message: string): Failure {
  return { ok: false, status, code, message }
}

/** Extracts the credential: `authorization: Bearer x` first, then `?token=x`. */
export function credentialOf(request: Parameters<Authenticate>[0]): string | undefined {
  const header = request.headers.authorization ?? request.headers.Authorization
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim())
    return match ? match[1].trim() : undefined
  }
  const q = request.query?.token
  return q ? q : undefined
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

function parseScopes(value: unknown): Scope[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : []
  return list.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s as string))
}

/** Verifies an HS256/RS256 JWT and maps its claims to a principal. */
function verifyJwt(token: string, jwt: NonNullable<AuthConfig['jwt']>, key: KeyObject | undefined): { ok: true; principal: Principal } | Failure {
  const parts = token.split('.')
  if (parts.length !== 3) return fail(401, 'invalid_token', 'The bearer token is not a known token or a well-formed JWT.')
  const header = b64urlJson(parts[0])
  const claims = b64urlJson(parts[1])
  if (!header || !claims) return fail(401, 'invalid_token', 'The JWT header or payload is not base64url JSON.')
  if (header.alg !== jwt.algorithm) return fail(401, 'invalid_token', `The JWT algorithm must be ${jwt.algorithm}.`)
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
  const signature = Buffer.from(parts[2], 'base64url')
  let valid = false
  if (jwt.algorithm === 'HS256') {
    const expected = createHmac('sha256', jwt.secret ?? '').update(signed).digest()
    valid = expected.length === signature.length && timingSafeEqual(expected, signature)
  } else if (key) {
    valid = cryptoVerify('RSA-SHA256', signed, key, signature)
  }
  if (!valid) return fail(401, 'invalid_token', 'The JWT signature does not verify.')
  const now = Date.now() / 1000
  if (typeof claims.exp === 'number' && now > claims.exp + LEEWAY_S) return fail(401, 'token_expired', 'The JWT has expired; get a new one.')
  if (typeof claims.nbf === 'number' && now + LEEWAY_S < claims.nbf) return fail(401, 'invalid_token', 'The JWT is not valid yet (nbf).')
  if (jwt.issuer && claims.iss !== jwt.issuer) return fail(401, 'invalid_token', 'The JWT issuer is not the configured one.')
  if (jwt.audience) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!aud.includes(jwt.audience)) return fail(401, 'invalid_token', 'The JWT audience does not include this server.')
  }
  const tenant = claims[jwt.tenant_claim ?? 'tenant']
  if (typeof tenant !== 'string' || tenant === '') return fail(403, 'no_tenant', `The JWT has no "${jwt.tenant_claim ?? 'tenant'}" claim; ask for a token bound to a tenant.`)
  const scopes = parseScopes(claims[jwt.scopes_claim ?? 'scopes'] ?? claims.scope)
  const name = typeof claims.sub === 'string' ? `jwt:${claims.sub}` : 'jwt'
  return { ok: true, principal: { tenant, scopes, name } }
}

/**
 * Builds the `Authenticate` function shared by the realtime server and the REST API.
 * With no `auth` section at all, callers get a read-only principal on tenant `default` (publish and
 * admin always need a credential).
 */
export function createAuthenticator(auth: ServerConfig['auth']): Authenticate {
  const tokens = (auth?.tokens ?? []).map((t, i) => ({
    hash: digest(t.token),
    principal: { tenant: t.tenant, scopes: [...t.scopes], name: t.name ?? `token#${i + 1}` } satisfies Principal,
  }))
  const jwt = auth?.jwt
  const rsaKey = jwt?.algorithm === 'RS256' && jwt.public_key ? createPublicKey(jwt.public_key) : undefined
  const anonymous: Principal | undefined = auth?.anonymous
    ? { tenant: auth.anonymous.tenant, scopes: ['read'], name: 'anonymous' }
    : auth === undefined ? { tenant: 'default', scopes: ['read'], name: 'anonymous' } : undefined

  return (request) => {
    const credential = credentialOf(request)
    if (credential === undefined) {
      if (anonymous) return { ok: true, principal: anonymous }
      return fail(401, 'unauthorized', 'A bearer token is required: send `authorization: Bearer <token>` (or `?token=` for EventSource).')
    }
    // Compare against every token without an early exit so timing does not reveal a match position.
    const hash = digest(credential)
    let found: Principal | undefined
    for (const t of tokens) if (timingSafeEqual(t.hash, hash) && !found) found = t.principal
    if (found) return { ok: true, principal: found }
    if (jwt) return verifyJwt(credential, jwt, rsaKey)
    return fail(401, 'invalid_token', 'The bearer token is not valid for this server.')
  }
}

/** 403 unless the principal holds `scope` (`admin` implies every scope). */
export function requireScope(principal: Principal, scope: Scope): Failure | undefined {
  if (principal.scopes.includes(scope) || principal.scopes.includes('admin')) return undefined
  return fail(403, 'forbidden', `This token lacks the "${scope}" scope.`)
}

/** Whether a browser `Origin` may call this server; requests without an Origin (non-browser) pass. */
export function originAllowed(origin: string | undefined, cors: ServerConfig['cors']): boolean {
  if (!origin) return true
  const allowed = cors?.origins ?? []
  return allowed.includes('*') || allowed.includes(origin)
}

/** CORS response headers for an allowed Origin (none for a refused or absent one). */
export function corsHeaders(origin: string | undefined, cors: ServerConfig['cors']): Record<string, string> {
  if (!origin || !originAllowed(origin, cors)) return {}
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'authorization, content-type, last-event-id',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-expose-headers': 'content-type',
    vary: 'Origin',
  }
}
