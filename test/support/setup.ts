/** Runs before every test file: what a file's hooks started ends with the file. */
import { afterAll } from 'vitest'
import { endTracked } from './processes.ts'

// Registered first, so it runs after the file's own afterAll hooks (they stop servers gracefully).
afterAll(endTracked)
