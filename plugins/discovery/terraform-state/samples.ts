/**
 * Conformance samples (`tfdrift/testing`): the state in samples/ (v4: modules, count and for_each keys, a
 * sensitive attribute), and, where `TFDRIFT_CORPUS` is set, every real state in its tfstate/ (v4) and
 * tfstate-legacy/ (v3) folders, read in place, each read once (`refresh: 0`) into one snapshot.
 */
import { corpusFolder, sampleFiles, type ConformanceSample } from 'tfdrift/testing'

export function samples(): ConformanceSample[] {
  const files = [new URL('./samples/', import.meta.url), corpusFolder('tfstate'), corpusFolder('tfstate-legacy')]
    .flatMap((dir) => (dir ? sampleFiles(dir, '.tfstate') : []))
  return files.map((f) => ({ name: f.name, options: { paths: [f.path], refresh: 0 }, expect: { types: ['snapshot'] } }))
}
