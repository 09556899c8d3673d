/**
 * Installs the plugin as a third party gets it: `npm pack` → a tarball → a temporary project, where the
 * `tfdrift` CLI finds it (`plugins list`), validates a config that uses it, and scans with it.
 *
 * No network: the tarball is unpacked into the project's node_modules as npm would lay it out, `tfdrift`
 * is linked to this repo (as `npm link tfdrift` would), and the AWS SDK packages the plugin depends on are
 * linked from the repo's node_modules (same versions the lockfile pins), because an offline
 * `npm install <tarball>` fails on a machine whose npm cache lacks them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FakeAws } from './fake-aws.ts'
import { makeAccount, tfstate } from './world.ts'

const run = promisify(execFile)
const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const repo = path.resolve(pkgDir, '../..')
let project: string
let fake: FakeAws
let endpoint: string

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'tfdrift-aws-pack-'))
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: pkgDir })
  const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>
  const modules = path.join(project, 'node_modules')
  const target = path.join(modules, 'tfdrift-plugin-aws')
  mkdirSync(target, { recursive: true })
  await run('tar', ['-xzf', path.join(project, filename), '-C', target, '--strip-components=1'])
  symlinkSync(repo, path.join(modules, 'tfdrift'), 'dir')
  symlinkSync(path.join(repo, 'node_modules', '@aws-sdk'), path.join(modules, '@aws-sdk'), 'dir')
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'infra', private: true, type: 'module', dependencies: { tfdrift: '*', 'tfdrift-plugin-aws': `file:./${filename}` } }))
  fake = new FakeAws({ '111111111111': makeAccount(['us-east-1'], { instances: 2 }) })
  endpoint = await fake.start()
}, 120_000)

afterAll(async () => {
  await fake?.stop()
  if (project) rmSync(project, { recursive: true, force: true })
})

const cli = (args: string[]) => run(process.execPath, [path.join(project, 'node_modules/tfdrift/bin/tfdrift.mjs'), ...args], {
  cwd: project,
  env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' },
}).then((r) => ({ ...r, code: 0 }), (e: { stdout: string; stderr: string; code: number }) => e)

it('the tarball holds the sources, the README and package.json only', () => {
  const files = readdirSync(path.join(project, 'node_modules/tfdrift-plugin-aws'))
  expect(files.sort()).toEqual(['README.md', 'package.json', 'src'])
})

it('`tfdrift plugins list` finds the installed package', async () => {
  const { stdout } = await cli(['plugins', 'list', '--json'])
  const row = (JSON.parse(stdout) as Array<{ name: string; kind: string; origin: string }>).find((r) => r.name === 'tfdrift-plugin-aws')
  expect(row).toMatchObject({ kind: 'discovery', version: '0.1.0' })
  expect(row!.origin).toBe(path.join(project, 'node_modules/tfdrift-plugin-aws'))
})

it('a config that uses it validates', async () => {
  writeFileSync(path.join(project, 'tfdrift.config.yaml'), [
    'pipelines:', '  prod:', '    discovery:',
    '      - use: aws', '        id: live', `        with: { regions: [us-east-1, eu-west-1], endpoint: "${endpoint}", concurrency: 4 }`,
    '      - use: terraform-state', '        id: state', '        with: { paths: ["main.tfstate"] }',
    '    analysis:', '      - use: drift', '        inputs: [state, live]', '',
  ].join('\n'))
  const r = await cli(['validate', '--config', 'tfdrift.config.yaml'])
  expect(r.stderr + r.stdout).not.toMatch(/TFD_ERR/)
  expect(r.code).toBe(0)
}, 60_000)

it('`tfdrift scan --provider aws` runs the installed plugin', async () => {
  writeFileSync(path.join(project, 'main.tfstate'), tfstate([
    { type: 'aws_instance', name: 'web', attributes: { id: 'i-00000000000000000', instance_type: 't3.micro' } },
    { type: 'aws_instance', name: 'gone', attributes: { id: 'i-0deadbeefdeadbeef', instance_type: 't3.micro' } },
  ]))
  const r = await cli(['scan', '--state', 'main.tfstate', '--provider', 'aws', '--endpoint', endpoint, '--format', 'json', '--provider-options', '{"types":["aws_instance"]}'])
  expect(r.code, r.stderr).toBe(2)
  const drifts = (JSON.parse(r.stdout) as { drifts: Array<{ kind: string; address?: string; resource_id?: string }> }).drifts
  expect(drifts.map((d) => `${d.kind} ${d.address ?? d.resource_id}`).sort()).toEqual(['missing aws_instance.gone', 'unmanaged i-00000000000000001'])
}, 60_000)
