/**
 * Authentication for every HTTP, WS and SSE path: bearer tokens from config (compared in constant
 * time), `?token=` for EventSource, optional JWT (HS256/RS256 via node:crypto) and an optional anonymous
 * read-only principal. Tokens never reach a log line: principals carry the token's `name` instead.
 */
import { hash, createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import type { Scope, ServerConfig } from '../config/types.ts'
import { TfdriftError } from '../errors.ts'
import type { Authenticate, Principal } from './principal.ts'

type AuthConfig = NonNullable<ServerConfig['auth']>
type JwtConfig = NonNullable<AuthConfig['jwt']>
type Failure = { ok: false; status: 401 | 403; code: string; message: string }

const SCOPES: readonly Scope[] = ['read', 'publish', 'admin', 'metrics']
/** Clock skew tolerated on `exp` / `nbf`, seconds. */
const LEEWAY_S = 30
/** RFC 7518 §3.2: an HS256 key at least as long as the hash output; shorter keys can be brute-forced. */
export const MIN_HS256_SECRET_BYTES = 32
/** RFC 7518 §3.3: RS256 keys of 2048 bits or more. */
const MIN_RSA_BITS = 2048
/** Explicit `typ` values of an access token (RFC 7519 §5.1, RFC 9068); others are other kinds of JWT. */
const JWT_TYPES = new Set(['jwt', 'application/jwt', 'at+jwt', 'application/at+jwt'])
const NUMERIC_DATES = ['exp', 'nbf', 'iat'] as const

function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer')
}

function fail(status: 401 | 403, code: string, message: string): Failure {
  return { ok: false, status, code, message }
}

/**
 * Extracts the credential: `authorization: Bearer x` first, then `?token=x`. A header or `?token=`
 * that is present but unusable is `malformed`, never "no credential": a caller who sent something
 * must not silently become the anonymous principal.
 */
export function credentialOf(request: Parameters<Authenticate>[0]): string | { malformed: string } | undefined {
  const header = request.headers.authorization ?? request.headers.Authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim())
    return match ? match[1] : { malformed: 'The authorization header must be `Bearer <token>`.' }
  }
  const q = request.query?.token
  if (q === undefined) return undefined
  return q === '' ? { malformed: 'The token query parameter is empty; send ?token=<token> or omit it.' } : q
}

