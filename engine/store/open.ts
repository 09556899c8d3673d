import { mkdirSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Store } from './store.ts'
import type { StoreConfig } from '../config/types.ts'
import type { Clock } from '../plugin-api.ts'
import { TfdriftError } from '../errors.ts'
import { MemoryStore } from './memory-store.ts'
import { SqliteStore } from './sqlite-store.ts'

/** Where the SQLite store lives when the config names no path, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = '.tfdrift/tfdrift.db'

/**
 * Opens the store a config asks for (default: SQLite at `.tfdrift/tfdrift.db` under `cwd`, its
 * directory created). A relative `path` is resolved against `cwd`; `:memory:` is passed through.
 */
export async function openStore(config: StoreConfig = { kind: 'sqlite' }, opts: { cwd: string; clock?: Clock; logger?: Logger }): Promise<Store> {
  if (config.kind === 'memory') return new MemoryStore({ clock: opts.clock })
  const path = config.path === ':memory:' ? ':memory:' : resolveStorePath(config.path, opts.cwd)
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true })
    } catch (error) {
      throw new TfdriftError('TFD_ERR_STORE_OPEN', `Could not create the directory of the SQLite store ${path}: ${(error as Error).message}`, { cause: error })
    }
  }
  return new SqliteStore({ path, clock: opts.clock, logger: opts.logger })
}

/** The absolute path of a configured SQLite file. */
export function resolveStorePath(path: string | undefined, cwd: string): string {
  const chosen = path ?? DEFAULT_SQLITE_PATH
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen)
}
