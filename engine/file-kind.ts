/**
 * What a path is when it is not a regular file, for error messages. Readers check this before
 * opening: reading a FIFO with no writer blocks forever, and a directory or socket only fails with
 * an errno that reads like "no such file".
 */
import type { Stats } from 'node:fs'

/** `a FIFO (named pipe)`, `a directory`, … for anything but a regular file; undefined for a regular file. */
export function irregularFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  return 'not a regular file'
}
