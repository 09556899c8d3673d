import { describe, expect, it } from 'vitest'
import { parseJsonBody } from '../../engine/server/body.ts'

const ndjson = (text: string | Buffer) => parseJsonBody(Buffer.isBuffer(text) ? text : Buffer.from(text), 'application/x-ndjson')

describe('parseJsonBody', () => {
  it('reads NDJSON line by line, skipping blank lines and tolerating CRLF and padding', () => {
    expect(ndjson('{"a":1}\r\n\n  \n{"b":[2]}  \n')).toEqual({ ok: true, value: [{ a: 1 }, { b: [2] }], batch: true })
  })

  it('names the first malformed line by its number in the body', () => {
    const out = ndjson('{"a":1}\n\n{"b":\n{"c":3}')
    expect(out).toMatchObject({ ok: false, status: 400, code: 'invalid_body' })
    expect(!out.ok && out.message).toMatch(/^NDJSON line 3 is not valid JSON/)
  })

  it('refuses invalid UTF-8 anywhere, an empty body and a body of whitespace', () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    expect(ndjson(bad)).toMatchObject({ ok: false, message: 'The body is not valid UTF-8.' })
    expect(ndjson('')).toMatchObject({ ok: false, message: /The body is empty/ })
    expect(ndjson(' \r\n\t\n')).toMatchObject({ ok: false, message: /The body is empty/ })
  })

  it('drops a UTF-8 byte order mark before the first document, in both framings', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    expect(ndjson(Buffer.concat([bom, Buffer.from('{"a":"é"}\n{"b":2}')]))).toEqual({ ok: true, value: [{ a: 'é' }, { b: 2 }], batch: true })
    expect(parseJsonBody(Buffer.concat([bom, Buffer.from('{"a":1}')]), 'application/json')).toEqual({ ok: true, value: { a: 1 }, batch: false })
  })

  it('keeps multi-byte characters that straddle nothing: each line decodes on its own', () => {
    expect(ndjson('{"n":"日本"}\n{"n":"ü"}')).toEqual({ ok: true, value: [{ n: '日本' }, { n: 'ü' }], batch: true })
  })

  it('reads application/json as one document, and as lines when it holds several', () => {
    expect(parseJsonBody(Buffer.from('[1,2]'), 'application/json')).toEqual({ ok: true, value: [1, 2], batch: false })
    expect(parseJsonBody(Buffer.from('{"a":1}\n{"a":2}'), 'application/json; charset=utf-8')).toEqual({ ok: true, value: [{ a: 1 }, { a: 2 }], batch: true })
    expect(parseJsonBody(Buffer.from('{"a":'), 'application/json')).toMatchObject({ ok: false, message: /^The body is not valid JSON/ })
  })

  it('refuses nesting past the limit before parsing, and another media type with 415', () => {
    expect(ndjson('['.repeat(65) + ']'.repeat(65))).toMatchObject({ ok: false, status: 400, code: 'TFD_ERR_JSON_TOO_DEEP' })
    expect(parseJsonBody(Buffer.from('{}'), 'text/plain')).toMatchObject({ ok: false, status: 415, code: 'TFD_ERR_MEDIA_TYPE' })
  })
})
