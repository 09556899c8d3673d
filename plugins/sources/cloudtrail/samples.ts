/**
 * Conformance samples (`tfdrift/testing`): the records in samples/ pushed as one CloudTrail log
 * (`{"Records": […]}`), and, where `TFDRIFT_CORPUS` is set, every real record in its cloudtrail/ folder
 * pushed one by one, read in place (failed and read-only calls kept, so each yields an event).
 */
import { readFileSync } from 'node:fs'
import { corpusFolder, sampleFiles, type ConformanceSample } from 'tfdrift/testing'

const KEEP_ALL = { read_only: 'keep', failed: 'flag' }

export function samples(): ConformanceSample[] {
  const files = [...sampleFiles(new URL('./samples/', import.meta.url)), ...sampleFiles(corpusFolder('cloudtrail'))]
  return files.map((f) => ({ name: f.name, options: KEEP_ALL, push: { body: JSON.parse(readFileSync(f.path, 'utf8')) }, expect: { types: ['change.received'] } }))
}
