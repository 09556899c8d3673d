/**
 * The JWT matrix: a server never accepts a token anyone could mint (no/short HS256 key, RS256 without a
 * key, `alg: none`), and never reads a malformed claim or signature as "valid".
 */
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../engine/server/auth.ts'
import { TfdriftError } from '../../engine/errors.ts'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { MemoryStore } from '../../engine/store/memory-store.ts'
import { silentLogger } from '../../engine/logger.ts'
import { startServer } from '../../engine/server/index.ts'
import type { ServerConfig } from '../../engine/config/types.ts'

type Jwt = NonNullable<NonNullable<ServerConfig['auth']>['jwt']>
const SECRET = 'a-32-byte-long-shared-secret-key!'
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
function hs256(claims: Record<string, unknown>, secret = SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64(header)}.${b64(claims)}`
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
}
const now = Math.floor(Date.now() / 1000)
const victim = { tenant: 'victim', scopes: ['admin'], exp: now + 60 }
const refusal = (jwt: Jwt) => {
  try {
    createAuthenticator({ jwt })
  } catch (err) {
    return err
  }
  return undefined
}

describe('JWT key configuration', () => {
  it('refuses HS256 without a secret, with an empty one, or one shorter than 32 bytes (RFC 7518 §3.2)', () => {
    for (const jwt of [{ algorithm: 'HS256' }, { algorithm: 'HS256', secret: '' }, { algorithm: 'HS256', secret: 'x'.repeat(31) }] as Jwt[]) {
      const err = refusal(jwt)
      expect(err, JSON.stringify(jwt)).toBeInstanceOf(TfdriftError)
      expect((err as TfdriftError).code).toBe('TFD_ERR_AUTH_CONFIG')
      expect((err as TfdriftError).message).toMatch(/server\.auth\.jwt\.secret.*32 bytes/)
    }
    expect(refusal({ algorithm: 'HS256', secret: 'x'.repeat(32) })).toBeUndefined()
  })

  it('refuses RS256 without a public key, with a malformed one, or with a non-RSA / short RSA key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    for (const jwt of [{ algorithm: 'RS256' }, { algorithm: 'RS256', public_key: '' }, { algorithm: 'RS256', public_key: 'not a pem' }, { algorithm: 'RS256', public_key: ec }, { algorithm: 'RS256', public_key: small }] as Jwt[]) {
      const err = refusal(jwt)
      expect((err as TfdriftError | undefined)?.code, JSON.stringify(jwt).slice(0, 60)).toBe('TFD_ERR_AUTH_CONFIG')
      expect((err as TfdriftError).message).toMatch(/server\.auth\.jwt\.public_key/)
    }
  })

  it('startServer refuses to start with an empty HS256 secret (no port is bound)', async () => {
    const bus = new MemoryBus()
    const store = new MemoryStore()
    const start = startServer({ config: { port: 0, host: '127.0.0.1', auth: { jwt: { algorithm: 'HS256', secret: '' } } }, bus, store, logger: silentLogger, rest: false })
    await expect(start).rejects.toMatchObject({ code: 'TFD_ERR_AUTH_CONFIG' })
    await bus.close()
    await store.close()
  })
})

describe('JWT verification', () => {
  const auth = createAuthenticator({ jwt: { algorithm: 'HS256', secret: SECRET } })
  const check = (token: string) => auth({ headers: { authorization: `Bearer ${token}` } })

  it('accepts a well-formed token (the baseline of every case below)', () => {
    expect(check(hs256(victim))).toMatchObject({ ok: true, principal: { tenant: 'victim' } })
    expect(check(hs256({ ...victim, nbf: now - 10, iat: now - 10 }))).toMatchObject({ ok: true })
  })

  it('refuses a token minted with an empty key even when it claims admin', () => {
    expect(check(hs256(victim, ''))).toMatchObject({ ok: false, status: 401, code: 'invalid_token' })
  })

  it('refuses exp, nbf and iat that are present but not numbers (never "never expires")', () => {
    for (const claims of [{ exp: '2099-01-01T00:00:00Z' }, { exp: null }, { exp: '9999999999' }, { exp: [now + 60] }, { nbf: 'soon' }, { nbf: null }, { iat: 'now' }, { iat: null }]) {
      expect(check(hs256({ ...victim, ...claims })), JSON.stringify(claims)).toMatchObject({ ok: false, status: 401, code: 'invalid_token' })
    }
  })

  it('refuses signatures (and header/payload parts) that are not canonical base64url', () => {
    // A signature holding "-" or "_", so that its plain-base64 spelling decodes to the same bytes.
    let n = 0
    while (!/[-_]/.test(hs256({ ...victim, n }).split('.')[2]!)) n++
    const token = hs256({ ...victim, n })
    expect(check(token)).toMatchObject({ ok: true })
    const [h, p, s] = token.split('.') as [string, string, string]
    const variants = [
      `${h}.${p}.${s}=`, `${h}.${p}.${s}==`, `${h}=.${p}.${s}`, `${h}.${p}=.${s}`, // padding
      `${h}.${p}.${s.replace(/_/g, '/').replace(/-/g, '+')}`, // the base64 (not base64url) alphabet
      `${h}.${p}.${s.slice(0, 20)} ${s.slice(20)}`, `${h}.${p}.${s.slice(0, 20)}!${s.slice(20)}`, `${h}.${p}.${s}\u00e9`,
    ]
    for (const t of variants) expect(check(t), t.slice(-12)).toMatchObject({ ok: false, status: 401 })
    // 43 base64url chars carry 258 bits: a last char with non-zero spare bits decodes to the same bytes.
    const last = s[s.length - 1]!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!
    expect(Buffer.from(s.slice(0, -1) + twin, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true)
    expect(check(`${h}.${p}.${s.slice(0, -1)}${twin}`)).toMatchObject({ ok: false, status: 401 })
  })

  it('refuses alg none / other algorithms, an explicit non-JWT typ, and any crit header', () => {
    const cases: Array<Record<string, unknown>> = [
      { alg: 'none' }, { alg: 'none', typ: 'JWT' }, { alg: 'hs256' }, { alg: 'RS256' }, { typ: 'JWT' },
      { alg: 'HS256', typ: 'dpop+jwt' }, { alg: 'HS256', typ: 7 }, { alg: 'HS256', crit: ['exp'] }, { alg: 'HS256', crit: [] },
    ]
    for (const header of cases) expect(check(hs256(victim, SECRET, header)), JSON.stringify(header)).toMatchObject({ ok: false, status: 401 })
    expect(check(`${b64({ alg: 'none' })}.${b64(victim)}.`)).toMatchObject({ ok: false, status: 401 })
    for (const typ of ['JWT', 'jwt', 'at+jwt', 'application/at+jwt']) expect(check(hs256(victim, SECRET, { alg: 'HS256', typ })), typ).toMatchObject({ ok: true })
    expect(check(hs256(victim, SECRET, { alg: 'HS256' }))).toMatchObject({ ok: true })
  })
})
