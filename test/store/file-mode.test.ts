/**
 * The SQLite store holds raw attribute values, secrets included (masking happens on the way out):
 * the file and its WAL/shared-memory siblings must be readable by their owner only, whatever the
 * umask (issue 11, defect 5).
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../engine/store/open.ts'
import { drift } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-mode-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const mode = (path: string) => statSync(path).mode & 0o777

describe('SQLite store file permissions', () => {
  it.each([['022', 0o022], ['000', 0o000], ['277', 0o277]])('a new store file, its directory, -wal and -shm are private under umask %s', async (name, mask) => {
    const cwd = join(dir, `u${name}`)
    const previous = process.umask(mask)
    try {
      const store = await openStore({ kind: 'sqlite', path: 'data/tfdrift.db' }, { cwd })
      await store.saveDrifts('acme', [drift('m1')])
      await store.getDrift('acme', 'm1')
      const file = join(cwd, 'data', 'tfdrift.db')
      expect(mode(file)).toBe(0o600)
      if (mask !== 0o277) expect(mode(join(cwd, 'data'))).toBe(0o700)
      for (const sibling of ['-wal', '-shm']) {
        expect(existsSync(file + sibling), sibling).toBe(true)
        expect(mode(file + sibling), sibling).toBe(0o600)
      }
      await store.close()
    } finally {
      process.umask(previous)
    }
  })

  it('leaves the mode of an existing store file alone (an operator may have chosen it), and warns when others can read it', async () => {
    const file = join(dir, 'existing.db')
    writeFileSync(file, '')
    chmodSync(file, 0o640)
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } })
    const store = await openStore({ kind: 'sqlite', path: file }, { cwd: dir, logger })
    await store.saveDrifts('acme', [drift('m2')])
    await store.close()
    expect(mode(file)).toBe(0o640)
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 40, path: file, mode: '640', msg: expect.stringMatching(/chmod 600/) }))
    chmodSync(file, 0o600)
    lines.length = 0
    await (await openStore({ kind: 'sqlite', path: file }, { cwd: dir, logger })).close()
    expect(lines).toEqual([])
  })
})
