/**
 * One door: plugins import only what a third party can import. Every .ts file under plugins/ is parsed
 * (oxc, through rolldown's parser — a real TypeScript parser, so comments and strings never count) and
 * each module reference is judged: static and dynamic imports, re-exports, `import x = require()`,
 * `import('x').T` types, `require()` / `createRequire(…)(…)` and `new URL(…, import.meta.url)`.
 *
 * - A relative reference stays inside the file's own plugin folder (`plugins/<kind>/<name>/`); no
 *   reach into engine/ or into another plugin's folder.
 * - Plugin tests may also reach test/ (the repository's fixtures and servers); plugin source may not.
 * - A `tfdrift` reference names an entry of package.json `exports`; any other bare name is a Node
 *   built-in or a declared dependency.
 * - plugins/index.ts (the bundle list) may import each plugin folder's index.ts.
 * And the engine names no plugin: no engine source file refers to a path under plugins/.
 */
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fg from 'fast-glob'
import { parseSync } from 'rolldown/experimental'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> }
const PUBLIC = new Set(Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'tfdrift' : `tfdrift/${k.slice(2)}`)))
const BUILTINS = new Set(builtinModules)

interface Reference { specifier: string; line: number }

type Node = Record<string, unknown> & { type?: string; start?: number }
const isNode = (v: unknown): v is Node => !!v && typeof v === 'object'
const literal = (n: unknown): string | undefined => (isNode(n) && (n.type === 'Literal' || n.type === 'StringLiteral') && typeof n.value === 'string' ? n.value : isNode(n) && n.type === 'TemplateLiteral' && (n.expressions as unknown[]).length === 0 ? String(((n.quasis as Node[])[0]!.value as { cooked: string }).cooked) : undefined)

/** Every module reference in a TypeScript source, with its line. */
export function references(file: string, source: string): Reference[] {
  const result = parseSync(file, source)
  if (result.errors.length > 0) throw new Error(`${file} does not parse: ${result.errors[0]!.message}`)
  const out: Reference[] = []
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length
  const add = (specifier: string | undefined, at: number) => { if (specifier !== undefined) out.push({ specifier, line: lineOf(at) }) }
  const isImportMetaUrl = (n: unknown) => isNode(n) && n.type === 'MemberExpression' && isNode(n.object) && n.object.type === 'MetaProperty' && isNode(n.property) && n.property.name === 'url'
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) { for (const c of n) visit(c); return }
    if (!isNode(n)) return
    switch (n.type) {
      case 'ImportDeclaration': case 'ExportNamedDeclaration': case 'ExportAllDeclaration':
        if (n.source) add(literal(n.source), n.start!)
        break
      case 'ImportExpression':
        add(literal(n.source) ?? `<computed import at ${lineOf(n.start!)}>`, n.start!)
        break
      case 'TSImportType':
        add(literal(n.source) ?? literal(n.argument) ?? literal((n.argument as Node | undefined)?.literal), n.start!)
        break
      case 'TSExternalModuleReference':
        add(literal(n.expression), n.start!)
        break
      case 'CallExpression': {
        const callee = n.callee as Node
        const isRequire = (isNode(callee) && callee.type === 'Identifier' && callee.name === 'require')
          || (isNode(callee) && callee.type === 'CallExpression' && isNode(callee.callee) && (callee.callee as Node).name === 'createRequire')
        if (isRequire) add(literal((n.arguments as unknown[])[0]), n.start!)
        break
      }
      case 'NewExpression':
        if (isNode(n.callee) && n.callee.name === 'URL' && isImportMetaUrl((n.arguments as unknown[])[1])) add(literal((n.arguments as unknown[])[0]), n.start!)
        break
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'parent' && typeof value === 'object') visit(value)
  }
  visit(result.program)
  return out
}

const packageName = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!)

