import { expect } from 'vitest'
import { TfdriftError } from '../../../engine/errors.ts'

/** Runs `fn`, which must throw a TfdriftError, and returns it (for its code, message and pointer). */
export function codeOf(fn: () => unknown): TfdriftError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TfdriftError)
    return err as TfdriftError
  }
  throw new Error('expected a TfdriftError')
}
