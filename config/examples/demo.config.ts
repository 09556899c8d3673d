// The simulated AWS estate with a live dashboard, in memory: nothing to set up, nothing kept.
// Run: npm run tfdrift -- run --config config/examples/demo.config.ts
import { defineConfig } from 'tfdrift'
import { demo, realtime } from 'tfdrift/plugins'

export default defineConfig({
  server: { port: 8080, auth: { anonymous: { tenant: 'default', scopes: ['read'] } } },
  store: { kind: 'memory' },
  log: { level: 'info' },
  pipelines: {
    demo: {
      // 500 resources, a change every two seconds.
      discovery: [demo({ size: 500, interval: '2s' })],
      analysis: [{ use: 'drift' }],
      transports: [realtime()],
    },
  },
})
