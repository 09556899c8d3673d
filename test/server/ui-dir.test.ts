import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveUiDir } from '../../engine/server/static.ts'

describe('which dashboard directory is served', () => {
  const root = mkdtempSync(join(tmpdir(), 'tfdrift-ui-dir-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('serves only a built ui/dist: the Vite sources in ui/ are not a page a browser can run', () => {
    mkdirSync(join(root, 'ui', 'src'), { recursive: true })
    writeFileSync(join(root, 'ui', 'index.html'), '<script type="module" src="./src/main.tsx"></script>')
    expect(resolveUiDir(undefined, root)).toBeUndefined()
    mkdirSync(join(root, 'ui', 'dist'))
    writeFileSync(join(root, 'ui', 'dist', 'index.html'), '<!doctype html>')
    expect(resolveUiDir(undefined, root)).toBe(join(root, 'ui', 'dist'))
    expect(resolveUiDir('/elsewhere', root)).toBe('/elsewhere')
  })
})
