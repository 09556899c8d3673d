import { afterEach, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { BUILTIN_PLUGINS } from '../../plugins/index.ts'
import { tempProject } from '../config/helpers.ts'
import { execFileSync } from 'node:child_process'
import { ROOT, runCli } from './support.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function project(files: Record<string, string> = {}) {
  const p = tempProject(files)
  cleanups.push(p.cleanup)
  return p.dir
}

describe('tfdrift init', () => {
  it('writes a commented tfdrift.config.ts that then validates', async () => {
    const dir = project()
    const init = await runCli(['init'], { cwd: dir })
    expect(init.code).toBe(0)
    expect(init.stdout).toContain('tfdrift.config.ts')
    const text = readFileSync(path.join(dir, 'tfdrift.config.ts'), 'utf8')
    expect(text).toContain("import { defineConfig } from 'tfdrift'")
    expect(text.split('\n').filter((l) => l.trim().startsWith('//')).length).toBeGreaterThan(5)
    const validate = await runCli(['validate'], { cwd: dir })
    expect(validate.stderr).toBe('')
    expect(validate.stdout).toMatch(/^tfdrift\.config\.ts is valid: 1 pipeline, \d+ nodes\.$/m)
    expect(validate.code).toBe(0)
  })

  it('refuses to overwrite without --force (TFD_ERR_CONFIG_EXISTS), and overwrites with it', async () => {
    const dir = project({ 'tfdrift.config.ts': '// mine\n' })
    const refused = await runCli(['init'], { cwd: dir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('[TFD_ERR_CONFIG_EXISTS]')
    expect(readFileSync(path.join(dir, 'tfdrift.config.ts'), 'utf8')).toBe('// mine\n')
    const forced = await runCli(['init', '--force'], { cwd: dir })
    expect(forced.code).toBe(0)
    expect(readFileSync(path.join(dir, 'tfdrift.config.ts'), 'utf8')).toContain('defineConfig')
  })
})

describe('tfdrift plugins list', () => {
  it('lists every built-in with its kind and version, and installed tfdrift-plugin-* packages', async () => {
    const dir = project()
    const fake = path.join(dir, 'node_modules', '@acme', 'tfdrift-plugin-azure')
    mkdirSync(fake, { recursive: true })
    writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: '@acme/tfdrift-plugin-azure', version: '2.3.4', description: 'Azure resources', type: 'module', main: 'index.mjs' }))
    writeFileSync(path.join(fake, 'index.mjs'), "export default { name: 'azure', kind: 'discovery', version: '2.3.4', apiVersion: '^1.0.0', optionsSchema: {}, create() { return { output: [] } } }\n")
    const other = path.join(dir, 'node_modules', 'not-a-plugin')
    mkdirSync(other, { recursive: true })
    writeFileSync(path.join(other, 'package.json'), '{ "name": "not-a-plugin", "version": "1.0.0" }')

    const result = await runCli(['plugins', 'list', '--json'], { cwd: dir })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const rows = JSON.parse(result.stdout) as Array<{ name: string; kind: string; version: string; description: string; origin: string }>
    for (const builtin of BUILTIN_PLUGINS) {
      expect(rows).toContainEqual(expect.objectContaining({ name: builtin.name, kind: builtin.kind, version: builtin.version, origin: 'builtin' }))
    }
    expect(rows).toContainEqual(expect.objectContaining({ name: '@acme/tfdrift-plugin-azure', kind: 'discovery', version: '2.3.4', description: 'Azure resources' }))
    expect(rows.some((r) => r.name === 'not-a-plugin')).toBe(false)

    const table = await runCli(['plugins', 'list'], { cwd: dir })
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+VERSION\s+DESCRIPTION$/)
    expect(table.stdout).toMatch(/@acme\/tfdrift-plugin-azure \(installed\)\s+discovery\s+2\.3\.4\s+Azure resources/)
    for (const builtin of BUILTIN_PLUGINS) expect(table.stdout).toMatch(new RegExp(`^${builtin.name}\\s+${builtin.kind}\\s`, 'm'))
  })
})

describe('--help', () => {
  it('documents every command and its exit codes', async () => {
    const top = await runCli(['--help'])
    expect(top.code).toBe(0)
    for (const name of ['run', 'validate', 'init', 'plugins', 'tap']) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'))
    expect(top.stdout).toContain('Exit codes: 0 ok, 1 error, 2 drift found')
    for (const args of [['run', '--help'], ['validate', '--help'], ['init', '--help'], ['plugins', 'list', '--help'], ['tap', '--help']]) {
      const help = await runCli(args)
      expect(help.code, args.join(' ')).toBe(0)
      expect(help.stdout, args.join(' ')).toContain('Exit codes:')
    }
  })

  it('bin/tfdrift.mjs runs the TypeScript CLI through tsx (npx tfdrift)', () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
    expect(execFileSync(process.execPath, [path.join(ROOT, 'bin', 'tfdrift.mjs'), '--version'], { encoding: 'utf8' }).trim()).toBe(version)
  })
})
