import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
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
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    } catch (error) {
      throw new TfdriftError('TFD_ERR_STORE_OPEN', `Could not create the directory of the SQLite store ${path}: ${(error as Error).message}`, { cause: error })
    }
    createPrivate(path, opts.logger)
  }
  return new SqliteStore({ path, clock: opts.clock, logger: opts.logger })
}

/**
 * Creates the store file owner-only before SQLite opens it: it holds raw attribute values, secrets
 * included. SQLite gives the -wal and -shm files it creates later the mode of the database file, and
 * an empty file is a valid new database. An existing file keeps its mode (an operator chose it); a
 * warning says when others can read it.
 */
function createPrivate(path: string, logger: Logger | undefined): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
    // The umask may have taken bits from 0600 too (even the owner's): set it outright.
    chmodSync(path, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new TfdriftError('TFD_ERR_STORE_OPEN', `Could not create the SQLite store ${path}: ${(error as Error).message}`, { cause: error })
    }
    const mode = statSync(path).mode & 0o777
    if (mode & 0o077) {
      logger?.warn({ path, mode: mode.toString(8) }, 'The store file can be read by other users, and it holds raw attribute values, secrets included: run chmod 600 on it.')
    }
  }
}

/** The absolute path of a configured SQLite file. */
export function resolveStorePath(path: string | undefined, cwd: string): string {
  const chosen = path ?? DEFAULT_SQLITE_PATH
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen)
}
