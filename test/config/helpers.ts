/** Temp project directories for config tests. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** Creates a temp project (with package.json unless told otherwise) and writes `files` into it. */
export function tempProject(files: Record<string, string>, options: { packageJson?: boolean } = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-cfg-'))
  if (options.packageJson !== false) writeFileSync(path.join(dir, 'package.json'), '{ "name": "user-project", "private": true }\n')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
