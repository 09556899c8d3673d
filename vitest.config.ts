import { defineConfig } from 'vitest/config'
import solid from 'vite-plugin-solid'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'plugins/**/*.test.ts', 'engine/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // Finds the system binaries some suites need, announces the ones missing, and fails the run if a
          // test left a process running; the setup file ends what a file's hooks started.
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        // The dashboard's Solid components, rendered into jsdom (no server, no canvas).
        plugins: [solid()],
        test: {
          name: 'ui',
          include: ['test/ui/components/**/*.test.tsx'],
          environment: 'jsdom',
          testTimeout: 30_000,
        },
      },
    ],
  },
})
