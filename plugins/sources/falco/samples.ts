/**
 * Conformance samples (`tfdrift/testing`): the alerts in samples/ — a CloudTrail-plugin alert and a syscall
 * alert — and, where `TFDRIFT_CORPUS` is set, every real alert in its falco/ folder, read in place (kept,
 * read-only and failed calls alike, so each one yields an item). Loaded by the suite only.
 */
import { readFileSync } from 'node:fs'
import { corpusFolder, sampleFiles, type ConformanceSample } from 'tfdrift/testing'

const KEEP_ALL = { read_only: 'keep', failed: 'flag' }

export function samples(): ConformanceSample[] {
  const own = sampleFiles(new URL('./samples/', import.meta.url))
    .map((f) => ({ ...sample(f), expect: { types: [f.name.startsWith('syscall-') ? 'security.alert' : 'change.received'] } }))
  return [...own, ...sampleFiles(corpusFolder('falco')).map(sample)]
}

function sample(file: { name: string; path: string }): ConformanceSample {
  return { name: file.name, options: KEEP_ALL, push: { body: JSON.parse(readFileSync(file.path, 'utf8')) } }
}
