/** `tfdrift validate` refuses auth settings that would let anyone mint a token. */
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveConfig, validateConfig } from '../../engine/config/validate.ts'
import { tempProject } from './helpers.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })

const jwtConfig = (jwt: Record<string, unknown>) => ({ server: { auth: { jwt } }, pipelines: {} })
const problemsOf = async (jwt: Record<string, unknown>) => (await validateConfig(jwtConfig(jwt))).map((p) => [p.code, p.pointer])

describe('server.auth.jwt', () => {
  it('HS256 needs a secret of at least 32 bytes', async () => {
    expect(await problemsOf({ algorithm: 'HS256' })).toEqual([['TFD_ERR_CONFIG_INVALID', '/server/auth/jwt/secret']])
    expect(await problemsOf({ algorithm: 'HS256', secret: '' })).toEqual([['TFD_ERR_CONFIG_INVALID', '/server/auth/jwt/secret']])
    expect(await problemsOf({ algorithm: 'HS256', secret: 'too-short-secret' })).toEqual([['TFD_ERR_CONFIG_INVALID', '/server/auth/jwt/secret']])
    expect(await problemsOf({ algorithm: 'HS256', secret: 'x'.repeat(32) })).toEqual([])
  })

  it('RS256 needs a readable RSA public key of 2048+ bits', async () => {
    expect(await problemsOf({ algorithm: 'RS256' })).toEqual([['TFD_ERR_CONFIG_INVALID', '/server/auth/jwt/public_key']])
    expect(await problemsOf({ algorithm: 'RS256', public_key: 'not a key' })).toEqual([['TFD_ERR_AUTH_CONFIG', '/server/auth/jwt/public_key']])
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(await problemsOf({ algorithm: 'RS256', public_key: pem })).toEqual([])
  })

  it('an empty ${JWT_SECRET:-} default is reported with its pointer, message and hint', async () => {
    const { dir, cleanup } = tempProject({ 'tfdrift.config.json': JSON.stringify(jwtConfig({ algorithm: 'HS256', secret: '${JWT_SECRET_FOR_TEST:-}' })) })
    cleanups.push(cleanup)
    delete process.env.JWT_SECRET_FOR_TEST
    const resolved = await resolveConfig({ cwd: dir })
    expect(resolved.config).toBeUndefined()
    expect(resolved.problems).toHaveLength(1)
    expect(resolved.problems[0]).toMatchObject({ code: 'TFD_ERR_CONFIG_INVALID', pointer: '/server/auth/jwt/secret' })
    expect(resolved.problems[0]!.message).toMatch(/32/)
    expect(resolved.problems[0]!.hint).toMatch(/32 bytes/)
  })
})
