import { describe, expect, it } from 'vitest'
import { generatedDocs, staleDocs } from '../../engine/cli/gen-docs.ts'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import { ERRORS } from '../../engine/errors.ts'
import { readSchema } from '../../engine/config/validate.ts'

describe('generated docs', () => {
  it('docs/errors.md, docs/config.md and docs/plugins.md match their sources (run `npm run docs` after changing errors or schemas)', () => {
    expect(staleDocs(), 'stale generated docs: run `npm run docs` and commit the result').toEqual([])
  })

  it('docs/errors.md documents every code of the catalogue', () => {
    const doc = generatedDocs()['docs/errors.md']!
    for (const [code, message] of Object.entries(ERRORS)) expect(doc).toContain(`| \`${code}\` | ${message.replace(/\|/g, '\\|')} |`)
  })

  it('every config schema property has a description, and every leaf a default or an example', () => {
    const missing: string[] = []
    const visit = (schema: Record<string, any>, at: string) => {
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, any>>)) {
        const where = `${at}.${name}`
        if (!child.description) missing.push(`${where}: description`)
        if (!child.$ref && child.default === undefined && !child.examples?.length) missing.push(`${where}: default or examples`)
        visit(child, where)
        if (child.items) visit(child.items, `${where}[]`)
      }
      for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, Record<string, any>>)) visit(def, `$defs.${name}`)
    }
    visit(readSchema('config.schema.json'), 'config')
    visit(readSchema('server-config.schema.json'), 'server')
    expect(missing).toEqual([])
  })

  it('docs/config.md has a row for every option, including the server schema', () => {
    const doc = generatedDocs()['docs/config.md']!
    for (const row of ['`server.port`', '`server.auth.tokens[].scopes` (required)', '`store.kind` (required)', '`bus.url`',
      '`pipelines.<name>.discovery[].use` (required)', '`pipelines.<name>.transports[].queue.policy`', '`shutdown_timeout_ms`', '`metrics.interval_ms`']) {
      expect(doc).toContain(`| ${row} |`)
    }
  })

  it('docs/plugins.md has a section for every registered built-in and a row for every one of its options', () => {
    const doc = generatedDocs()['docs/plugins.md']!
    for (const plugin of BUILTIN_PLUGINS) {
      expect(doc).toContain(`## \`${plugin.name}\` (${plugin.kind})`)
      const section = doc.slice(doc.indexOf(`## \`${plugin.name}\``)).split('\n## ')[0]!
      for (const option of Object.keys((plugin.optionsSchema.properties ?? {}) as Record<string, unknown>)) expect(section).toMatch(new RegExp(`\\| \`${option}\`( \\(required\\))? \\|`))
    }
  })
})