/** What is wrong with one reference from a plugin file (undefined: allowed). */
export function judge(fromRel: string, specifier: string): string | undefined {
  const isTest = /\.test\.ts$/.test(fromRel)
  if (specifier.startsWith('<computed')) return `a computed import ${specifier.slice(1, -1)} cannot be checked`
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(fromRel), specifier)).split(path.sep).join('/')
    if (fromRel === 'plugins/index.ts') return /^plugins\/[^/]+\/[^/]+\/index\.ts$/.test(target) ? undefined : `the bundle list may import only plugin folders' index.ts, not ${target}`
    const folder = fromRel.split('/').slice(0, 3).join('/')
    if (target.startsWith(`${folder}/`)) return undefined
    if (isTest && target.startsWith('test/')) return undefined
    if (target.startsWith('engine/')) return `deep import of engine internals (${target}); import it from ${[...PUBLIC].join(', ')}`
    if (target.startsWith('plugins/')) return `import from another plugin's folder (${target}); shared helpers belong on the public surface`
    return `reference outside the plugin folder (${target})`
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return undefined
  const name = packageName(specifier)
  if (name === 'tfdrift') return PUBLIC.has(specifier) ? undefined : `"${specifier}" is not a public entry of tfdrift (package.json exports: ${[...PUBLIC].join(', ')})`
  if (name in pkg.dependencies || (isTest && name in pkg.devDependencies)) return undefined
  return `"${specifier}" is not a declared dependency`
}

const pluginFiles = fg.sync('plugins/**/*.ts', { cwd: ROOT }).sort()
const engineFiles = fg.sync('engine/**/*.ts', { cwd: ROOT, ignore: ['**/*.test.ts'] }).sort()

describe('one door for plugins', () => {
  it('finds the plugin files and their references (the scan is not vacuous)', () => {
    expect(pluginFiles.length).toBeGreaterThan(30)
    const count = pluginFiles.reduce((n, f) => n + references(f, readFileSync(path.join(ROOT, f), 'utf8')).length, 0)
    expect(count).toBeGreaterThan(100)
  })

  it('every reference from plugins/** goes through a public entry or stays in its own folder — zero exceptions', () => {
    const problems: string[] = []
    for (const file of pluginFiles) {
      for (const ref of references(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
        const problem = judge(file, ref.specifier)
        if (problem) problems.push(`${file}:${ref.line}: ${problem}`)
      }
    }
    expect(problems).toEqual([])
  })

  it('the engine names no plugin: no engine source refers to a path under plugins/', () => {
    const problems: string[] = []
    for (const file of engineFiles) {
      for (const ref of references(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (!ref.specifier.startsWith('.')) continue
        const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), ref.specifier)).split(path.sep).join('/')
        if (target.startsWith('plugins/')) problems.push(`${file}:${ref.line}: ${target}`)
      }
    }
    expect(problems).toEqual([])
  })

  it('catches every kind of reference, and ignores comments and strings', () => {
    const source = [
      "import type { A } from '../../../engine/model.ts'",
      "export { b } from '../../sources/cloudtrail/parse.ts'",
      "const c = await import('../../../engine/ids.ts')",
      "type D = import('../../../engine/errors.ts').Problem",
      "import e = require('../../../engine/clock.ts')",
      "const f = createRequire(import.meta.url)('../other/options.schema.json')",
      "const g = new URL('../../../schemas/x.json', import.meta.url)",
      "// import h from '../../../engine/hidden.ts'",
      "const s = \"import i from '../../../engine/string.ts'\"",
      "import { ok } from 'tfdrift/testing'",
      "import { no } from 'tfdrift/engine/ids.ts'",
    ].join('\n')
    const judged = references('plugins/transport/x/index.ts', source).map((r) => [r.line, judge('plugins/transport/x/index.ts', r.specifier) === undefined])
    expect(judged).toEqual([[1, false], [2, false], [3, false], [4, false], [5, false], [6, false], [7, false], [10, true], [11, false]])
  })
})
