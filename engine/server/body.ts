/** Request body decoding shared by the publish API and ingress routes: JSON, or NDJSON as an array. */
import { TextDecoder } from 'node:util'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export type Parsed = { ok: true; value: unknown; batch: boolean } | { ok: false; message: string }

/**
 * Decodes `body`: NDJSON (`application/x-ndjson`, `application/jsonl`, or several JSON lines) becomes an
 * array with `batch: true`; anything else must be one JSON document. Errors name the line and cause.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): Parsed {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return { ok: false, message: 'The body is not valid UTF-8.' }
  }
  if (text.trim() === '') return { ok: false, message: 'The body is empty; send a JSON object or NDJSON lines.' }
  const ndjson = /ndjson|jsonl|json-seq/i.test(contentType ?? '')
  if (!ndjson) {
    try {
      return { ok: true, value: JSON.parse(text), batch: false }
    } catch (err) {
      const lines = text.split('\n').filter((l) => l.trim() !== '')
      if (lines.length < 2) return { ok: false, message: `The body is not valid JSON: ${(err as Error).message}.` }
    }
  }
  const out: unknown[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '') continue
    try {
      out.push(JSON.parse(line))
    } catch (err) {
      return { ok: false, message: `NDJSON line ${i + 1} is not valid JSON: ${(err as Error).message}.` }
    }
  }
  return { ok: true, value: out, batch: true }
}
