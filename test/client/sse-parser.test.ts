/** The SSE parser against the WHATWG event-stream rules, including chunks split at every position. */
import { describe, expect, it } from 'vitest'
import { SseParser, type SseMessage } from '../../engine/client/sse-parser.ts'

const STREAM =
  'retry: 2500\r\n: tfdrift stream for tenant acme\r\n\r\n' +
  'id: 1\nevent: drift.detected\ndata: {"offset":1,"topic":"drifts"}\n\n' +
  ': keep-alive\n\n' +
  'event: subscribed\ndata: {"topic":"drifts",\ndata:  "recovered":true}\n\n' +
  'id: drifts:2,events:7\rdata:two\r\r' +
  'data\n\n' +
  'event: ignored-without-data\nid: 9\n\n' +
  'data: last\n\n'

const EXPECTED: SseMessage[] = [
  { event: 'drift.detected', data: '{"offset":1,"topic":"drifts"}', id: '1' },
  { event: 'subscribed', data: '{"topic":"drifts",\n "recovered":true}', id: '1' },
  { event: 'message', data: 'two', id: 'drifts:2,events:7' },
  { event: 'message', data: '', id: 'drifts:2,events:7' },
  { event: 'message', data: 'last', id: '9' },
]

describe('SseParser', () => {
  it('parses a whole stream: fields, comments, CR/LF/CRLF, multi-line data, id and retry', () => {
    const p = new SseParser()
    expect(p.push(STREAM)).toEqual(EXPECTED)
    expect(p.retry).toBe(2500)
    expect(p.lastEventId).toBe('9')
  })

  it('gives the same events however the stream is split into two chunks', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      const p = new SseParser()
      const out = [...p.push(STREAM.slice(0, i)), ...p.push(STREAM.slice(i))]
      expect(out, `split at ${i}`).toEqual(EXPECTED)
    }
  })

  it('gives the same events when fed one character at a time', () => {
    const p = new SseParser()
    const out: SseMessage[] = []
    for (const c of STREAM) out.push(...p.push(c))
    expect(out).toEqual(EXPECTED)
  })

  it('keeps an incomplete event until its blank line arrives', () => {
    const p = new SseParser()
    expect(p.push('data: a\n')).toEqual([])
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'a', id: '' }])
  })

  it('ignores a non-numeric retry and an id containing NUL', () => {
    const p = new SseParser()
    p.push('retry: soon\nid: a\u0000b\ndata: x\n\n')
    expect(p.retry).toBeUndefined()
    expect(p.lastEventId).toBe('')
  })
})
