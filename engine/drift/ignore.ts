/**
 * Ignore rules: config `ignore` entries and `.tfdriftignore` files, in gitignore style — one pattern a
 * line, `#` comments, `!` re-includes, the last matching rule wins. A pattern is dotted:
 * `type.name_or_id.attribute.path`; `*` matches within one segment, `**` any number of segments, `?`
 * one character. Quote a segment holding dots: `aws_s3_bucket."logs.example.com"`. A pattern of one or
 * two segments ignores whole resources (every drift kind); a longer one ignores attribute changes at
 * or below that path.
 */
import { readFileSync } from 'node:fs'
import type { Drift } from '../model.ts'

interface Rule {
  negate: boolean
  segments: RegExp[]
  /** `**` segments, by position. */
  globstar: boolean[]
  source: string
}

/** What a rule is matched against. */
export interface IgnoreTarget {
  type: string
  /** Resource name, cloud id and full address: the second pattern segment may match any of them. */
  names: string[]
  /** Attribute path below the resource; empty for the resource itself. */
  path?: Array<string | number>
}

function splitSegments(pattern: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | null = null
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (quote) { if (ch === quote) quote = null; else cur += ch; continue }
    if (ch === '"') { quote = '"'; continue }
    if (ch === '[') { quote = ']'; continue }
    if (ch === '.') { out.push(cur); cur = ''; continue }
    cur += ch
  }
  out.push(cur)
  return out
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (const ch of glob) {
    if (ch === '*') re += '.*'
    else if (ch === '?') re += '.'
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
  }
  return new RegExp('^' + re + '$')
}

/** Parses one pattern (`!` negation allowed); returns undefined for blanks and comments. */
function parseRule(line: string): Rule | undefined {
  let text = line.replace(/(?<!\\)\s+$/, '')
  if (text === '' || text.startsWith('#')) return undefined
  let negate = false
  if (text.startsWith('!')) { negate = true; text = text.slice(1) }
  else if (text.startsWith('\\!') || text.startsWith('\\#')) text = text.slice(1)
  text = text.trim()
  if (text === '') return undefined
  const parts = splitSegments(text)
  return { negate, source: line, segments: parts.map(globToRegExp), globstar: parts.map((p) => p === '**') }
}

/** Matches rule segments from `si` against target segments from `ti`; a rule matching a prefix of the path matches the path. */
function matchFrom(rule: Rule, si: number, segs: string[], ti: number): boolean {
  if (si === rule.segments.length) return true
  if (rule.globstar[si]) {
    for (let t = ti; t <= segs.length; t++) if (matchFrom(rule, si + 1, segs, t)) return true
    return false
  }
  if (ti >= segs.length) return false
  return rule.segments[si]!.test(segs[ti]!) && matchFrom(rule, si + 1, segs, ti + 1)
}

function ruleMatches(rule: Rule, target: IgnoreTarget, resourceLevel: boolean): boolean {
  if (!rule.segments[0]!.test(target.type)) return false
  if (rule.segments.length === 1) return true
  if (resourceLevel && !(rule.segments.length === 2 || rule.globstar.slice(2).every(Boolean))) return false
  const path = (target.path ?? []).map(String)
  return target.names.some((name) => name !== '' && rule.segments[1]!.test(name) && matchFrom(rule, 2, path, 0))
}

/** A compiled set of ignore rules. */
export class IgnoreRules {
  private readonly rules: Rule[]
  constructor(patterns: Iterable<string> = []) {
    this.rules = []
    for (const p of patterns) this.add(p)
  }

  /** Adds patterns (later ones take precedence); accepts the text of a whole `.tfdriftignore` file. */
  add(text: string): this {
    for (const line of text.split(/\r?\n/)) {
      const rule = parseRule(line)
      if (rule) this.rules.push(rule)
    }
    return this
  }

  get size(): number { return this.rules.length }

  /** True when the target is ignored: the last matching rule decides. */
  ignores(target: IgnoreTarget, resourceLevel = false): boolean {
    let ignored = false
    for (const rule of this.rules) if (ruleMatches(rule, target, resourceLevel)) ignored = !rule.negate
    return ignored
  }

  /** Applies the rules to a drift: null when the whole drift is ignored, else the drift without ignored changes. */
  apply(drift: Drift, name: string): Drift | null {
    if (this.rules.length === 0) return drift
    const names = [name, drift.resource_id ?? '', drift.address ?? '', drift.arn ?? '']
    if (drift.kind !== 'modified') return this.ignores({ type: drift.type, names }, true) ? null : drift
    const changes = (drift.changes ?? []).filter((c) => !this.ignores({ type: drift.type, names, path: c.path.split('.') }))
    if (changes.length === 0) return null
    return changes.length === drift.changes?.length ? drift : { ...drift, changes }
  }
}

/** Reads a `.tfdriftignore` file into rules (plus any extra patterns first). */
export function loadIgnoreFile(file: string, extra: Iterable<string> = []): IgnoreRules {
  return new IgnoreRules(extra).add(readFileSync(file, 'utf8'))
}
