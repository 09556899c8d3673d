#!/usr/bin/env node
/**
 * Builds the dashboard when ui/dist is missing or older than its sources, so `npm start` (and the
 * browser tests) always serve the current dashboard without a separate build step. The stamp holds
 * a hash of every source file, so a fresh clone or a pulled change rebuilds exactly once.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const UI = fileURLToPath(new URL('..', import.meta.url))
const STAMP = join(UI, 'dist', '.source-hash')
const INPUTS = ['index.html', 'package.json', 'vite.config.ts', 'src', 'public', '../engine/client']

function* files(path) {
  if (!existsSync(path)) return
  if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) yield* files(join(path, name))
  else yield path
}

/** Hash of the dashboard's sources (paths and contents). */
export function sourceHash() {
  const hash = createHash('sha256')
  for (const input of INPUTS) for (const file of files(join(UI, input))) hash.update(relative(UI, file)).update('\0').update(readFileSync(file))
  return hash.digest('hex')
}

/** Builds ui/dist unless its stamp matches the sources; returns whether it built. */
export async function ensureBuild({ quiet = false } = {}) {
  const wanted = sourceHash()
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return false
  if (!quiet) process.stderr.write('tfdrift: building the dashboard (ui/dist is missing or stale)…\n')
  const { build } = await import('vite')
  await build({ configFile: join(UI, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' })
  writeFileSync(STAMP, wanted)
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureBuild().catch((err) => {
    process.stderr.write(`tfdrift: the dashboard build failed: ${err?.stack ?? err}\n`)
    process.exit(1)
  })
}