/** Decodes canonical base64url only: Node also accepts padding, `+` `/`, stray characters and spare bits. */
function b64url(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined
  const bytes = Buffer.from(part, 'base64url')
  return bytes.toString('base64url') === part ? bytes : undefined
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  const bytes = b64url(part)
  if (!bytes) return undefined
  try {
    const value = JSON.parse(bytes.toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

function parseScopes(value: unknown): Scope[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : []
  return list.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s as string))
}

/**
 * The verification key of `jwt`, or why it cannot verify safely (with the config field to fix): an
 * empty or short HS256 secret lets anyone mint tokens, so such a config is refused, not tolerated.
 */
export function jwtKey(jwt: JwtConfig): { ok: true; key: Buffer | KeyObject } | { ok: false; field: 'algorithm' | 'secret' | 'public_key'; message: string } {
  if (jwt.algorithm === 'HS256') {
    const bytes = Buffer.byteLength(jwt.secret ?? '', 'utf8')
    if (bytes >= MIN_HS256_SECRET_BYTES) return { ok: true, key: Buffer.from(jwt.secret!, 'utf8') }
    return { ok: false, field: 'secret', message: `HS256 needs server.auth.jwt.secret of at least ${MIN_HS256_SECRET_BYTES} bytes (RFC 7518 §3.2), but it is ${jwt.secret === undefined ? 'missing' : `${bytes} bytes long`}; with a short or empty key anyone can mint tokens. Set a random secret, e.g. from \`openssl rand -base64 48\`.` }
  }
  if (jwt.algorithm !== 'RS256') return { ok: false, field: 'algorithm', message: `server.auth.jwt.algorithm must be HS256 or RS256, not ${JSON.stringify(jwt.algorithm)}.` }
  let key: KeyObject
  try {
    key = createPublicKey(jwt.public_key || '-')
  } catch {
    return { ok: false, field: 'public_key', message: `RS256 needs server.auth.jwt.public_key, a PEM RSA public key (-----BEGIN PUBLIC KEY-----); it is ${jwt.public_key ? 'not a readable key' : 'missing'}.` }
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    return { ok: false, field: 'public_key', message: `RS256 needs server.auth.jwt.public_key to be an RSA key of at least ${MIN_RSA_BITS} bits (RFC 7518 §3.3); it is ${key.asymmetricKeyType === 'rsa' ? `${bits} bits` : `a ${key.asymmetricKeyType} key`}.` }
  }
  return { ok: true, key }
}

/** Verifies an HS256/RS256 JWT and maps its claims to a principal. */
function verifyJwt(token: string, jwt: JwtConfig, key: Buffer | KeyObject): { ok: true; principal: Principal } | Failure {
  const parts = token.split('.')
  if (parts.length !== 3) return fail(401, 'invalid_token', 'The bearer token is not a known token or a well-formed JWT.')
  const header = b64urlJson(parts[0])
  const claims = b64urlJson(parts[1])
  const signature = b64url(parts[2])
  if (!header || !claims || !signature) return fail(401, 'invalid_token', 'The JWT is not three canonical base64url parts (no padding, no +/); the header and payload must be JSON objects.')
  if (header.alg !== jwt.algorithm) return fail(401, 'invalid_token', `The JWT algorithm must be ${jwt.algorithm}.`)
  // RFC 8725 §3.11: an explicit typ other than a JWT access token is another kind of token, not ours.
  if (header.typ !== undefined && !(typeof header.typ === 'string' && JWT_TYPES.has(header.typ.toLowerCase()))) return fail(401, 'invalid_token', 'The JWT typ header must be JWT or at+jwt.')
  // RFC 7515 §4.1.11: critical extensions this server does not implement make the token invalid.
  if (header.crit !== undefined) return fail(401, 'invalid_token', 'The JWT has critical header extensions (crit) this server does not support.')
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
  const valid = key instanceof Buffer
    ? timingSafeEqualLength(createHmac('sha256', key).update(signed).digest(), signature)
    : cryptoVerify('RSA-SHA256', signed, key, signature)
  if (!valid) return fail(401, 'invalid_token', 'The JWT signature does not verify.')
  // A date string or null is not "no limit": an unreadable time claim makes the token invalid.
  for (const claim of NUMERIC_DATES) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number') return fail(401, 'invalid_token', `The JWT "${claim}" claim must be a number of seconds since the epoch.`)
  }
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
  const jwtKeyOrWhy = jwt ? jwtKey(jwt) : undefined
  if (jwtKeyOrWhy && !jwtKeyOrWhy.ok) throw new TfdriftError('TFD_ERR_AUTH_CONFIG', jwtKeyOrWhy.message)
  const key = jwtKeyOrWhy?.ok ? jwtKeyOrWhy.key : undefined
  const anonymous: Principal | undefined = auth?.anonymous
    ? { tenant: auth.anonymous.tenant, scopes: ['read'], name: 'anonymous' }
    : auth === undefined ? { tenant: 'default', scopes: ['read'], name: 'anonymous' } : undefined

  return (request) => {
    const credential = credentialOf(request)
    if (credential === undefined) {
      if (anonymous) return { ok: true, principal: anonymous }
      return fail(401, 'unauthorized', 'A bearer token is required: send `authorization: Bearer <token>` (or `?token=` for EventSource).')
    }
    if (typeof credential !== 'string') return fail(401, 'invalid_token', credential.malformed)
    // Compare against every token without an early exit so timing does not reveal a match position.
    const hash = digest(credential)
    let found: Principal | undefined
    for (const t of tokens) if (timingSafeEqual(t.hash, hash) && !found) found = t.principal
    if (found) return { ok: true, principal: found }
    if (jwt && key) return verifyJwt(credential, jwt, key)
    return fail(401, 'invalid_token', 'The bearer token is not valid for this server.')
  }
}

function timingSafeEqualLength(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * 403 unless the principal holds `scope`. `admin` implies every scope of its tenant, but not `metrics`:
 * the Prometheus text spans every tenant (their names, pipelines and counts), so only a token given
 * that scope on purpose — the monitoring system's — may read it.
 */
export function requireScope(principal: Principal, scope: Scope): Failure | undefined {
  if (principal.scopes.includes(scope) || (scope !== 'metrics' && principal.scopes.includes('admin'))) return undefined
  return fail(403, 'forbidden', `This token lacks the "${scope}" scope.`)
}

/** Whether a browser `Origin` may call this server; requests without an Origin (non-browser) pass. */
export function originAllowed(origin: string | undefined, cors: ServerConfig['cors'], host?: string): boolean {
  if (!origin) return true
  const allowed = cors?.origins ?? []
  return allowed.includes('*') || allowed.includes(origin) || sameOrigin(origin, host)
}

/**
 * The dashboard is served by this server, and browsers send Origin on its own WebSocket upgrades and
 * POSTs: an Origin naming the Host the request was sent to is the page's own origin, not a cross-site
 * one. (A non-browser client can forge both headers, but it can forge Origin alone just as well; the
 * check protects browsers, and every write still needs a bearer token.)
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`${url.protocol}//${host}`).host
  } catch {
    return false
  }
}

/** CORS response headers for an allowed Origin (none for a refused or absent one). */
export function corsHeaders(origin: string | undefined, cors: ServerConfig['cors'], host?: string): Record<string, string> {
  if (!origin || !originAllowed(origin, cors, host)) return {}
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'authorization, content-type, last-event-id',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-expose-headers': 'content-type',
    vary: 'Origin',
  }
}
