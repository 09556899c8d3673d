// A config that brings its own plugin: a local TypeScript module imported like any other.
// Run: npm run tfdrift -- run --config config/examples/local-plugin.config.ts
import { defineConfig } from 'tfdrift'
import heartbeat from './plugins/heartbeat.ts'

export default defineConfig({
  store: { kind: 'memory' },
  pipelines: {
    local: {
      // `use` takes the definition itself; a path string ('./plugins/heartbeat.ts') works too.
      sources: [{ use: heartbeat, with: { every_ms: 1000, label: 'example' } }],
      transports: [{ use: 'stdout' }],
    },
  },
})
